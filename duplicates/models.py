"""Near-duplicate detection and merging: what is stored.

- ``ArticleSketch`` and ``BandKey``: per article, the LSH band keys of ``articles.neardup`` (and
  the engine version and text they were computed from). A new article's candidates come out of
  one indexed lookup on ``(band, key)``, whatever the size of the archive.
- ``DuplicateCandidate``: a pair of articles that share a band and whose exact similarity reaches
  the engine's threshold, with why (the passages they share) and the editors' decision.
- ``MergeRecord``: who merged what into what, when and why, with a snapshot of everything the
  merge changed, so that it can be undone exactly.

Reads live here as QuerySet methods; writes live in ``duplicates.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from articles.models import Article


class ArticleSketch(models.Model):
    """The near-duplicate engine's view of one article: which engine version computed its band
    keys (``neardup.SKETCH_VERSION``) and a hash of the text it computed them from, so that an
    engine change or an editor's correction is noticed and the keys recomputed."""

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.CASCADE, related_name="duplicate_sketch"
    )
    version = models.PositiveSmallIntegerField()
    # Signed 64-bit BLAKE2b of neardup.article_text(title, paragraphs).
    text_hash = models.BigIntegerField()
    sketched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["version"], name="dup_sketch_version_idx")]

    def __str__(self) -> str:
        return f"sketch of #{self.article_id} (v{self.version})"


class BandKey(models.Model):
    """One LSH band key of one article: about 96 rows per article (``neardup.article_band_keys``).

    No surrogate id: the rows are many and only ever read by key or by article."""

    pk = models.CompositePrimaryKey("article_id", "band", "key")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, db_index=False, related_name="+")
    band = models.SmallIntegerField()
    key = models.BigIntegerField()

    class Meta:
        indexes = [
            # The candidate lookup: (band, key) IN (...), answered from the index alone.
            models.Index(fields=["band", "key", "article"], name="dup_bandkey_lookup_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.article_id} band {self.band}"


class DuplicateCandidateQuerySet(models.QuerySet):
    def open(self) -> DuplicateCandidateQuerySet:
        return self.filter(status=DuplicateCandidate.Status.OPEN)

    def between_active_articles(self) -> DuplicateCandidateQuerySet:
        # Not a join on the articles' status: reading it means reading past each article's
        # body. The merged articles are few and their ids come from the status index.
        merged = Article.objects.filter(status=Article.Status.MERGED).values("pk")
        return self.exclude(article_a__in=merged).exclude(article_b__in=merged)

    def to_review(self) -> DuplicateCandidateQuerySet:
        """The review queue: open pairs of two active articles, most similar first."""
        return (
            self.open()
            .between_active_articles()
            .select_related("article_a", "article_b")
            .order_by("-similarity", "pk")
        )

    def involving(self, article) -> DuplicateCandidateQuerySet:
        pk = getattr(article, "pk", article)
        return self.filter(Q(article_a_id=pk) | Q(article_b_id=pk))

    def pair(self, first, second) -> DuplicateCandidateQuerySet:
        a, b = sorted((getattr(first, "pk", first), getattr(second, "pk", second)))
        return self.filter(article_a_id=a, article_b_id=b)

    def touching_region(self, regions) -> DuplicateCandidateQuerySet:
        """Pairs where either article is tagged with one of ``regions``."""
        from articles.models import RegionTag

        tags = RegionTag.objects.filter(region__in=regions)
        return self.filter(
            Exists(tags.filter(article=OuterRef("article_a")))
            | Exists(tags.filter(article=OuterRef("article_b")))
        )

    def touching_source(self, sources) -> DuplicateCandidateQuerySet:
        """Pairs where either article is linked to one of ``sources`` (any role)."""
        from articles.models import ArticleSource

        links = ArticleSource.objects.filter(source__in=sources)
        return self.filter(
            Exists(links.filter(article=OuterRef("article_a")))
            | Exists(links.filter(article=OuterRef("article_b")))
        )

    def decided_not_duplicate(self) -> DuplicateCandidateQuerySet:
        return self.filter(status=DuplicateCandidate.Status.NOT_DUPLICATE)


class DuplicateCandidate(models.Model):
    """Two articles that may be the same story. ``article_a`` is the one with the lower id.

    A pair is stored once; finding it again (at import or by ``find_duplicates``) never touches
    a stored pair, so a "not a duplicate" decision sticks."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MERGED = "merged", "Merged"
        NOT_DUPLICATE = "not_duplicate", "Not a duplicate"

    article_a = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    article_b = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    # neardup.similarity: the share of the shorter text's shingles the other text holds.
    similarity = models.FloatField()
    # Why: the longest passages the two share (neardup.SharedPassage fields; a is article_a).
    passages = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OPEN)
    found_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    objects = DuplicateCandidateQuerySet.as_manager()

    class Meta:
        ordering = ["-similarity", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article_a", "article_b"], name="dupcandidate_unique_pair"
            ),
            models.CheckConstraint(
                condition=Q(article_a__lt=F("article_b")), name="dupcandidate_ordered_pair"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-similarity"], name="dupcandidate_queue_idx"),
            models.Index(fields=["status", "-decided_at"], name="dupcandidate_decided_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.article_a_id} and #{self.article_b_id} ({self.similarity:.0%})"

    def get_absolute_url(self) -> str:
        return reverse("duplicates:compare", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def articles(self) -> tuple[Article, Article]:
        return self.article_a, self.article_b

    def other(self, article) -> Article:
        pk = getattr(article, "pk", article)
        return self.article_b if pk == self.article_a_id else self.article_a

    @property
    def longest_passage(self) -> dict | None:
        return self.passages[0] if self.passages else None


class MergeRecordQuerySet(models.QuerySet):
    def in_effect(self) -> MergeRecordQuerySet:
        return self.filter(undone_at__isnull=True)

    def into(self, article) -> MergeRecordQuerySet:
        return self.filter(survivor=article)


class MergeRecord(models.Model):
    """One merge of ``merged`` into ``survivor``, and its undo when there is one.

    ``snapshot`` holds everything needed to undo the merge exactly (see
    ``duplicates.services.merging``): the ids of the rows moved to the survivor, which all
    belonged to ``merged`` before, the rows left where they were because the survivor already
    had their like, the survivor's previous title, caption text and update time, the merged
    article's previous status, the tag events the merge recorded, and the candidate pairs it
    carried over with their previous endpoints."""

    survivor = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey(
        DuplicateCandidate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merges",
        help_text="The candidate pair the merge decided, when there was one.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)
    # The survivor's title after the merge, and whether it was the merged article's title.
    title_kept = models.CharField(max_length=500)
    kept_merged_title = models.BooleanField(default=False)
    snapshot = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undo_reason = models.TextField(blank=True)

    objects = MergeRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(survivor=F("merged")), name="mergerecord_two_articles"
            ),
            # An article is merged into one other at a time: the database refuses a second
            # merge of the same article that is not undone, whatever the application does.
            models.UniqueConstraint(
                fields=["merged"],
                condition=Q(undone_at__isnull=True),
                name="mergerecord_one_merge_in_effect",
            ),
        ]
        indexes = [
            models.Index(fields=["survivor", "undone_at"], name="mergerecord_survivor_idx"),
            models.Index(fields=["-undone_at"], name="mergerecord_undone_idx"),
        ]

    def __str__(self) -> str:
        return f"Merge #{self.pk}: #{self.merged_id} into #{self.survivor_id}"

    def get_absolute_url(self) -> str:
        return reverse("duplicates:merge-detail", args=[self.pk])

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
