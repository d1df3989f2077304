"""Region pages: the vocabulary with counts, each region's articles, and its Atom feed."""

from django.contrib.syndication.views import Feed
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from articles.models import Article, Region
from articles.views.search import render_search

FEED_SIZE = 50


def region_list(request):
    regions = Region.objects.annotate(
        article_count=Count("tags", filter=Q(tags__article__status=Article.Status.ACTIVE))
    )
    return render(request, "articles/regions.html", {"regions": regions})


def region_detail(request, slug: str):
    region = get_object_or_404(Region, slug=slug)
    params = request.GET.copy()
    params.setlist("region", [region.slug])
    return render_search(request, params, extra_context={"region": region})


class RegionFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug: str):
        return get_object_or_404(Region, slug=slug)

    def title(self, region: Region) -> str:
        return f"Newsroom: {region.name}"

    def subtitle(self, region: Region) -> str:
        return f"The newest articles tagged {region.name}."

    def link(self, region: Region) -> str:
        return reverse("articles:region", args=[region.slug])

    def items(self, region: Region):
        return (
            Article.objects.active()
            .filter(region_tags__region=region)
            .order_by("-created_at", "-id")[:FEED_SIZE]
        )

    def item_title(self, article: Article) -> str:
        return article.title

    def item_description(self, article: Article) -> str:
        return article.lead

    def item_pubdate(self, article: Article):
        return article.published_at or article.created_at

    def item_updateddate(self, article: Article):
        return article.updated_at
