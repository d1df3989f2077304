"""The review queue's filters: one FilterSet whose ``qs`` goes to the paginator."""

from __future__ import annotations

from collections import Counter, defaultdict

import django_filters
from django.db.models import Q

from articles.models import ArticleSource, Region, RegionTag, Source
from duplicates.models import DuplicateCandidate


class CandidateFilter(django_filters.FilterSet):
    region = django_filters.ModelChoiceFilter(
        label="Region",
        queryset=Region.objects.all(),
        to_field_name="slug",
        empty_label="Any region",
        method="filter_region",
    )
    source = django_filters.ModelChoiceFilter(
        label="Source",
        queryset=Source.objects.all(),
        to_field_name="slug",
        empty_label="Any source",
        method="filter_source",
    )

    class Meta:
        model = DuplicateCandidate
        fields: list[str] = []

    def filter_region(self, queryset, name, region):
        return queryset.touching_region([region]) if region else queryset

    def filter_source(self, queryset, name, source):
        return queryset.touching_source([source]) if source else queryset

    def cleaned(self, name: str):
        if not self.is_bound:
            return None
        self.errors  # noqa: B018 - validates the form once, so cleaned_data exists
        return self.form.cleaned_data.get(name)

    def without(self, name: str):
        """The queue filtered by every filter but ``name``: what its options' counts count."""
        queryset = self.queryset.all()
        for other in ("region", "source"):
            if other != name and (value := self.cleaned(other)):
                queryset = getattr(self, f"filter_{other}")(queryset, other, value)
        return queryset

    def region_counts(self) -> list[dict]:
        counts = _either_side_counts(self.without("region"), RegionTag.objects.all(), "region_id")
        selected = self.cleaned("region")
        return [
            {"value": r.slug, "label": r.name, "count": counts.get(r.pk, 0)}
            for r in Region.objects.all()
            if counts.get(r.pk) or r == selected
        ]

    def source_counts(self) -> list[dict]:
        counts = _either_side_counts(
            self.without("source"), ArticleSource.objects.all(), "source_id"
        )
        selected = self.cleaned("source")
        ids = set(counts) | ({selected.pk} if selected else set())
        items = [
            {"value": s.slug, "label": s.name, "count": counts.get(s.pk, 0)}
            for s in Source.objects.filter(pk__in=ids)
        ]
        return sorted(items, key=lambda item: (-item["count"], item["label"]))


def _either_side_counts(pairs, links, value_field: str) -> Counter:
    """How many of ``pairs`` have either article linked to each value (a region, a source).

    Counted here rather than with joins through the article table: on SQLite every such join
    reads the article's row, body and all, once per pair and link."""
    pairs = pairs.order_by()
    ends = list(pairs.values_list("article_a_id", "article_b_id"))
    if not ends:
        return Counter()
    values: dict[int, set[int]] = defaultdict(set)
    links = links.filter(
        Q(article__in=pairs.values("article_a")) | Q(article__in=pairs.values("article_b"))
    )
    for article_id, value in links.order_by().values_list("article_id", value_field):
        values[article_id].add(value)
    counts: Counter = Counter()
    empty: set[int] = set()
    for a, b in ends:
        counts.update(values.get(a, empty) | values.get(b, empty))
    return counts
