"""Merging duplicate articles, undoing a merge, and closing a pair as not a duplicate.

A merge deletes nothing. The survivor gains the merged article's captions, sources, region tags
(with their provenance), region suggestions and occurrences; the merged article is marked merged
into the survivor (its page redirects there, and it leaves search results); the candidate pairs
it was part of are carried over to the survivor. A row the survivor already has the like of (the
same photo caption, the same source in the same role, a tag or a suggestion for the same region,
a pair with the same article) is not moved: it stays with the merged article, and the merge
record says so.

Everything a merge changes is written into its ``MergeRecord.snapshot``, so that ``undo_merge``
puts every row back exactly as it was, and the record keeps both the merge and the undo.

Concurrency: both articles are locked (``SELECT ... FOR UPDATE``, in id order, so two merges of
the same articles queue instead of deadlocking) and their statuses checked again once locked. Of
two editors merging the same pair, or one merging A into B while another merges B into A, one
succeeds and the other gets a ``MergeError`` that says what happened. On SQLite the settings
start every transaction with ``BEGIN IMMEDIATE``, so writers are serialized there too.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from articles import neardup
from articles.dumps import BlockError, fingerprint, parse_block
from articles.models import (
    Article,
    ArticleSource,
    Caption,
    Occurrence,
    RegionSuggestion,
    RegionTag,
    TagEvent,
)
from duplicates.models import DuplicateCandidate, MergeRecord
from duplicates.services.candidates import passages_between
from duplicates.services.sketches import as_text, ensure_sketches

SNAPSHOT_VERSION = 1
REASON_LIMIT = 2000


class MergeError(Exception):
    """Why a merge, an undo or a decision was refused, in words for an editor."""


# ---------------------------------------------------------------------------------------------
# Merge


@transaction.atomic
def merge_articles(
    *,
    survivor: Article,
    merged: Article,
    user,
    keep_title_from: Article | None = None,
    reason: str = "",
) -> MergeRecord:
    """Merge ``merged`` into ``survivor``. ``keep_title_from`` is the article whose title the
    survivor keeps (the survivor's own by default). Raises ``MergeError`` when the merge is not
    possible (any more): nothing is changed then."""
    if survivor.pk == merged.pk:
        raise MergeError("An article cannot be merged into itself.")
    if keep_title_from is not None and keep_title_from.pk not in (survivor.pk, merged.pk):
        raise MergeError("The title to keep must be the title of one of the two articles.")
    survivor, merged = _lock_articles(survivor.pk, merged.pk)
    for article in (merged, survivor):
        if article.status != Article.Status.ACTIVE:
            raise MergeError(_already_merged(article))
    pair = DuplicateCandidate.objects.select_for_update().pair(survivor, merged).order_by().first()
    if pair is not None and pair.status == DuplicateCandidate.Status.NOT_DUPLICATE:
        who = f" by {pair.decided_by}" if pair.decided_by_id else ""
        raise MergeError(
            f"#{pair.article_a_id} and #{pair.article_b_id} were marked as not duplicates{who}. "
            "Nothing was changed."
        )

    now = timezone.now()
    reason = reason.strip()[:REASON_LIMIT]
    kept_merged_title = (
        keep_title_from is not None
        and keep_title_from.pk == merged.pk
        and merged.title != survivor.title
    )
    snapshot: dict = {
        "version": SNAPSHOT_VERSION,
        # Every row listed under "moved" belonged to the merged article before the merge.
        "from_article": merged.pk,
        "survivor": {
            "title": survivor.title,
            "caption_text": survivor.caption_text,
            "captions": list(survivor.captions.order_by("pk").values_list("pk", flat=True)),
            "updated_at": survivor.updated_at.isoformat(),
        },
        "merged": {
            "status": merged.status,
            "merged_into": merged.merged_into_id,
            "updated_at": merged.updated_at.isoformat(),
        },
        "occurrence_high_water": Occurrence.objects.aggregate(top=Max("pk"))["top"] or 0,
    }
    snapshot["captions"] = _move_captions(survivor, merged)
    snapshot["sources"] = _move_source_links(survivor, merged)
    snapshot["region_tags"], snapshot["tag_events"] = _move_region_tags(survivor, merged, user, now)
    snapshot["suggestions"] = _move_suggestions(survivor, merged)
    occurrences = list(merged.occurrences.order_by("pk").values_list("pk", flat=True))
    Occurrence.objects.filter(pk__in=occurrences).update(article=survivor)
    snapshot["occurrences"] = {"moved": occurrences}

    title = merged.title if kept_merged_title else survivor.title
    Article.objects.filter(pk=survivor.pk).update(title=title, updated_at=now)
    survivor.title = title
    survivor.refresh_caption_text()
    Article.objects.filter(pk=merged.pk).update(
        status=Article.Status.MERGED, merged_into=survivor, updated_at=now
    )

    snapshot["pair"] = None
    if pair is not None:
        snapshot["pair"] = _decision_state(pair)
        DuplicateCandidate.objects.filter(pk=pair.pk).update(
            status=DuplicateCandidate.Status.MERGED, decided_by=user, decided_at=now, reason=reason
        )
    snapshot["candidates"] = _carry_candidates(survivor, merged, exclude=pair)

    try:
        with transaction.atomic():
            return MergeRecord.objects.create(
                survivor=survivor,
                merged=merged,
                candidate=pair,
                user=user,
                at=now,
                reason=reason,
                title_kept=title,
                kept_merged_title=kept_merged_title,
                snapshot=snapshot,
            )
    except IntegrityError as error:  # the one-merge-in-effect constraint: a race we lost
        raise MergeError(f"#{merged.pk} was merged by someone else meanwhile.") from error


def _lock_articles(*pks: int) -> list[Article]:
    """The articles, locked in id order, fresh from the database (in the order asked)."""
    locked = {
        article.pk: article
        for article in Article.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    }
    for pk in pks:
        if pk not in locked:
            raise MergeError(f"Article #{pk} does not exist (any more).")
    return [locked[pk] for pk in pks]


def _already_merged(article: Article) -> str:
    end = article.survivor()
    where = f"#{article.merged_into_id}"
    if end.pk != article.merged_into_id:
        where += f", which now lives on as #{end.pk}"
    return (
        f"“{_short(article.title)}” (#{article.pk}) has already been merged into {where}. "
        "Nothing was changed; review the pair again from the queue."
    )


def _short(title: str, limit: int = 80) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _caption_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _move_captions(survivor: Article, merged: Article) -> dict:
    """Append the merged article's photos after the survivor's, except the ones it has."""
    have = {_caption_key(text) for text in survivor.captions.values_list("text", flat=True)}
    top = survivor.captions.aggregate(top=Max("position"))["top"]
    position = -1 if top is None else top
    moved, kept, updated = [], [], []
    for caption in merged.captions.order_by("position", "pk"):
        key = _caption_key(caption.text)
        if key in have:
            kept.append(caption.pk)
            continue
        have.add(key)
        position += 1
        moved.append({"id": caption.pk, "position": caption.position})
        caption.article_id, caption.position = survivor.pk, position
        updated.append(caption)
    Caption.objects.bulk_update(updated, ["article", "position"])
    return {"moved": moved, "kept": kept}


def _move_source_links(survivor: Article, merged: Article) -> dict:
    have = set(survivor.source_links.values_list("source_id", "role"))
    moved, kept = [], []
    for pk, source_id, role in merged.source_links.order_by("pk").values_list(
        "pk", "source_id", "role"
    ):
        (kept if (source_id, role) in have else moved).append(pk)
    ArticleSource.objects.filter(pk__in=moved).update(article=survivor)
    return {"moved": moved, "kept": kept}


def _move_region_tags(survivor: Article, merged: Article, user, now: datetime):
    """Move the tags the survivor lacks, keeping who applied them, how and when; the survivor's
    tag history records each arrival."""
    have = set(survivor.region_tags.values_list("region_id", flat=True))
    moved, kept, events = [], [], []
    for tag in merged.region_tags.order_by("pk"):
        if tag.region_id in have:
            kept.append(tag.pk)
            continue
        moved.append(tag.pk)
        events.append(
            TagEvent(
                article=survivor,
                region_id=tag.region_id,
                action=TagEvent.Action.ADDED,
                method=tag.method,
                user=user,
                at=now,
                note=f"from merge of #{merged.pk} (tagged there {tag.applied_at:%Y-%m-%d %H:%M})",
            )
        )
    RegionTag.objects.filter(pk__in=moved).update(article=survivor)
    created = TagEvent.objects.bulk_create(events)
    return {"moved": moved, "kept": kept}, [event.pk for event in created]


def _move_suggestions(survivor: Article, merged: Article) -> dict:
    have = set(survivor.region_suggestions.values_list("region_id", flat=True))
    moved, kept = [], []
    for pk, region_id in merged.region_suggestions.order_by("pk").values_list("pk", "region_id"):
        (kept if region_id in have else moved).append(pk)
    RegionSuggestion.objects.filter(pk__in=moved).update(article=survivor)
    return {"moved": moved, "kept": kept}


def _decision_state(pair: DuplicateCandidate) -> dict:
    return {
        "id": pair.pk,
        "status": pair.status,
        "decided_by": pair.decided_by_id,
        "decided_at": pair.decided_at.isoformat() if pair.decided_at else None,
        "reason": pair.reason,
    }


def _carry_candidates(survivor: Article, merged: Article, *, exclude) -> dict:
    """Point the merged article's open and "not a duplicate" pairs at the survivor, with the
    similarity and passages of the survivor's text. Pairs already decided by a merge are history
    and stay as they are; so does a pair whose other article the survivor already has a pair
    with."""
    pairs = (
        DuplicateCandidate.objects.select_for_update()
        .involving(merged)
        .filter(
            status__in=[DuplicateCandidate.Status.OPEN, DuplicateCandidate.Status.NOT_DUPLICATE]
        )
        .exclude(pk=getattr(exclude, "pk", None))
        .order_by("pk")
    )
    partners = set()
    for a, b in DuplicateCandidate.objects.involving(survivor).values_list(
        "article_a_id", "article_b_id"
    ):
        partners.add(b if a == survivor.pk else a)
    moved, kept = [], []
    survivor_text = None
    for pair in pairs:
        other_id = pair.article_b_id if pair.article_a_id == merged.pk else pair.article_a_id
        if other_id in partners or other_id == survivor.pk:
            kept.append(pair.pk)
            continue
        partners.add(other_id)
        moved.append(
            {
                "id": pair.pk,
                "article_a": pair.article_a_id,
                "article_b": pair.article_b_id,
                "similarity": pair.similarity,
                "passages": pair.passages,
            }
        )
        if survivor_text is None:
            survivor_text = as_text(Article.objects.only("pk", "title", "body").get(pk=survivor.pk))
            survivor_shingles = neardup.shingle_array(survivor_text.text)
        other = as_text(Article.objects.only("pk", "title", "body").get(pk=other_id))
        a, b = sorted((survivor_text, other), key=lambda text: text.pk)
        similarity = neardup.similarity(survivor_shingles, neardup.shingle_array(other.text))
        DuplicateCandidate.objects.filter(pk=pair.pk).update(
            article_a=a.pk,
            article_b=b.pk,
            similarity=round(similarity, 4),
            passages=passages_between(a, b),
        )
    return {"moved": moved, "kept": kept}


# ---------------------------------------------------------------------------------------------
# Undo


@transaction.atomic
def undo_merge(*, record: MergeRecord, user, reason: str = "") -> MergeRecord:
    """Put everything the merge changed back as it was. Later merges into the same survivor
    (or of the survivor into another article) must be undone first: they may have built on this
    one. Raises ``MergeError`` when the merge cannot be undone (any more)."""
    try:
        record = MergeRecord.objects.select_for_update().get(pk=record.pk)
    except MergeRecord.DoesNotExist as error:
        raise MergeError(f"Merge #{record.pk} does not exist.") from error
    if record.undone_at is not None:
        who = f" by {record.undone_by}" if record.undone_by else ""
        raise MergeError(
            f"Merge #{record.pk} was already undone{who} on "
            f"{timezone.localtime(record.undone_at):%d %B %Y at %H:%M}. Nothing was changed."
        )
    survivor, merged = _lock_articles(record.survivor_id, record.merged_id)
    if merged.status != Article.Status.MERGED or merged.merged_into_id != survivor.pk:
        raise MergeError(f"#{merged.pk} is no longer merged into #{survivor.pk}; nothing to undo.")
    blocking = MergeRecord.objects.in_effect().filter(
        Q(survivor=survivor, pk__gt=record.pk) | Q(merged=survivor)
    )
    later = blocking.order_by("-pk").first()
    if later is not None:
        raise MergeError(
            f"#{survivor.pk} changed again after this merge: undo merge #{later.pk} "
            f"(#{later.merged_id} into #{later.survivor_id}) first."
        )

    snap = record.snapshot
    now = timezone.now()
    for moved in snap["captions"]["moved"]:
        Caption.objects.filter(pk=moved["id"], article=survivor).update(
            article=merged, position=moved["position"]
        )
    ArticleSource.objects.filter(pk__in=snap["sources"]["moved"], article=survivor).update(
        article=merged
    )
    RegionTag.objects.filter(pk__in=snap["region_tags"]["moved"], article=survivor).update(
        article=merged
    )
    TagEvent.objects.filter(pk__in=snap["tag_events"], article=survivor).delete()
    RegionSuggestion.objects.filter(pk__in=snap["suggestions"]["moved"], article=survivor).update(
        article=merged
    )
    Occurrence.objects.filter(pk__in=snap["occurrences"]["moved"], article=survivor).update(
        article=merged
    )
    _return_reimported_occurrences(survivor, merged, snap["occurrence_high_water"])

    previous = snap["survivor"]
    survivor_fields = {"updated_at": datetime.fromisoformat(previous["updated_at"])}
    if survivor.title == record.title_kept:  # not corrected since the merge
        survivor_fields["title"] = previous["title"]
    Article.objects.filter(pk=survivor.pk).update(**survivor_fields)
    if list(survivor.captions.order_by("pk").values_list("pk", flat=True)) == previous["captions"]:
        # The survivor has its own photos again, and nothing else: its search text as it was.
        Article.objects.filter(pk=survivor.pk).update(caption_text=previous["caption_text"])
    else:
        survivor.refresh_caption_text()
    was = snap["merged"]
    Article.objects.filter(pk=merged.pk).update(
        status=was["status"],
        merged_into=was["merged_into"],
        updated_at=datetime.fromisoformat(was["updated_at"]),
    )
    # Active again: new imports must find it (its keys were kept, unless a rebuild dropped them).
    ensure_sketches(articles=[merged])

    for moved in reversed(snap["candidates"]["moved"]):
        DuplicateCandidate.objects.filter(pk=moved["id"]).update(
            article_a=moved["article_a"],
            article_b=moved["article_b"],
            similarity=moved["similarity"],
            passages=moved["passages"],
        )
    if snap["pair"] is not None:
        pair = snap["pair"]
        DuplicateCandidate.objects.filter(
            pk=pair["id"], status=DuplicateCandidate.Status.MERGED
        ).update(
            status=pair["status"],
            decided_by=pair["decided_by"],
            decided_at=datetime.fromisoformat(pair["decided_at"]) if pair["decided_at"] else None,
            reason=pair["reason"],
        )

    record.undone_at = now
    record.undone_by = user
    record.undo_reason = reason.strip()[:REASON_LIMIT]
    record.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    return record


def _return_reimported_occurrences(survivor: Article, merged: Article, high_water: int) -> None:
    """A block of the merged article imported again after the merge went to the survivor (the
    importer follows merges): it goes back with the rest."""
    family, frontier = {merged.pk}, [merged.pk]
    while frontier:  # the merged article and every article merged into it, at any depth
        frontier = list(
            Article.objects.filter(merged_into__in=frontier)
            .exclude(pk__in=family)
            .values_list("pk", flat=True)
        )
        family.update(frontier)
    fingerprints = set(Article.objects.filter(pk__in=family).values_list("fingerprint", flat=True))
    returning = []
    for pk, raw in survivor.occurrences.filter(pk__gt=high_water).values_list("pk", "raw"):
        try:
            if fingerprint(parse_block(raw)) in fingerprints:
                returning.append(pk)
        except BlockError:
            continue
    Occurrence.objects.filter(pk__in=returning).update(article=merged)


# ---------------------------------------------------------------------------------------------
# Not a duplicate


@transaction.atomic
def mark_not_duplicate(*, candidate: DuplicateCandidate, user, reason: str = "") -> None:
    """Close the pair for good: neither the import nor ``find_duplicates`` proposes it again."""
    try:
        candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    except DuplicateCandidate.DoesNotExist as error:
        raise MergeError("That pair does not exist (any more).") from error
    if candidate.status != DuplicateCandidate.Status.OPEN:
        who = f" by {candidate.decided_by}" if candidate.decided_by else ""
        raise MergeError(
            f"This pair was already decided{who}: {candidate.get_status_display().lower()}. "
            "Nothing was changed."
        )
    statuses = dict(
        Article.objects.filter(pk__in=[candidate.article_a_id, candidate.article_b_id]).values_list(
            "pk", "status"
        )
    )
    for pk in (candidate.article_a_id, candidate.article_b_id):
        if statuses.get(pk) != Article.Status.ACTIVE:
            raise MergeError(
                f"#{pk} has been merged into another article since this pair was found; "
                "review the article it was merged into instead."
            )
    candidate.status = DuplicateCandidate.Status.NOT_DUPLICATE
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.reason = reason.strip()[:REASON_LIMIT]
    candidate.save(update_fields=["status", "decided_by", "decided_at", "reason"])
