"""The search page (home), its exports, and the region pages built on it."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.utils.functional import cached_property

from articles import exports
from articles.filters import ArticleFilter, Sort
from articles.models import Article, ArticleSource, ImportRun, Region, RegionTag, Source
from articles.search.backends import Tier, get_backend
from articles.search.facets import ResultStats

PAGE_SIZE = 20
SOURCE_FACET_LIMIT = 15


def with_listing_relations(queryset):
    return queryset.prefetch_related(
        Prefetch("region_tags", queryset=RegionTag.objects.select_related("region")),
        Prefetch("source_links", queryset=ArticleSource.objects.select_related("source")),
    )


def search(request):
    return render_search(request, request.GET)


def render_search(request, params, *, template="articles/search.html", extra_context=None):
    filterset = ArticleFilter(params, queryset=Article.objects.all())
    notices = list(filterset.search_query.warnings)
    notices += [
        f"{filterset.form.fields[name].label or name.title()}: {' '.join(errors)} "
        "This filter was left out."
        for name, errors in filterset.errors.items()
    ]
    stats = filterset.result_stats()
    page, page_notice = paginate(
        SlicedInTwoSteps(filterset.ordered_parts(stats), with_listing_relations),
        request.GET.get("page"),
        stats.count,
    )
    if page_notice:
        notices.append(page_notice)
    articles = page.object_list
    snippets = get_backend().snippets(articles, filterset.search_query)
    for article in articles:
        article.snippet = snippets.get(article.pk)
        links = article.source_links.all()
        article.publishers = [link.source for link in links if link.role == "publisher"]
        article.other_sources = [link for link in links if link.role != "publisher"]
    return render(
        request,
        template,
        {
            "filter": filterset,
            "page": page,
            "articles": articles,
            "notices": notices,
            "facets": build_facets(filterset, stats),
            "params": params,
            "querystring": params.urlencode(),
            "regions": Region.objects.all(),
            # The filter form's selects, written out in the template (rendering the form's
            # widgets through their own templates cost a tenth of the page).
            "role_choices": ArticleSource.Role.choices,
            "sort_choices": Sort.CHOICES,
            **(extra_context or {}),
        },
    )


class CountedPaginator(Paginator):
    """A paginator told its count: the result stats counted the results already."""

    def __init__(self, object_list, per_page, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


class SlicedInTwoSteps:
    """Results in consecutive parts (``Tier``s: an ordered queryset and its count) that load
    a slice in two steps: the ordered ids of the slice from the parts it spans, then those
    articles (with ``prefetch`` applied), put back in order. Ordering a broad search's matches
    with their whole rows would carry every match's body through the sort; the parts let a
    search page rank only the tier it shows (see SearchBackend.tiers)."""

    def __init__(self, parts: Sequence[Tier], prefetch) -> None:
        self.parts = parts
        self.prefetch = prefetch

    def __getitem__(self, window: slice) -> list:
        ids, offset = [], 0
        for part in self.parts:
            start, stop = max(window.start - offset, 0), window.stop - offset
            # A part holds only its own results: a slice past its end comes back short.
            ids += part.queryset.values_list("pk", flat=True)[start:stop]
            if len(ids) == window.stop - window.start:
                break  # the window is full: the part's count is not needed
            offset += part.count
        if not ids:
            return []
        articles = self.prefetch(Article.objects.filter(pk__in=ids))
        by_id = {article.pk: article for article in articles}
        return [by_id[pk] for pk in ids if pk in by_id]


def paginate(results, page_number: str | None, count: int):
    paginator = CountedPaginator(results, PAGE_SIZE, count=count)
    if page_number in (None, ""):
        return paginator.page(1), None
    try:
        return paginator.page(page_number), None
    except PageNotAnInteger:
        return paginator.page(1), f"“{page_number[:40]}” is not a page number; showing page 1."
    except EmptyPage:
        last = paginator.num_pages
        return paginator.page(last), (
            f"There is no page {page_number[:40]}: the results have {last} "
            f"page{'s' if last != 1 else ''}. Showing page {last}."
        )


FACET_FILTERS = ("region", "source", "publisher", "run", "status")


def submitted_values(filterset: ArticleFilter, name: str) -> set[str]:
    """The values submitted for one filter, as strings. A value holding a NUL byte can match
    nothing and PostgreSQL refuses it in a query, so it is left out here (the form already
    reports it)."""
    value = filterset.form[name].value()
    values = value if isinstance(value, list) else [value or ""]
    return {str(v) for v in values if "\x00" not in str(v)}


def build_facets(filterset: ArticleFilter, stats: ResultStats) -> dict:
    counts = stats.facets
    selected = {name: submitted_values(filterset, name) for name in FACET_FILTERS}
    regions = [
        {"value": r.slug, "label": r.name, "count": counts["region"].get(r.pk, 0)}
        for r in Region.objects.all()
    ]
    source_ids = set(counts["source"]) | set(counts["publisher"])
    sources = Source.objects.filter(pk__in=source_ids) | Source.objects.filter(
        slug__in=selected["source"] | selected["publisher"]
    )
    sources = list(sources.distinct())
    source_items = sorted(
        (
            {"value": s.slug, "label": s.name, "count": counts["source"].get(s.pk, 0)}
            for s in sources
        ),
        key=lambda item: (-item["count"], item["label"]),
    )
    shown_sources = [
        item
        for index, item in enumerate(source_items)
        if index < SOURCE_FACET_LIMIT or item["value"] in selected["source"]
    ]
    publishers = [
        {"value": s.slug, "label": s.name, "count": counts["publisher"][s.pk]}
        for s in sources
        if s.pk in counts["publisher"]
    ]
    runs = ImportRun.objects.filter(pk__in=counts["run"]).order_by("-started_at")[:20]
    status_counts = stats.status_counts
    return {
        "selected": selected,
        "regions": regions,
        "any_region": any(r["count"] or r["value"] in selected["region"] for r in regions),
        "sources": shown_sources,
        "more_sources": len(source_items) - len(shown_sources),
        "publishers": sorted(publishers, key=lambda item: -item["count"]),
        "runs": [{"value": str(r.pk), "label": str(r), "count": counts["run"][r.pk]} for r in runs],
        "statuses": [
            {"value": value, "label": label, "count": status_counts.get(value, 0)}
            for value, label in Article.Status.choices
        ],
    }


def export(request, fmt: str):
    if fmt not in exports.FORMATS:
        raise Http404("Unknown export format.")
    filterset = ArticleFilter(request.GET, queryset=Article.objects.all())
    return exports.stream(
        fmt, with_listing_relations(filterset.qs), filterset.search_query, request
    )
