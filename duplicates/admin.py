"""The duplicates in the admin: for looking things up. Decisions are made on the duplicates pages,
where they are recorded with who and why and can be undone; here everything is read-only."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from duplicates.models import ArticleSketch, DuplicateCandidate, MergeRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "similarity", "found_at", "decided_by", "decided_at"]
    list_filter = ["status", "found_at", "decided_at"]
    list_select_related = ["decided_by"]
    search_fields = ["=article_a__id", "=article_b__id", "article_a__title", "article_b__title"]
    raw_id_fields = ["article_a", "article_b"]
    readonly_fields = ["compare_page"]
    show_full_result_count = False

    @admin.display(description="compare page")
    def compare_page(self, candidate):
        url = reverse("duplicates:compare", args=[candidate.pk])
        return format_html('<a href="{}">{}</a>', url, url)


@admin.register(MergeRecord)
class MergeRecordAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "user", "at", "undone_by", "undone_at"]
    list_filter = ["at", "undone_at"]
    list_select_related = ["user", "undone_by"]
    search_fields = ["=survivor__id", "=merged__id", "reason", "undo_reason"]
    raw_id_fields = ["survivor", "merged", "candidate"]
    date_hierarchy = "at"


@admin.register(ArticleSketch)
class ArticleSketchAdmin(ReadOnlyAdmin):
    list_display = ["article_id", "version", "sketched_at"]
    list_filter = ["version"]
    search_fields = ["=article__id"]
    raw_id_fields = ["article"]
    show_full_result_count = False
