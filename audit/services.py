"""Recording corrections: a snapshot of an object before it is saved, then the fields that
differ after, one ``Correction`` per field.

    before = snapshot(caption)          # from the database, before the save
    ...save...
    record_changes(user=request.user, instance=caption, before=before, after=snapshot(caption))

Only editable fields are compared: derived ones (``caption_text``, ``fingerprint``, timestamps,
alias keys) follow from them. Values are kept as the text an editor reads (a source's name, a
choice's label), as they were at the time.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from articles.models import Article, ArticleSource, Caption, RegionTag, Source, SourceAlias
from audit.models import Correction

Snapshot = dict[str, object]


def audited_fields(model) -> list[models.Field]:
    return [
        field for field in model._meta.concrete_fields if field.editable and not field.primary_key
    ]


def snapshot(instance: models.Model | None) -> Snapshot | None:
    """The editable field values of ``instance`` (foreign keys as ids)."""
    if instance is None:
        return None
    return {field.attname: getattr(instance, field.attname) for field in audited_fields(instance)}


def stored_snapshots(model, pks) -> dict[int, Snapshot]:
    """Snapshots of the rows as they are in the database (before a form's values are saved)."""
    pks = [pk for pk in pks if pk is not None]
    if not pks:
        return {}
    return {pk: snapshot(obj) for pk, obj in model._default_manager.in_bulk(pks).items()}


def owners(model, values: Snapshot) -> dict[str, int | None]:
    """Which article's and which source's history a change of this object belongs to."""
    if model is Article:
        return {"article_id": values.get("pk"), "source_id": None}
    if model in (Caption, ArticleSource, RegionTag):
        return {"article_id": values.get("article_id"), "source_id": None}
    if model is Source:
        return {"article_id": None, "source_id": values.get("pk")}
    if model is SourceAlias:
        return {"article_id": None, "source_id": values.get("source_id")}
    return {"article_id": None, "source_id": None}


@transaction.atomic
def record_changes(
    *,
    user,
    instance: models.Model,
    before: Snapshot | None,
    after: Snapshot | None,
    object_id: int | None = None,
    via: str = "admin",
    at: datetime | None = None,
) -> list[Correction]:
    """Record how ``instance`` changed from ``before`` to ``after``: added when there is no
    ``before``, deleted when there is no ``after``. ``object_id`` is needed for a deleted
    object (Django clears its pk). Returns the rows written (none when nothing changed)."""
    model = type(instance)
    object_id = object_id if object_id is not None else instance.pk
    if before is None:
        action = Correction.Action.CREATED
    elif after is None:
        action = Correction.Action.DELETED
    else:
        action = Correction.Action.CHANGED
    before_values, after_values = before or {}, after or {}
    rows = []
    for field in audited_fields(model):
        old = before_values.get(field.attname)
        new = after_values.get(field.attname)
        if action == Correction.Action.CHANGED and old == new:
            continue
        old_text, new_text = display(field, old), display(field, new)
        if old_text == new_text:
            continue  # e.g. an empty field of an object added or deleted
        rows.append((field.name, old_text, new_text))
    if not rows:
        return []
    linked = owners(model, {"pk": object_id, **(after_values or before_values)})
    common = {
        "at": at or timezone.now(),
        "user": user if getattr(user, "is_authenticated", False) else None,
        "via": via,
        "action": action,
        "content_type": ContentType.objects.get_for_model(model),
        "object_id": object_id,
        "object_repr": str(instance)[:200],
        **linked,
    }
    return Correction.objects.bulk_create(
        [Correction(field=name, before=old, after=new, **common) for name, old, new in rows]
    )


def display(field: models.Field, value) -> str:
    """``value`` of ``field`` as an editor reads it."""
    if value is None or value == "":
        return ""
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value} (deleted)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)
