"""The archive: articles and their captions, sources, regions, and where every block came from.

Reads live here as QuerySet methods; writes that span models live in ``articles.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, slugify


class Source(models.Model):
    """A news organization: a wire or photo agency, or an outlet."""

    class Kind(models.TextChoices):
        AGENCY = "agency", "Agency"
        OUTLET = "outlet", "Outlet"

    name = models.CharField(max_length=200, unique=True)
    full_name = models.CharField(max_length=300, blank=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OUTLET)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:200] or "source"
        super().save(*args, **kwargs)


class SourceAlias(models.Model):
    """Another spelling of a source's name ("Agence France-Presse" for AFP)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=300)
    # articles.credits.source_key(alias): what lookups match on.
    key = models.CharField(max_length=300, unique=True, editable=False)

    class Meta:
        ordering = ["alias"]
        verbose_name_plural = "source aliases"

    def __str__(self) -> str:
        return self.alias

    def save(self, *args, **kwargs) -> None:
        from articles.credits import source_key

        self.key = source_key(self.alias)
        super().save(*args, **kwargs)


class Region(models.Model):
    """An entry of the controlled vocabulary editors tag articles with."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PlaceName(models.Model):
    """A gazetteer entry: a place name or alias that points to a region."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="place_names")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["region__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="placename_unique_per_region"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.region})"


class ArticleQuerySet(models.QuerySet):
    def active(self) -> ArticleQuerySet:
        return self.filter(status=Article.Status.ACTIVE)

    def merged(self) -> ArticleQuerySet:
        return self.filter(status=Article.Status.MERGED)

    def with_fingerprints(self, fingerprints) -> ArticleQuerySet:
        return self.filter(fingerprint__in=list(fingerprints))

    def with_occurrence_counts(self) -> ArticleQuerySet:
        return self.annotate(
            occurrence_count=Count("occurrences", filter=Q(occurrences__article__isnull=False))
        )

    def newest_first(self) -> ArticleQuerySet:
        return self.order_by("-created_at", "-id")

    def search(self, query) -> ArticleQuerySet:
        """The articles matching ``query`` (text in the search syntax, or a parsed SearchQuery),
        annotated with ``search_rank`` and ordered best first, then newest first. A query with
        nothing to search for matches nothing. See articles.search.query for the syntax."""
        from django.db import connections
        from django.db.models import FloatField, Value

        from articles.search.backends import get_backend
        from articles.search.query import SearchQuery, parse_query

        if not isinstance(query, SearchQuery):
            query = parse_query(query)
        if query.is_empty:
            return self.none().annotate(search_rank=Value(0.0, output_field=FloatField()))
        backend = get_backend(connections[self.db])
        return backend.filter(self, query).order_by("-search_rank", "-created_at", "-id")

    def result_stats(self, *, status: str | None, ids=None):
        """The exact count of these articles that have ``status`` (any status when None), how
        many have each status, and facet counts (region, source, publisher, import run) of
        those with ``status``: see articles.search.facets."""
        from articles.search.facets import result_stats

        return result_stats(self, status=status, ids=ids)


class Article(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        MERGED = "merged", "Merged"

    title = models.CharField(max_length=500)
    # Paragraphs separated by one blank line.
    body = models.TextField()
    # The captions joined, kept current from Caption saves; the search index reads it.
    caption_text = models.TextField(blank=True, editable=False)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="The date printed in the dump, when it has one."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_articles"
    )
    # Normalized title and body as first imported (articles.dumps.fingerprint). It is not
    # recomputed when an editor corrects the text, so re-imports still recognize the article.
    fingerprint = models.CharField(max_length=64, unique=True, editable=False)
    sources = models.ManyToManyField(Source, through="ArticleSource", related_name="articles")
    regions = models.ManyToManyField(Region, through="RegionTag", related_name="articles")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("tag_articles", "Can tag articles with regions"),
            ("bulk_tag_articles", "Can tag many articles at once from a search"),
            ("merge_articles", "Can merge duplicate articles and undo merges"),
            ("import_dumps", "Can import dump files"),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="article_status_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="merged") & Q(merged_into__isnull=False))
                | (Q(status="active") & Q(merged_into__isnull=True)),
                name="article_merged_has_target",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", args=[self.pk])

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n\n") if p.strip()]

    @property
    def lead(self) -> str:
        """The opening words of the body, where there is no search snippet to show."""
        return Truncator(self.body.split("\n\n", 1)[0]).words(35)

    def survivor(self) -> Article:
        """The article this one ended up in: itself, or the end of a chain of merges."""
        article, seen = self, {self.pk}
        while article.merged_into_id is not None and article.merged_into_id not in seen:
            seen.add(article.merged_into_id)
            article = Article.objects.get(pk=article.merged_into_id)
        return article

    def refresh_caption_text(self) -> None:
        text = "\n".join(self.captions.order_by("position", "id").values_list("text", flat=True))
        Article.objects.filter(pk=self.pk).exclude(caption_text=text).update(caption_text=text)


class Caption(models.Model):
    """One distinct photo of an article: the caption as printed and its parsed credit."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="captions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(help_text="The caption line as printed, credit included.")
    credit = models.CharField(max_length=300, blank=True, help_text="The credit as printed.")
    agency = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="credited_captions"
    )
    photographer = models.CharField(max_length=200, blank=True)
    distributor = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="distributed_captions",
    )
    is_file_photo = models.BooleanField(default=False)

    class Meta:
        ordering = ["article", "position", "id"]
        indexes = [models.Index(fields=["article", "position"], name="caption_article_pos_idx")]

    def __str__(self) -> str:
        return self.text[:80]


class ArticleSource(models.Model):
    """How an article relates to a source: who published it, whose photos, whom it cites."""

    class Role(models.TextChoices):
        PUBLISHER = "publisher", "Publisher"
        PHOTO = "photo", "Photo credit"
        CITED = "cited", "Cited in text"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="source_links")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="article_links")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        ordering = ["role", "source__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "source", "role"], name="articlesource_unique_role"
            ),
        ]
        indexes = [models.Index(fields=["source", "role"], name="articlesource_source_role_idx")]

    def __str__(self) -> str:
        return f"{self.source} ({self.get_role_display()})"


class RegionTag(models.Model):
    """A region applied to an article, with who or what applied it and when."""

    class Method(models.TextChoices):
        EDITOR = "editor", "By hand"
        SUGGESTION = "suggestion", "Accepted suggestion"
        BULK = "bulk", "Bulk action"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="region_tags")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="tags")
    method = models.CharField(max_length=12, choices=Method.choices, default=Method.EDITOR)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(
        max_length=500, blank=True, help_text="For a bulk action, the search it applied to."
    )

    class Meta:
        ordering = ["region__name"]
        constraints = [
            models.UniqueConstraint(fields=["article", "region"], name="regiontag_unique"),
        ]

    def __str__(self) -> str:
        return str(self.region)


class ImportRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        INTERRUPTED = "interrupted", "Interrupted"

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    publisher = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="import_runs")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    files_read = models.PositiveIntegerField(default=0)
    blocks_read = models.PositiveIntegerField(default=0)
    articles_created = models.PositiveIntegerField(default=0)
    articles_seen_again = models.PositiveIntegerField(default=0)
    blocks_rejected = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.started_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("articles:import-detail", args=[self.pk])


class DumpFileQuerySet(models.QuerySet):
    def imported(self) -> DumpFileQuerySet:
        return self.filter(status=DumpFile.Status.IMPORTED)

    def with_checksum(self, sha256: str) -> DumpFileQuerySet:
        return self.filter(sha256=sha256)


class DumpFile(models.Model):
    """A file as one import run read it."""

    class Status(models.TextChoices):
        IMPORTED = "imported", "Imported"
        ALREADY_IMPORTED = "already", "Already imported"
        EMPTY = "empty", "Empty"
        UNREADABLE = "unreadable", "Unreadable"

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=1000)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices)
    message = models.TextField(blank=True)
    same_as = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For a file already imported: the earlier read of the same content.",
    )
    blocks_read = models.PositiveIntegerField(default=0)
    articles_created = models.PositiveIntegerField(default=0)
    articles_seen_again = models.PositiveIntegerField(default=0)
    blocks_rejected = models.PositiveIntegerField(default=0)

    objects = DumpFileQuerySet.as_manager()

    class Meta:
        ordering = ["run", "id"]
        indexes = [models.Index(fields=["sha256", "status"], name="dumpfile_checksum_idx")]

    def __str__(self) -> str:
        return self.path


class OccurrenceQuerySet(models.QuerySet):
    def accepted(self) -> OccurrenceQuerySet:
        return self.filter(article__isnull=False)

    def rejected(self) -> OccurrenceQuerySet:
        return self.filter(article__isnull=True)


class Occurrence(models.Model):
    """One block of one dump file, exactly as read: an article's occurrence, or a rejected block."""

    file = models.ForeignKey(DumpFile, on_delete=models.PROTECT, related_name="blocks")
    position = models.PositiveIntegerField(help_text="Index of the block in its file, from 0.")
    line = models.PositiveIntegerField(help_text="Line of the file where the block starts.")
    raw = models.TextField()
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.PROTECT, related_name="occurrences"
    )
    rejection_reason = models.TextField(blank=True)
    rejection_line = models.PositiveIntegerField(null=True, blank=True)

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        ordering = ["file", "position"]
        constraints = [
            models.UniqueConstraint(fields=["file", "position"], name="occurrence_unique_position"),
            models.CheckConstraint(
                condition=(Q(article__isnull=False) & Q(rejection_reason=""))
                | (Q(article__isnull=True) & ~Q(rejection_reason="")),
                name="occurrence_article_or_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file.path}:{self.line}"

    @property
    def is_rejected(self) -> bool:
        return self.article_id is None


class RegionSuggestion(models.Model):
    """A region the suggester proposes for an article, with its evidence, until an editor
    decides. A rejected suggestion stays, so that it is never proposed again."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="region_suggestions"
    )
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="suggestions")
    score = models.FloatField()
    # [{"name": "Benghazi", "field": "body", "start": 120, "end": 128}, ...]
    evidence = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "region__name"]
        constraints = [
            models.UniqueConstraint(fields=["article", "region"], name="regionsuggestion_unique"),
        ]
        indexes = [
            models.Index(fields=["status", "region"], name="regionsuggestion_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.region} ({self.score:.2f})"

    def decide(self, *, status: str, user) -> None:
        self.status = status
        self.decided_by = user
        self.decided_at = timezone.now()
        self.save(update_fields=["status", "decided_by", "decided_at"])

    def name_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.evidence:
            counts[item["name"]] = counts.get(item["name"], 0) + 1
        return counts


class TagEvent(models.Model):
    """One change to an article's region tags: the history shown on the article page."""

    class Action(models.TextChoices):
        ADDED = "added", "Added"
        REMOVED = "removed", "Removed"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="tag_events")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=8, choices=Action.choices)
    method = models.CharField(max_length=12, choices=RegionTag.Method.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["article", "-at"], name="tagevent_article_idx")]

    def __str__(self) -> str:
        return f"{self.region} {self.action} on {self.article_id}"
