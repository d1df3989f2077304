"""Tagging articles with regions: by hand, by accepting a suggestion, in bulk. Every change is
recorded as a TagEvent (who or what, when, how), removals included."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from articles.models import Article, Region, RegionSuggestion, RegionTag, TagEvent
from articles.utils import chunked

BULK_CHUNK = 2000


@transaction.atomic
def add_region_tag(
    *, article: Article, region: Region, user, method: str = RegionTag.Method.EDITOR, note=""
) -> RegionTag | None:
    """Tag ``article`` with ``region``; None when it already had that tag."""
    tag, created = RegionTag.objects.get_or_create(
        article=article,
        region=region,
        defaults={"method": method, "applied_by": user, "note": note[:500]},
    )
    if not created:
        return None
    TagEvent.objects.create(
        article=article,
        region=region,
        action=TagEvent.Action.ADDED,
        method=method,
        user=user,
        note=note[:500],
    )
    return tag


@transaction.atomic
def remove_region_tag(*, article: Article, region: Region, user, note: str = "") -> bool:
    deleted, _ = RegionTag.objects.filter(article=article, region=region).delete()
    if not deleted:
        return False
    TagEvent.objects.create(
        article=article,
        region=region,
        action=TagEvent.Action.REMOVED,
        method=RegionTag.Method.EDITOR,
        user=user,
        note=note[:500],
    )
    return True


@transaction.atomic
def accept_suggestion(*, suggestion: RegionSuggestion, user) -> RegionTag | None:
    suggestion = RegionSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    suggestion.decide(status=RegionSuggestion.Status.ACCEPTED, user=user)
    return add_region_tag(
        article=suggestion.article,
        region=suggestion.region,
        user=user,
        method=RegionTag.Method.SUGGESTION,
        note=f"suggested with score {suggestion.score:.2f}",
    )


@transaction.atomic
def reject_suggestion(*, suggestion: RegionSuggestion, user) -> None:
    suggestion = RegionSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    suggestion.decide(status=RegionSuggestion.Status.REJECTED, user=user)


@transaction.atomic
def bulk_tag(*, articles, region: Region, user, description: str) -> int:
    """Tag every article of ``articles`` (a queryset) with ``region``; returns how many
    articles gained the tag. Articles that already had it are left as they were."""
    already = RegionTag.objects.filter(region=region).values("article_id")
    # Read first, then write: the ids of a search are materialized before any insert.
    article_ids = list(
        articles.order_by().exclude(pk__in=already).values_list("pk", flat=True).distinct()
    )
    now = timezone.now()
    note = description[:500]
    added = 0
    for chunk in chunked(article_ids, BULK_CHUNK):
        RegionTag.objects.bulk_create(
            [
                RegionTag(
                    article_id=pk,
                    region=region,
                    method=RegionTag.Method.BULK,
                    applied_by=user,
                    applied_at=now,
                    note=note,
                )
                for pk in chunk
            ],
            ignore_conflicts=True,
        )
        TagEvent.objects.bulk_create(
            [
                TagEvent(
                    article_id=pk,
                    region=region,
                    action=TagEvent.Action.ADDED,
                    method=RegionTag.Method.BULK,
                    user=user,
                    at=now,
                    note=note,
                )
                for pk in chunk
            ]
        )
        added += len(chunk)
    return added
