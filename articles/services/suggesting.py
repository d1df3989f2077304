"""Storing region suggestions: at import for new articles, and on demand for any selection.

The gazetteer is the database's (editors extend it in the admin), read once per run.
Decided suggestions (accepted or rejected) are never touched again; open ones are refreshed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from articles.models import Article, Caption, PlaceName, Region, RegionSuggestion, RegionTag
from articles.suggest import DEFAULT_THRESHOLD, Gazetteer, Suggestion
from articles.utils import chunked


class RegionSuggester:
    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        mapping = defaultdict(list, {name: [] for (name,) in Region.objects.values_list("name")})
        for region_name, place_name in PlaceName.objects.values_list("region__name", "name"):
            mapping[region_name].append(place_name)
        self.gazetteer = Gazetteer.from_mapping(dict(mapping))
        self.region_ids = dict(Region.objects.values_list("name", "pk"))
        self.threshold = threshold

    def suggest(self, *, title: str, captions: list[str], body: str) -> list[Suggestion]:
        return self.known(
            self.gazetteer.suggest(
                title=title, captions=captions, body=body, threshold=self.threshold
            )
        )

    def known(self, suggestions: Iterable[Suggestion]) -> list[Suggestion]:
        """Those of the gazetteer's ``suggestions`` whose region is in the database."""
        return [s for s in suggestions if s.region in self.region_ids]

    def as_model(self, article_id: int, suggestion: Suggestion) -> RegionSuggestion:
        return RegionSuggestion(
            article_id=article_id,
            region_id=self.region_ids[suggestion.region],
            score=round(suggestion.score, 4),
            evidence=[
                {"name": e.name, "field": e.field, "start": e.start, "end": e.end}
                for e in suggestion.evidence
            ],
        )


def refresh_suggestions(*, articles, batch_size: int = 500, on_progress=None) -> dict[str, int]:
    """Recompute the suggestions of ``articles`` (a queryset). Returns counts of suggestions
    created, updated and withdrawn (open ones no longer supported)."""
    suggester = RegionSuggester()
    totals = {"created": 0, "updated": 0, "withdrawn": 0}
    ids = list(articles.order_by("pk").values_list("pk", flat=True))
    for chunk in chunked(ids, batch_size):
        with transaction.atomic():
            counts = _refresh_chunk(suggester, chunk)
        for key, value in counts.items():
            totals[key] += value
        if on_progress:
            on_progress(len(chunk))
    return totals


def _refresh_chunk(suggester: RegionSuggester, article_ids: list[int]) -> dict[str, int]:
    existing = {
        (s.article_id, s.region_id): s
        for s in RegionSuggestion.objects.filter(article_id__in=article_ids)
    }
    tagged = set(
        RegionTag.objects.filter(article_id__in=article_ids).values_list("article_id", "region_id")
    )
    captions: dict[int, list[str]] = defaultdict(list)
    for article_id, text in (
        Caption.objects.filter(article_id__in=article_ids)
        .order_by("article_id", "position", "id")
        .values_list("article_id", "text")
    ):
        captions[article_id].append(text)

    to_create, to_update, supported = [], [], set()
    for article in Article.objects.filter(pk__in=article_ids).only("pk", "title", "body"):
        for suggestion in suggester.suggest(
            title=article.title, captions=captions[article.pk], body=article.body
        ):
            fresh = suggester.as_model(article.pk, suggestion)
            key = (article.pk, fresh.region_id)
            supported.add(key)
            current = existing.get(key)
            if current is None:
                if key not in tagged:
                    to_create.append(fresh)
            elif current.status == RegionSuggestion.Status.OPEN:
                current.score, current.evidence = fresh.score, fresh.evidence
                to_update.append(current)
    withdrawn = [
        s.pk
        for key, s in existing.items()
        if s.status == RegionSuggestion.Status.OPEN and key not in supported
    ]
    RegionSuggestion.objects.bulk_create(to_create)
    RegionSuggestion.objects.bulk_update(to_update, ["score", "evidence"])
    RegionSuggestion.objects.filter(pk__in=withdrawn).delete()
    return {"created": len(to_create), "updated": len(to_update), "withdrawn": len(withdrawn)}


def store_new_article_suggestions(
    suggester: RegionSuggester, articles: Iterable[tuple[int, Iterable[Suggestion]]]
) -> int:
    """Store the gazetteer's suggestions for articles just created (they have none yet), given
    as ``(article id, suggestions)``."""
    suggestions = [
        suggester.as_model(article_id, suggestion)
        for article_id, found in articles
        for suggestion in suggester.known(found)
    ]
    RegionSuggestion.objects.bulk_create(suggestions)
    return len(suggestions)
