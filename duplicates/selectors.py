"""Reads that span models: what the compare page shows, the merge history, an article's pairs."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import CharField, Count, F, Prefetch, Q, Value

from articles.models import Article, ArticleSource, Caption, Occurrence, RegionTag
from duplicates import diff
from duplicates.models import DuplicateCandidate, MergeRecord
from duplicates.services.sketches import paragraphs_of


def with_listing_relations(pairs):
    """Pairs with what a queue row shows of each article: regions and sources."""
    tags = RegionTag.objects.select_related("region")
    links = ArticleSource.objects.select_related("source")
    return pairs.prefetch_related(
        Prefetch("article_a__region_tags", queryset=tags),
        Prefetch("article_b__region_tags", queryset=tags),
        Prefetch("article_a__source_links", queryset=links),
        Prefetch("article_b__source_links", queryset=links),
    )


@dataclass
class ArticleSide:
    """One article of a pair as the compare page shows it."""

    article: Article
    label: str
    captions: list[Caption]
    region_tags: list[RegionTag]
    sources_by_role: list[tuple[str, list[str]]]
    occurrences: list[Occurrence]
    words: int
    completeness: tuple = field(default=())

    @property
    def summary(self) -> str:
        return (
            f"{self.words} words, {len(self.captions)} photo{_s(self.captions)}, "
            f"{len(self.region_tags)} region{_s(self.region_tags)}, "
            f"{len(self.occurrences)} occurrence{_s(self.occurrences)}"
        )


def _s(items) -> str:
    return "" if len(items) == 1 else "s"


def article_side(article: Article, label: str) -> ArticleSide:
    captions = list(
        article.captions.select_related("agency", "distributor").order_by("position", "pk")
    )
    tags = list(article.region_tags.select_related("region", "applied_by"))
    grouped: dict[str, list[str]] = {}
    for link in article.source_links.select_related("source").order_by("role", "source__name"):
        grouped.setdefault(link.get_role_display(), []).append(link.source.name)
    occurrences = list(
        article.occurrences.select_related("file__run").order_by("file__run", "file", "position")
    )
    words = len(article.body.split())
    return ArticleSide(
        article=article,
        label=label,
        captions=captions,
        region_tags=tags,
        sources_by_role=list(grouped.items()),
        occurrences=occurrences,
        words=words,
        # More text first, then more photos, tags, sources, occurrences; then the older one.
        completeness=(
            words,
            len(captions),
            len(tags),
            sum(len(v) for v in grouped.values()),
            len(occurrences),
            -article.pk,
        ),
    )


@dataclass
class Comparison:
    left: ArticleSide
    right: ArticleSide
    title: diff.Row
    captions: list[diff.Row]
    paragraphs: list[diff.Row | diff.Fold]
    caption_counts: dict[str, int]
    paragraph_counts: dict[str, int]

    @property
    def more_complete(self) -> ArticleSide:
        return max((self.left, self.right), key=lambda side: side.completeness)

    @property
    def titles_differ(self) -> bool:
        return self.left.article.title != self.right.article.title

    @property
    def caption_summary(self) -> str:
        if _unchanged(self.caption_counts):
            return "Same photos" if self.caption_counts[diff.SAME] else "No photos"
        return "Photos: " + _describe(self.caption_counts, with_same=False)

    @property
    def paragraph_summary(self) -> str:
        if _unchanged(self.paragraph_counts):
            return "Same text"
        return "Paragraphs: " + _describe(self.paragraph_counts, with_same=True)


def _unchanged(counts: dict[str, int]) -> bool:
    return not any(counts[k] for k in (diff.CHANGED, diff.ADDED, diff.REMOVED))


def _describe(counts: dict[str, int], *, with_same: bool) -> str:
    parts = [
        f"{counts[diff.CHANGED]} changed" if counts[diff.CHANGED] else "",
        f"{counts[diff.REMOVED]} only in A" if counts[diff.REMOVED] else "",
        f"{counts[diff.ADDED]} only in B" if counts[diff.ADDED] else "",
        f"{counts[diff.SAME]} the same" if with_same and counts[diff.SAME] else "",
    ]
    return " · ".join(part for part in parts if part)


def compare(candidate: DuplicateCandidate) -> Comparison:
    a, b = candidate.article_a, candidate.article_b
    left, right = article_side(a, "A"), article_side(b, "B")
    paragraphs = diff.diff_lines(paragraphs_of(a.body), paragraphs_of(b.body))
    captions = diff.diff_lines([c.text for c in left.captions], [c.text for c in right.captions])
    title = diff.diff_title(a.title, b.title)
    return Comparison(
        left=left,
        right=right,
        title=title,
        captions=captions,
        paragraphs=diff.fold_unchanged(paragraphs),
        caption_counts=diff.summary(captions),
        paragraph_counts=diff.summary(paragraphs),
    )


def open_pairs_of(article: Article):
    """The article's open pairs with other active articles, most similar first."""
    return (
        DuplicateCandidate.objects.to_review()
        .involving(article)
        .select_related("article_a", "article_b")
    )


def merges_into(article: Article):
    """The merges into this article that are in effect, newest first."""
    return MergeRecord.objects.in_effect().into(article).select_related("merged", "user")


# ---------------------------------------------------------------------------------------------
# History


class Event:
    MERGE = "merge"
    UNDO = "undo"
    NOT_DUPLICATE = "not_duplicate"
    CHOICES = [
        ("", "Every decision"),
        (MERGE, "Merges"),
        (UNDO, "Undone merges"),
        (NOT_DUPLICATE, "Not duplicates"),
    ]


def history_events(kind: str = ""):
    """Every merge, undo and "not a duplicate" decision as ``(kind, id, when)`` rows, newest
    first: one UNION query, so that the paginator can count and slice it."""
    parts = {
        Event.MERGE: MergeRecord.objects.annotate(when=F("at")),
        Event.UNDO: MergeRecord.objects.filter(undone_at__isnull=False).annotate(
            when=F("undone_at")
        ),
        Event.NOT_DUPLICATE: DuplicateCandidate.objects.filter(
            status=DuplicateCandidate.Status.NOT_DUPLICATE, decided_at__isnull=False
        ).annotate(when=F("decided_at")),
    }
    if kind in parts:
        parts = {kind: parts[kind]}
    queries = [
        queryset.order_by()
        .annotate(kind=Value(name, output_field=CharField()))
        .values_list("kind", "pk", "when")
        for name, queryset in parts.items()
    ]
    first, *rest = queries
    return (
        first.union(*rest, all=True).order_by("-when", "-pk")
        if rest
        else first.order_by("-when", "-pk")
    )


@dataclass
class HistoryItem:
    kind: str
    when: object
    record: MergeRecord | None = None
    candidate: DuplicateCandidate | None = None


def hydrate(rows) -> list[HistoryItem]:
    """The merge records and pairs behind a page of ``history_events`` rows."""
    rows = list(rows)
    merge_ids = {pk for kind, pk, _ in rows if kind in (Event.MERGE, Event.UNDO)}
    pair_ids = {pk for kind, pk, _ in rows if kind == Event.NOT_DUPLICATE}
    records = MergeRecord.objects.select_related("survivor", "merged", "user", "undone_by")
    records = records.in_bulk(merge_ids)
    pairs = DuplicateCandidate.objects.select_related("article_a", "article_b", "decided_by")
    pairs = pairs.in_bulk(pair_ids)
    items = []
    for kind, pk, when in rows:
        if kind == Event.NOT_DUPLICATE:
            items.append(HistoryItem(kind, when, candidate=pairs.get(pk)))
        else:
            items.append(HistoryItem(kind, when, record=records.get(pk)))
    return items


def blocking_merge(record: MergeRecord) -> MergeRecord | None:
    """The later merge that must be undone before ``record`` can be (see ``undo_merge``)."""
    return (
        MergeRecord.objects.in_effect()
        .filter(Q(survivor=record.survivor_id, pk__gt=record.pk) | Q(merged=record.survivor_id))
        .order_by("-pk")
        .first()
    )


def queue_total() -> int:
    return DuplicateCandidate.objects.to_review().order_by().aggregate(n=Count("pk"))["n"]
