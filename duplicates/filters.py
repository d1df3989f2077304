"""The review queue's filters: one FilterSet whose ``qs`` goes to the paginator."""

from __future__ import annotations

import django_filters
from django.db.models import Count, F

from articles.models import Region, Source
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
        counts = _either_side_counts(self.without("region"), "region_tags__region")
        selected = self.cleaned("region")
        return [
            {"value": r.slug, "label": r.name, "count": counts.get(r.pk, 0)}
            for r in Region.objects.all()
            if counts.get(r.pk) or r == selected
        ]

    def source_counts(self) -> list[dict]:
        counts = _either_side_counts(self.without("source"), "source_links__source")
        selected = self.cleaned("source")
        ids = set(counts) | ({selected.pk} if selected else set())
        items = [
            {"value": s.slug, "label": s.name, "count": counts.get(s.pk, 0)}
            for s in Source.objects.filter(pk__in=ids)
        ]
        return sorted(items, key=lambda item: (-item["count"], item["label"]))


def _either_side_counts(pairs, path: str) -> dict[int, int]:
    """How many of ``pairs`` have either article linked to each value of ``path``: pairs whose
    first article has it, plus those whose second has it, less those where both have it."""
    pairs = pairs.order_by()
    a, b = f"article_a__{path}", f"article_b__{path}"
    counts: dict[int, int] = {}
    for side in (a, b):
        for value, n in (
            pairs.filter(**{f"{side}__isnull": False})
            .values_list(side)
            .annotate(n=Count("pk", distinct=True))
        ):
            counts[value] = counts.get(value, 0) + n
    for value, n in pairs.filter(**{a: F(b)}).values_list(a).annotate(n=Count("pk", distinct=True)):
        counts[value] -= n
    return counts
