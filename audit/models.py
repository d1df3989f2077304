"""One row per field an editor changed: who, when, where, which object, the values before and
after, as text.

Rows are written by ``audit.services`` from the places editors correct things (the admin,
through ``audit.admin.AuditedAdmin``), never from model signals: the bulk import and bulk
tagging write with ``bulk_create`` and stay as fast as they were, and imports are not
corrections (their provenance is ``ImportRun``/``DumpFile``/``Occurrence``). Region tags added and
removed on the pages are ``TagEvent`` rows and merges are ``MergeRecord`` rows; the article's
history (``audit.history``) shows them alongside, rather than copying them here.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone


class CorrectionQuerySet(models.QuerySet):
    def about_article(self, article, *, source_ids=()) -> CorrectionQuerySet:
        """Changes to the article itself, its captions and source links, and to the sources it
        links to (a source's name or aliases)."""
        pk = getattr(article, "pk", article)
        condition = Q(article_id=pk)
        if source_ids:
            condition |= Q(source_id__in=list(source_ids))
        return self.filter(condition)

    def newest_first(self) -> CorrectionQuerySet:
        return self.order_by("-at", "-id")


class Correction(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", "Added"
        CHANGED = "changed", "Changed"
        DELETED = "deleted", "Deleted"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=20, default="admin", help_text="Where the change was made.")
    action = models.CharField(max_length=8, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=200)
    # The article and the source the changed object belongs to, for their histories. No
    # database constraint: a history outlives what it describes.
    article = models.ForeignKey(
        "articles.Article",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    source = models.ForeignKey(
        "articles.Source",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    field = models.CharField(max_length=100)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["article", "-at"], name="correction_article_idx"),
            models.Index(fields=["source", "-at"], name="correction_source_idx"),
            models.Index(fields=["content_type", "object_id"], name="correction_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.object_repr}: {self.field_label} {self.get_action_display().lower()}"

    @property
    def model_label(self) -> str:
        model = self.content_type.model_class()
        return model._meta.verbose_name if model else self.content_type.model

    @property
    def field_label(self) -> str:
        model = self.content_type.model_class()
        try:
            return str(model._meta.get_field(self.field).verbose_name)
        except (AttributeError, FieldDoesNotExist):
            return self.field
