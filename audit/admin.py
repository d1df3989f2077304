"""The audit in the admin: ``AuditedAdmin`` records what editors change through a ModelAdmin
and its inlines; ``CorrectionAdmin`` lists the record, read-only."""

from __future__ import annotations

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from audit.models import Correction
from audit.services import record_changes, snapshot, stored_snapshots


class AuditedAdmin:
    """Mix into a ModelAdmin: every object it (or one of its inlines) adds, changes or deletes
    is recorded as ``Correction`` rows, field by field, with the editor and the values before and
    after. The admin saves inside one transaction, so the record and the change go together."""

    def save_model(self, request, obj, form, change):
        # The form has already put its values on ``obj``: what was there before is read back.
        before = stored_snapshots(type(obj), [obj.pk]).get(obj.pk) if change else None
        super().save_model(request, obj, form, change)
        record_changes(user=request.user, instance=obj, before=before, after=snapshot(obj))

    def save_formset(self, request, form, formset, change):
        initial = [inline_form.instance for inline_form in formset.initial_forms]
        before = stored_snapshots(formset.model, [obj.pk for obj in initial])
        pk_of = {id(obj): obj.pk for obj in initial}  # a deleted object loses its pk
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            record_changes(user=request.user, instance=obj, before=None, after=snapshot(obj))
        for obj, _fields in formset.changed_objects:
            record_changes(
                user=request.user, instance=obj, before=before.get(obj.pk), after=snapshot(obj)
            )
        for obj in formset.deleted_objects:
            pk = pk_of.get(id(obj))
            record_changes(
                user=request.user, instance=obj, before=before.get(pk), after=None, object_id=pk
            )

    def delete_model(self, request, obj):
        pk, before = obj.pk, snapshot(obj)
        super().delete_model(request, obj)
        record_changes(user=request.user, instance=obj, before=before, after=None, object_id=pk)

    def delete_queryset(self, request, queryset):
        doomed = [(obj, obj.pk, snapshot(obj)) for obj in queryset]
        super().delete_queryset(request, queryset)
        for obj, pk, before in doomed:
            record_changes(user=request.user, instance=obj, before=before, after=None, object_id=pk)


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "user",
        "action",
        "changed_model",
        "object_link",
        "field_name",
        "short_before",
        "short_after",
        "article_link",
        "via",
    ]
    list_filter = [
        ("content_type", admin.RelatedOnlyFieldListFilter),
        ("user", admin.RelatedOnlyFieldListFilter),
        "action",
        "at",
        "via",
    ]
    search_fields = ["object_repr", "field", "before", "after", "user__username"]
    date_hierarchy = "at"
    list_select_related = ["user", "content_type"]
    list_per_page = 50
    show_full_result_count = False
    fields = [
        ("at", "user", "via"),
        ("action", "changed_model", "object_link"),
        "field_name",
        "before",
        "after",
        "article_link",
    ]
    readonly_fields = ["at", "user", "via", "action", "changed_model", "object_link", "field_name"]
    readonly_fields += ["before", "after", "article_link"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # Not "model": that is the ModelAdmin's own attribute, the Correction class.
    @admin.display(description="model", ordering="content_type")
    def changed_model(self, correction):
        return correction.model_label

    @admin.display(description="field", ordering="field")
    def field_name(self, correction):
        return correction.field_label

    @admin.display(description="object")
    def object_link(self, correction):
        ct = correction.content_type
        try:
            url = reverse(f"admin:{ct.app_label}_{ct.model}_change", args=[correction.object_id])
        except NoReverseMatch:
            return correction.object_repr
        return format_html('<a href="{}">{}</a>', url, Truncator(correction.object_repr).chars(60))

    @admin.display(description="before")
    def short_before(self, correction):
        return Truncator(correction.before).chars(80)

    @admin.display(description="after")
    def short_after(self, correction):
        return Truncator(correction.after).chars(80)

    @admin.display(description="article")
    def article_link(self, correction):
        if correction.article_id is None:
            return "—"
        url = reverse("articles:detail", args=[correction.article_id])
        return format_html('<a href="{}#history-heading">#{}</a>', url, correction.article_id)
