"""The duplicates pages: the review queue, the compare page and its decisions, the history.

Reading needs an account (as every page does); merging, undoing and deciding need the
``articles.merge_articles`` permission: viewers see no buttons and their POSTs get 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from articles.models import Article
from articles.utils import local_path
from duplicates import selectors
from duplicates.filters import CandidateFilter
from duplicates.forms import MergeForm, ReasonForm
from duplicates.models import DuplicateCandidate, MergeRecord
from duplicates.services import MergeError, mark_not_duplicate, merge_articles, undo_merge

PERMISSION = "articles.merge_articles"
QUEUE_PAGE_SIZE = 25
HISTORY_PAGE_SIZE = 50

can_merge = permission_required(PERMISSION, raise_exception=True)


def paginate(items, number: str | None, size: int):
    """A page of ``items`` and, for a page number that is not one, a notice."""
    paginator = Paginator(items, size)
    if number in (None, ""):
        return paginator.page(1), None
    try:
        return paginator.page(number), None
    except PageNotAnInteger:
        return paginator.page(1), f"“{number[:40]}” is not a page number; showing page 1."
    except EmptyPage:
        last = paginator.num_pages
        return paginator.page(last), f"There is no page {number[:40]}; showing page {last}."


def queue(request):
    filterset = CandidateFilter(
        request.GET or None, queryset=DuplicateCandidate.objects.to_review()
    )
    notices = [
        f"{filterset.form.fields[name].label}: {' '.join(errors)} This filter was left out."
        for name, errors in filterset.errors.items()
    ]
    page, notice = paginate(filterset.qs, request.GET.get("page"), QUEUE_PAGE_SIZE)
    if notice:
        notices.append(notice)
    pairs = list(selectors.with_listing_relations(page.object_list))
    return render(
        request,
        "duplicates/queue.html",
        {
            "filter": filterset,
            "page": page,
            "pairs": pairs,
            "notices": notices,
            "regions": filterset.region_counts(),
            "sources": filterset.source_counts(),
            "selected_region": getattr(filterset.cleaned("region"), "slug", ""),
            "selected_source": getattr(filterset.cleaned("source"), "slug", ""),
            "total": selectors.queue_total(),
            "can_merge": request.user.has_perm(PERMISSION),
        },
    )


def _candidate_or_404(pk: int) -> DuplicateCandidate:
    return get_object_or_404(
        DuplicateCandidate.objects.select_related("article_a", "article_b", "decided_by"), pk=pk
    )


def compare(request, pk: int):
    candidate = _candidate_or_404(pk)
    comparison = selectors.compare(candidate)
    default = comparison.more_complete.article.pk
    merged_away = [a for a in candidate.articles if a.status != Article.Status.ACTIVE]
    return render(
        request,
        "duplicates/compare.html",
        {
            "candidate": candidate,
            "comparison": comparison,
            "left": comparison.left,
            "right": comparison.right,
            "sides": [comparison.left, comparison.right],
            "merge_form": MergeForm(
                candidate=candidate, initial={"survivor": default, "keep_title_from": default}
            ),
            "default_survivor": default,
            "merged_away": [(a, a.survivor()) for a in merged_away],
            "can_decide": candidate.is_open and not merged_away,
            "merge_record": candidate.merges.select_related("user").order_by("-pk").first(),
            "can_merge": request.user.has_perm(PERMISSION),
        },
    )


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_POST
@can_merge
def merge(request, pk: int):
    candidate = _candidate_or_404(pk)
    form = MergeForm(request.POST, candidate=candidate)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(candidate)
    if not candidate.is_open:
        messages.error(
            request,
            f"This pair was already decided ({candidate.get_status_display().lower()}). "
            "Nothing was changed.",
        )
        return redirect(candidate)
    survivor, merged, keep_title_from = form.articles()
    try:
        record = merge_articles(
            survivor=survivor,
            merged=merged,
            user=request.user,
            keep_title_from=keep_title_from,
            reason=form.cleaned_data["reason"],
        )
    except MergeError as error:
        messages.error(request, str(error))
        return redirect(candidate)
    messages.success(
        request,
        f"Merged “{_short(merged.title)}” (#{merged.pk}) into this article (#{survivor.pk}). "
        f"Its address now leads here. Undo it from this page or the merge history "
        f"(merge #{record.pk}).",
    )
    return redirect(record.survivor)


@require_POST
@can_merge
def not_duplicate(request, pk: int):
    candidate = _candidate_or_404(pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(candidate)
    try:
        mark_not_duplicate(
            candidate=candidate, user=request.user, reason=form.cleaned_data["reason"]
        )
    except MergeError as error:
        messages.error(request, str(error))
        return redirect(candidate)
    messages.success(
        request,
        f"#{candidate.article_a_id} and #{candidate.article_b_id} are not duplicates: "
        "the pair is closed and will not be proposed again.",
    )
    return redirect("duplicates:queue")


def history(request):
    kind = request.GET.get("kind", "")
    notices = []
    if kind not in dict(selectors.Event.CHOICES):
        notices.append(f"“{kind[:40]}” is not a kind of decision; showing every decision.")
        kind = ""
    page, notice = paginate(
        selectors.history_events(kind), request.GET.get("page"), HISTORY_PAGE_SIZE
    )
    if notice:
        notices.append(notice)
    return render(
        request,
        "duplicates/history.html",
        {
            "page": page,
            "items": selectors.hydrate(page.object_list),
            "kind": kind,
            "kinds": selectors.Event.CHOICES,
            "notices": notices,
            "can_merge": request.user.has_perm(PERMISSION),
        },
    )


def merge_detail(request, pk: int):
    record = get_object_or_404(
        MergeRecord.objects.select_related("survivor", "merged", "user", "undone_by", "candidate"),
        pk=pk,
    )
    snapshot = record.snapshot or {}
    moved = {
        name: len(snapshot.get(name, {}).get("moved", []))
        for name in ("captions", "sources", "region_tags", "suggestions", "occurrences")
    }
    kept = {
        name: len(snapshot.get(name, {}).get("kept", []))
        for name in ("captions", "sources", "region_tags", "suggestions", "candidates")
    }
    return render(
        request,
        "duplicates/merge_detail.html",
        {
            "record": record,
            "moved": moved,
            "kept": kept,
            "carried": len(snapshot.get("candidates", {}).get("moved", [])),
            "previous_title": snapshot.get("survivor", {}).get("title", ""),
            "blocking": None if record.is_undone else selectors.blocking_merge(record),
            "form": ReasonForm(),
            "can_merge": request.user.has_perm(PERMISSION),
        },
    )


@require_POST
@can_merge
def undo(request, pk: int):
    record = get_object_or_404(MergeRecord.objects.select_related("merged"), pk=pk)
    back = _next_url(request) or record.get_absolute_url()
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    try:
        undo_merge(record=record, user=request.user, reason=form.cleaned_data["reason"])
    except MergeError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(
        request,
        f"Undid merge #{record.pk}: “{_short(record.merged.title)}” (#{record.merged_id}) is "
        "an article of its own again, with its captions, sources, tags and occurrences.",
    )
    return redirect(back)


def _next_url(request) -> str | None:
    return local_path(request.POST.get("next", ""), request)


def _short(title: str, limit: int = 80) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"
