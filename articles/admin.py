"""The admin is where editors correct mistakes by hand; provenance is shown, never edited.
Every correction is recorded (``audit.admin.AuditedAdmin``) and shown on the article page."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from articles.models import (
    Article,
    ArticleSource,
    Caption,
    DumpFile,
    ImportRun,
    Occurrence,
    PlaceName,
    Region,
    RegionSuggestion,
    RegionTag,
    Source,
    SourceAlias,
    TagEvent,
)
from articles.services.suggesting import refresh_suggestions
from audit.admin import AuditedAdmin


class PlainNewlinesForm(forms.ModelForm):
    """Browsers post a textarea's line breaks as CRLF; the text is stored with LF, as imported.
    Without this, saving an article unchanged would rewrite its body (and record a correction)."""

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str) and "\r" in value:
                cleaned[name] = value.replace("\r\n", "\n").replace("\r", "\n")
        return cleaned


class ReadOnlyAdminMixin:
    """For provenance: what was read stays as it was read."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaptionInline(admin.StackedInline):
    model = Caption
    form = PlainNewlinesForm
    extra = 0
    fields = [
        "position",
        "text",
        ("credit", "is_file_photo"),
        ("agency", "photographer", "distributor"),
    ]
    autocomplete_fields = ["agency", "distributor"]


class RegionTagInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Tags are changed on the article page, where every change goes into the tag history."""

    model = RegionTag
    extra = 0
    fields = ["region", "method", "applied_by", "applied_at", "note"]
    readonly_fields = fields


class ArticleSourceInline(admin.TabularInline):
    model = ArticleSource
    extra = 0
    autocomplete_fields = ["source"]


class OccurrenceInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Occurrence
    extra = 0
    fields = ["file_link", "position", "line"]
    readonly_fields = ["file_link", "position", "line"]
    show_change_link = True

    @admin.display(description="file")
    def file_link(self, occurrence):
        url = reverse("admin:articles_dumpfile_change", args=[occurrence.file_id])
        return format_html('<a href="{}">{}</a>', url, occurrence.file.path)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("file")


@admin.register(Article)
class ArticleAdmin(AuditedAdmin, admin.ModelAdmin):
    form = PlainNewlinesForm
    list_display = ["title", "status", "publisher_names", "occurrence_count", "created_at"]
    list_filter = ["status", "created_at", "region_tags__region", "source_links__source"]
    search_fields = ["title", "body", "captions__text"]
    date_hierarchy = "created_at"
    readonly_fields = ["fingerprint", "created_at", "updated_at", "status", "merged_into"]
    fields = [
        "title",
        "body",
        "published_at",
        ("status", "merged_into"),
        ("created_at", "updated_at"),
        "fingerprint",
    ]
    inlines = [CaptionInline, ArticleSourceInline, RegionTagInline, OccurrenceInline]
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(occurrence_count=Count("occurrences", distinct=True))
            .prefetch_related("source_links__source")
        )

    @admin.display(description="publisher")
    def publisher_names(self, article):
        return ", ".join(
            link.source.name
            for link in article.source_links.all()
            if link.role == ArticleSource.Role.PUBLISHER
        )

    @admin.display(description="occurrences", ordering="occurrence_count")
    def occurrence_count(self, article):
        return article.occurrence_count

    def has_add_permission(self, request):
        # Articles come from dumps, so that every one of them has its provenance.
        return False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The text (or its captions) may have changed: the evidence offsets with it.
        refresh_suggestions(articles=Article.objects.filter(pk=form.instance.pk))

    def has_delete_permission(self, request, obj=None):
        # Nothing is lost: duplicates are merged, never deleted.
        return False


@admin.register(Caption)
class CaptionAdmin(AuditedAdmin, admin.ModelAdmin):
    form = PlainNewlinesForm
    list_display = ["short_text", "credit", "agency", "photographer", "distributor", "article"]
    list_filter = ["agency", "distributor", "is_file_photo"]
    search_fields = ["text", "credit", "photographer"]
    autocomplete_fields = ["agency", "distributor"]
    raw_id_fields = ["article"]
    list_select_related = ["article", "agency", "distributor"]

    @admin.display(description="caption")
    def short_text(self, caption):
        return caption.text[:100]


class SourceAliasInline(admin.TabularInline):
    model = SourceAlias
    extra = 1
    fields = ["alias"]


@admin.register(Source)
class SourceAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "full_name", "kind", "article_count"]
    list_filter = ["kind"]
    search_fields = ["name", "full_name", "aliases__alias"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SourceAliasInline]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(article_count=Count("articles", distinct=True))
        )

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, source):
        return source.article_count


@admin.register(SourceAlias)
class SourceAliasAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["alias", "source"]
    search_fields = ["alias", "source__name"]
    autocomplete_fields = ["source"]


class PlaceNameInline(admin.TabularInline):
    model = PlaceName
    extra = 1


@admin.register(Region)
class RegionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name", "place_names__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PlaceNameInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("tags", distinct=True))

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, region):
        return region.article_count


@admin.register(PlaceName)
class PlaceNameAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "region"]
    list_filter = ["region"]
    search_fields = ["name"]


@admin.register(RegionTag)
class RegionTagAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["article", "region", "method", "applied_by", "applied_at"]
    list_filter = ["region", "method", "applied_at"]
    search_fields = ["article__title", "note"]
    raw_id_fields = ["article", "applied_by"]
    list_select_related = ["article", "region", "applied_by"]


class DumpFileInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DumpFile
    extra = 0
    fields = [
        "path",
        "status",
        "size",
        "blocks_read",
        "articles_created",
        "articles_seen_again",
        "blocks_rejected",
        "message",
    ]
    readonly_fields = fields
    show_change_link = True


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "status",
        "publisher",
        "started_by",
        "files_read",
        "blocks_read",
        "articles_created",
        "articles_seen_again",
        "blocks_rejected",
    ]
    list_filter = ["status", "publisher", "started_at"]
    inlines = [DumpFileInline]


class OccurrenceOfFileInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Occurrence
    extra = 0
    fields = ["position", "line", "article", "rejection_reason"]
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = "blocks"


@admin.register(DumpFile)
class DumpFileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["path", "run", "status", "size", "blocks_read", "blocks_rejected", "sha256"]
    list_filter = ["status"]
    search_fields = ["path", "sha256"]
    inlines = [OccurrenceOfFileInline]


@admin.register(Occurrence)
class OccurrenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "position", "article", "rejection_reason"]
    list_filter = [("article", admin.EmptyFieldListFilter), "file__run"]
    search_fields = ["raw", "rejection_reason", "file__path"]
    list_select_related = ["file", "article"]
    fields = ["file", "position", "line", "article", "rejection_reason", "rejection_line", "raw"]


@admin.register(RegionSuggestion)
class RegionSuggestionAdmin(admin.ModelAdmin):
    list_display = ["article", "region", "score", "status", "decided_by", "decided_at"]
    list_filter = ["status", "region"]
    search_fields = ["article__title"]
    raw_id_fields = ["article", "decided_by"]
    readonly_fields = ["evidence", "created_at"]
    list_select_related = ["article", "region", "decided_by"]


@admin.register(TagEvent)
class TagEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "article", "region", "action", "method", "user", "note"]
    list_filter = ["action", "method", "region", "at"]
    search_fields = ["article__title", "note", "user__username"]
    list_select_related = ["article", "region", "user"]
