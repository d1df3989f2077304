"""The search page's filters: one FilterSet, whose ``qs`` goes to the paginator and the exports."""

from __future__ import annotations

import django_filters
from django import forms
from django.db import connections
from django.db.models import Exists, OuterRef

from articles.models import (
    Article,
    ArticleSource,
    ImportRun,
    Occurrence,
    Region,
    RegionTag,
    Source,
)
from articles.search import facets
from articles.search.backends import Tier, get_backend
from articles.search.query import SearchQuery, parse_query

# Up to this many results narrowed by filters, a page orders them by their ids (see
# ArticleFilter.ordered_parts).
LISTED_RESULTS = 20_000


class Sort:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"
    TITLE = "title"
    CHOICES = [
        (RELEVANCE, "Best match"),
        (NEWEST, "Newest first"),
        (OLDEST, "Oldest first"),
        (TITLE, "Title A–Z"),
    ]
    ORDERINGS = {
        NEWEST: ("-created_at", "-id"),
        OLDEST: ("created_at", "id"),
        TITLE: ("title", "id"),
    }


class Status:
    ALL = "all"
    CHOICES = [*Article.Status.choices, (ALL, "Any status")]


class ImportRunChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, run: ImportRun) -> str:
        return str(run)


class ArticleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_nothing",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    region = django_filters.ModelMultipleChoiceFilter(
        label="Region",
        queryset=Region.objects.all(),
        to_field_name="slug",
        method="filter_region",
        widget=forms.CheckboxSelectMultiple,
    )
    source = django_filters.ModelMultipleChoiceFilter(
        label="Source",
        queryset=Source.objects.all(),
        to_field_name="slug",
        method="filter_source",
        widget=forms.CheckboxSelectMultiple,
    )
    role = django_filters.ChoiceFilter(
        label="Source role",
        choices=ArticleSource.Role.choices,
        empty_label="Any role",
        method="filter_nothing",
    )
    publisher = django_filters.ModelChoiceFilter(
        label="Publisher",
        queryset=Source.objects.filter(article_links__role=ArticleSource.Role.PUBLISHER).distinct(),
        to_field_name="slug",
        empty_label="Any publisher",
        method="filter_publisher",
    )
    run = django_filters.ModelChoiceFilter(
        label="Import",
        queryset=ImportRun.objects.all(),
        empty_label="Any import",
        method="filter_run",
    )
    imported_from = django_filters.DateFilter(
        label="Imported from",
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    imported_to = django_filters.DateFilter(
        label="Imported until",
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=Status.CHOICES, empty_label=None, method="filter_nothing"
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by", choices=Sort.CHOICES, empty_label=None, method="filter_nothing"
    )

    class Meta:
        model = Article
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.search_query: SearchQuery = parse_query(
            (data or {}).get("q", "") if self.is_bound else ""
        )
        self.filters["run"].field_class = ImportRunChoiceField

    @property
    def sort_order(self) -> str:
        chosen = self.cleaned("sort")
        if chosen:
            return chosen
        return Sort.NEWEST if self.search_query.is_empty else Sort.RELEVANCE

    @property
    def is_search(self) -> bool:
        return not self.search_query.is_empty

    def cleaned(self, name: str):
        if not self.is_bound:
            return None
        self.errors  # noqa: B018 - validates the form once, so cleaned_data exists
        return self.form.cleaned_data.get(name)

    def filter_nothing(self, queryset, name, value):
        # Applied in filter_queryset, where the order and the defaults are decided.
        return queryset

    def filter_region(self, queryset, name, regions):
        if not regions:
            return queryset
        tags = RegionTag.objects.filter(article=OuterRef("pk"), region__in=regions)
        return queryset.filter(Exists(tags))

    def filter_source(self, queryset, name, sources):
        if not sources:
            return queryset
        links = ArticleSource.objects.filter(article=OuterRef("pk"), source__in=sources)
        if role := self.cleaned("role"):
            links = links.filter(role=role)
        return queryset.filter(Exists(links))

    def filter_publisher(self, queryset, name, publisher):
        links = ArticleSource.objects.filter(
            article=OuterRef("pk"), source=publisher, role=ArticleSource.Role.PUBLISHER
        )
        return queryset.filter(Exists(links))

    def filter_run(self, queryset, name, run):
        occurrences = Occurrence.objects.filter(article=OuterRef("pk"), file__run=run)
        return queryset.filter(Exists(occurrences))

    @property
    def chosen_status(self) -> str | None:
        """The status the results are filtered by; None for any status."""
        status = self.cleaned("status") or Article.Status.ACTIVE
        return None if status == Status.ALL else status

    def result_stats(self):
        """Counts of the results and their facets (see ArticleQuerySet.result_stats). A search's
        matches come from the search index where it can list them, and the region, source,
        publisher and import filters are applied to them in memory (see facets.narrowed)."""
        conditions = self._pair_conditions()
        ids = None
        if not self._dated() and not self.queryset.query.has_filters():
            using = self.queryset.db
            if self.is_search:
                ids = get_backend(connections[using]).match_ids(self.search_query, using)
                if ids is None:
                    ids = facets.ids_of(self.queryset.search(self.search_query))
            elif conditions:
                ids = facets.ids_of(self.queryset)
            if ids is not None:
                ids = facets.narrowed(ids, conditions, using=using)
        return self.unfiltered_by_status().result_stats(status=self.chosen_status, ids=ids)

    def _pair_conditions(self) -> list[tuple[str, list[int]]]:
        """The chosen region, source, publisher and import filters, as (facet kind, value ids)
        conditions for facets.narrowed: the same as filter_region, filter_source..."""
        conditions = []
        if regions := self.cleaned("region"):
            conditions.append(("region", [region.pk for region in regions]))
        if sources := self.cleaned("source"):
            conditions.append((self.cleaned("role") or "source", [s.pk for s in sources]))
        if publisher := self.cleaned("publisher"):
            conditions.append(("publisher", [publisher.pk]))
        if run := self.cleaned("run"):
            conditions.append(("run", [run.pk]))
        return conditions

    def ordered_parts(self, stats) -> list[Tier]:
        """The results in order, as parts for a page to slice (see views.search): the ranking
        tiers of a search by relevance; the known ids of results narrowed by filters, in the
        chosen order (their SQL would repeat the search and the filters' semi-joins); else
        ``qs``."""
        if tiers := self._relevance_tiers(stats.ids):
            return tiers
        if self._narrowed() and stats.count <= LISTED_RESULTS:
            backend = get_backend(connections[self.queryset.db])
            listed = backend.listed(self.queryset, stats.ids)
            if listed is not None:
                return [Tier(listed.order_by(*self._ordering), stats.count)]
        return [Tier(self.qs, stats.count)]

    def _dated(self) -> bool:
        return bool(self.cleaned("imported_from") or self.cleaned("imported_to"))

    def _narrowed(self) -> bool:
        """Whether filters besides the search narrow the results."""
        return bool(self._pair_conditions()) or self._dated()

    @property
    def _ordering(self) -> tuple[str, ...]:
        """The chosen order other than by relevance."""
        return Sort.ORDERINGS.get(self.sort_order, Sort.ORDERINGS[Sort.NEWEST])

    def _relevance_tiers(self, ids):
        """``qs`` as its ranking tiers (see SearchBackend.tiers) when it is a search ordered by
        relevance whose backend splits it; ``ids`` are those of every result."""
        if not self.is_search or self.sort_order != Sort.RELEVANCE:
            return None
        unsearched = self._filtered(self.queryset.all(), with_status=True, with_search=False)
        return get_backend(connections[self.queryset.db]).tiers(
            unsearched, self.search_query, ids, narrowed=self._narrowed()
        )

    def unfiltered_by_status(self):
        """The result set with every filter but status: for the status facet's counts."""
        return self._filtered(self.queryset.all(), with_status=False)

    def filter_queryset(self, queryset):
        queryset = self._filtered(queryset, with_status=True)
        if self.sort_order == Sort.RELEVANCE and self.is_search:
            return queryset  # search() orders by rank
        return queryset.order_by(*self._ordering)

    def _filtered(self, queryset, *, with_status: bool, with_search: bool = True):
        self.errors  # noqa: B018 - validates the form once, so cleaned_data exists
        if with_status and self.chosen_status is not None:
            queryset = queryset.filter(status=self.chosen_status)
        if self.is_search:
            if with_search:
                queryset = queryset.search(self.search_query)
        elif self.search_query.text.strip():
            return queryset.none()
        return super().filter_queryset(queryset) if self.is_bound else queryset
