"""CSV and JSON exports of a whole result set, streamed in chunks so memory stays flat."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.html import strip_tags

from articles.models import Article, ArticleSource
from articles.search.backends import get_backend
from articles.search.query import SearchQuery

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
COLUMNS = ["id", "title", "url", "snippet", "regions", "sources", "publisher", "imported_at"]
CHUNK = 500


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream(fmt: str, queryset, query: SearchQuery, request) -> StreamingHttpResponse:
    rows = export_rows(queryset, query, request)
    body = _csv_lines(rows) if fmt == "csv" else _json_chunks(rows)
    response = StreamingHttpResponse(body, content_type=FORMATS[fmt])
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="newsroom-articles-{stamp}.{fmt}"'
    return response


def export_rows(queryset, query: SearchQuery, request) -> Iterator[dict]:
    backend = get_backend()
    chunk: list[Article] = []
    for article in queryset.iterator(chunk_size=CHUNK):
        chunk.append(article)
        if len(chunk) == CHUNK:
            yield from _rows(chunk, query, backend, request)
            chunk = []
    yield from _rows(chunk, query, backend, request)


def _rows(articles: list[Article], query: SearchQuery, backend, request) -> Iterable[dict]:
    if not articles:
        return
    snippets = backend.snippets(articles, query)
    for article in articles:
        links = list(article.source_links.all())
        yield {
            "id": article.pk,
            "title": article.title,
            "url": request.build_absolute_uri(article.get_absolute_url()),
            "snippet": strip_tags(snippets.get(article.pk) or article.lead),
            "regions": [tag.region.name for tag in article.region_tags.all()],
            "sources": sorted(
                {link.source.name for link in links if link.role != ArticleSource.Role.PUBLISHER}
            ),
            "publisher": ", ".join(
                link.source.name for link in links if link.role == ArticleSource.Role.PUBLISHER
            ),
            "imported_at": article.created_at.isoformat(),
        }


def _csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for row in rows:
        yield writer.writerow(
            [
                "; ".join(value) if isinstance(value, list) else value
                for value in (row[column] for column in COLUMNS)
            ]
        )


def _json_chunks(rows: Iterable[dict]) -> Iterator[str]:
    yield "["
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]\n"
