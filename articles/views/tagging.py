"""Changing region tags: by hand, by deciding on suggestions, and in bulk from a search.
Tagging needs the tag_articles permission, bulk tagging its own bulk_tag_articles; viewers
have neither and get 403."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from articles.filters import ArticleFilter
from articles.forms import BulkTagForm, RegionChoiceForm
from articles.models import Article, Region, RegionSuggestion, RegionTag
from articles.services import tagging
from articles.utils import local_path

can_tag = permission_required("articles.tag_articles", raise_exception=True)
can_bulk_tag = permission_required("articles.bulk_tag_articles", raise_exception=True)


@require_POST
@can_tag
def add_tag(request, pk: int):
    article = get_object_or_404(Article, pk=pk)
    form = RegionChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a region from the list to add it.")
    elif tagging.add_region_tag(
        article=article, region=form.cleaned_data["region"], user=request.user
    ):
        messages.success(request, f"Tagged with {form.cleaned_data['region']}.")
    else:
        messages.info(request, f"Already tagged with {form.cleaned_data['region']}.")
    return redirect(article)


@require_POST
@can_tag
def remove_tag(request, pk: int, slug: str):
    article = get_object_or_404(Article, pk=pk)
    region = get_object_or_404(Region, slug=slug)
    if tagging.remove_region_tag(article=article, region=region, user=request.user):
        messages.success(request, f"Removed the {region} tag.")
    return redirect(article)


@require_POST
@can_tag
def decide_suggestion(request, pk: int, decision: str):
    suggestion = get_object_or_404(
        RegionSuggestion.objects.select_related("article", "region"), pk=pk
    )
    if suggestion.status != RegionSuggestion.Status.OPEN:
        messages.info(request, f"The {suggestion.region} suggestion was already decided.")
    elif decision == "accept":
        tagging.accept_suggestion(suggestion=suggestion, user=request.user)
        messages.success(request, f"Accepted: tagged with {suggestion.region}.")
    else:
        tagging.reject_suggestion(suggestion=suggestion, user=request.user)
        messages.success(request, f"Rejected {suggestion.region}; it will not be suggested again.")
    return redirect(suggestion.article)


@require_POST
@can_bulk_tag
def bulk_tag(request):
    form = BulkTagForm(request.POST)
    back = _back_to_search(request)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    region = form.cleaned_data["region"]
    query = form.cleaned_data["query"]
    results = ArticleFilter(QueryDict(query), queryset=Article.objects.all()).qs
    if form.cleaned_data["scope"] == BulkTagForm.SELECTED:
        articles = results.filter(pk__in=form.cleaned_data["article"])
        description = f"bulk: selected results of search ?{query}"
    else:
        articles = results
        description = f"bulk: every result of search ?{query}"
    already = RegionTag.objects.filter(region=region, article__in=articles.order_by().values("pk"))
    total = articles.count()
    changing = total - already.count()
    if not form.cleaned_data["confirmed"]:
        return render(
            request,
            "articles/bulk_tag_confirm.html",
            {
                "form": form,
                "region": region,
                "total": total,
                "changing": changing,
                "already": total - changing,
                "back": back,
            },
        )
    added = tagging.bulk_tag(
        articles=articles, region=region, user=request.user, description=description
    )
    messages.success(request, f"Tagged {added} article{'s' if added != 1 else ''} with {region}.")
    return redirect(back)


def _back_to_search(request) -> str:
    """Where the bulk form was sent from (the search or a region page), if it is ours."""
    if target := local_path(request.POST.get("next", ""), request):
        return target
    return reverse("articles:search") + "?" + request.POST.get("query", "")[:4000]
