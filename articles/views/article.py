"""The article page: the text with its captions, sources, regions, suggestions, provenance and
history of corrections."""

from django.shortcuts import get_object_or_404, redirect, render

from articles.highlight import evidence_spans, mark_spans
from articles.models import Article, Caption, Region, RegionSuggestion, Source
from audit.history import article_history


def article_detail(request, pk: int):
    article = get_object_or_404(Article, pk=pk)
    if article.status == Article.Status.MERGED:
        return redirect(article.survivor())
    captions = list(Caption.objects.filter(article=article).select_related("agency", "distributor"))
    region_tags = list(article.region_tags.select_related("region", "applied_by"))
    tagged = {tag.region_id for tag in region_tags}
    suggestions = [
        s
        for s in article.region_suggestions.filter(status=RegionSuggestion.Status.OPEN)
        .select_related("region")
        .order_by("-score")
        if s.region_id not in tagged
    ]
    spans = evidence_spans(suggestions)
    caption_offsets = _line_offsets([c.text for c in captions])
    for caption, offset in zip(captions, caption_offsets, strict=True):
        caption.marked = mark_spans(
            caption.text,
            [(s - offset, e - offset, label) for s, e, label in spans["caption"]],
        )
    return render(
        request,
        "articles/detail.html",
        {
            "article": article,
            "marked_title": mark_spans(article.title, spans["title"]),
            "marked_paragraphs": _marked_paragraphs(article.body, spans["body"]),
            "captions": captions,
            "sources_by_role": group_by_role(
                article.source_links.select_related("source").order_by("role", "source__name")
            ),
            "region_tags": region_tags,
            "suggestions": suggestions,
            "untagged_regions": Region.objects.exclude(pk__in=tagged),
            "history": article_history(article),
            "occurrences": article.occurrences.select_related("file__run").order_by(
                "file__run", "file"
            ),
            "can_tag": request.user.has_perm("articles.tag_articles"),
        },
    )


def _line_offsets(lines: list[str]) -> list[int]:
    """Where each caption starts in the captions joined by newlines (the suggester's view)."""
    offsets, position = [], 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1
    return offsets


def _marked_paragraphs(body: str, spans) -> list:
    marked, position = [], 0
    for paragraph in body.split("\n\n"):
        end = position + len(paragraph)
        inside = [
            (s - position, e - position, label) for s, e, label in spans if position <= s < end
        ]
        if paragraph.strip():
            marked.append(mark_spans(paragraph, inside))
        position = end + 2
    return marked


def group_by_role(links) -> list[tuple[str, list[Source]]]:
    grouped: dict[str, list[Source]] = {}
    for link in links:
        grouped.setdefault(link.get_role_display(), []).append(link.source)
    return list(grouped.items())
