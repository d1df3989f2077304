"""The stored side of the near-duplicate engine: band keys per article and the lookup on them.

``articles.neardup`` turns an article's text into shingles and about 96 LSH band keys. Here the
keys are written (``COPY`` on PostgreSQL, ``executemany`` on SQLite: hundreds of thousands of rows
per import batch are too many for model instances) and looked up with one indexed join per batch
of articles, whose cost follows the number of matching rows, not the size of the archive.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from django.db import connection
from django.utils import timezone

from articles import neardup
from articles.utils import chunked
from duplicates import engine
from duplicates.engine import Sketch, paragraphs_of, text_hash
from duplicates.models import ArticleSketch, BandKey

DELETE_CHUNK = 5000


class HasText(Protocol):
    pk: int
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class ArticleText:
    """What the engine reads of an article: its id, title and body (paragraphs separated by a
    blank line, as ``Article.body`` stores them)."""

    pk: int
    title: str
    body: str

    @property
    def paragraphs(self) -> list[str]:
        return paragraphs_of(self.body)

    @property
    def text(self) -> str:
        return neardup.article_text(self.title, self.paragraphs)


def as_text(article: HasText) -> ArticleText:
    if isinstance(article, ArticleText):
        return article
    return ArticleText(article.pk, article.title, article.body)


def text_of(article: HasText) -> str:
    return engine.text_of(article.title, article.body)


def compute_sketch(article: HasText) -> Sketch:
    return engine.sketch_of(article.title, article.body)


def stored_sketch_state(article_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """``{article id: (version, text hash)}`` for the articles that have stored keys."""
    state: dict[int, tuple[int, int]] = {}
    for chunk in chunked(article_ids, DELETE_CHUNK):
        state.update(
            (pk, (version, digest))
            for pk, version, digest in ArticleSketch.objects.filter(
                article_id__in=chunk
            ).values_list("article_id", "version", "text_hash")
        )
    return state


def is_current(state: tuple[int, int] | None, sketch: Sketch) -> bool:
    return state is not None and state == (neardup.SKETCH_VERSION, sketch.text_hash)


def store_sketches(*, sketches: dict[int, Sketch], replace: bool = True) -> int:
    """Write the band keys of ``{article id: sketch}``; with ``replace``, the articles' stored
    keys are deleted first (for articles just created there are none: pass ``replace=False``).
    Returns the number of key rows written. Call inside a transaction."""
    if not sketches:
        return 0
    ids = list(sketches)
    if replace:
        delete_band_rows(ids)
    record_sketched(sketches)
    rows = [(pk, band, key) for pk, sketch in sketches.items() for band, key in sketch.keys]
    insert_band_rows(rows)
    return len(rows)


def record_sketched(sketches: dict[int, Sketch]) -> None:
    """Which text (and sketch version) each article's stored band keys were computed from."""
    now = timezone.now()
    ArticleSketch.objects.bulk_create(
        [
            ArticleSketch(
                article_id=pk,
                version=neardup.SKETCH_VERSION,
                text_hash=sketch.text_hash,
                sketched_at=now,
            )
            for pk, sketch in sketches.items()
        ],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["version", "text_hash", "sketched_at"],
    )


def ensure_sketches(*, articles: Iterable[HasText]) -> int:
    """Store keys for those of ``articles`` whose stored keys are missing or not current (an
    article brought back by an undo after a rebuild, say). Returns how many were stored."""
    texts = {a.pk: as_text(a) for a in articles}
    state = stored_sketch_state(texts)
    stale = {}
    for pk, text in texts.items():
        known = state.get(pk)
        if known is None or known != (neardup.SKETCH_VERSION, text_hash(text.text)):
            stale[pk] = compute_sketch(text)
    store_sketches(sketches=stale, replace=True)
    return len(stale)


def _table() -> str:
    return connection.ops.quote_name(BandKey._meta.db_table)


def delete_all_band_rows() -> None:
    """Every stored key and sketch, before recomputing all of them. On SQLite, with foreign key
    checks off for the statement (deleting rows that only point elsewhere cannot break one):
    that lets it empty the table at once instead of row by row (2 s, not 40, for 2 million)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            connection.disable_constraint_checking()
            try:
                cursor.execute(f"DELETE FROM {_table()}")
            finally:
                connection.enable_constraint_checking()
        else:
            cursor.execute(f"DELETE FROM {_table()}")
    ArticleSketch.objects.all().delete()


@contextmanager
def large_cache(megabytes: int = 256):
    """On SQLite, a larger page cache for this connection while a whole-archive job writes
    millions of keys (random inserts into the lookup index); the default is 2 MB."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-1024 * int(megabytes)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _lookup_index():
    (index,) = [i for i in BandKey._meta.indexes if i.name == "dup_bandkey_lookup_idx"]
    return index


def lookup_index_exists() -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT 1 FROM pg_indexes WHERE tablename = %s AND indexname = %s",
                [BandKey._meta.db_table, _lookup_index().name],
            )
        else:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = %s",
                [_lookup_index().name],
            )
        return cursor.fetchone() is not None


def ensure_lookup_index() -> None:
    """Put the lookup index back if a bulk load was interrupted before it could."""
    if not lookup_index_exists():
        with connection.schema_editor(atomic=False) as editor:
            editor.add_index(BandKey, _lookup_index())


@contextmanager
def without_lookup_index():
    """For a bulk load of keys (a rebuild): without the lookup index while millions of rows go
    in, then the index built once, from sorted rows. That is two to three times faster than
    keeping it up to date row by row. Meanwhile imports store their keys but find no pairs
    (``find_candidates_for`` checks); ``find_duplicates --since`` finds them afterwards."""
    with connection.schema_editor(atomic=False) as editor:
        editor.remove_index(BandKey, _lookup_index())
    try:
        yield
    finally:
        ensure_lookup_index()


def delete_band_rows(article_ids: Sequence[int]) -> None:
    with connection.cursor() as cursor:
        for chunk in chunked(article_ids, DELETE_CHUNK):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {_table()} WHERE article_id IN ({marks})", chunk)


def insert_band_rows(rows: Sequence[tuple[int, int, int]]) -> None:
    """Insert ``(article id, band, key)`` rows."""
    if not rows:
        return
    # In the lookup index's order: the random keys then land on the index's pages in one sweep,
    # which takes about a third less time on an archive of 100,000 articles.
    rows = sorted(rows, key=lambda row: (row[1], row[2]))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {_table()} (article_id, band, key) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {_table()} (article_id, band, key) VALUES (%s, %s, %s)", rows
            )


LOOKUP_CHUNK = 1000  # article ids per lookup statement


def pairs_sharing_keys(article_ids: Iterable[int]) -> set[tuple[int, int]]:
    """Every pair ``(a, b)``, ``a < b``, of one of ``article_ids`` and another article with
    which it shares a stored band key. The articles' own keys must be stored: one statement per
    thousand articles reads their rows by the primary key and probes the lookup index
    (``dup_bandkey_lookup_idx``, which covers it) with each, so its cost follows the number of
    matching rows, not the size of the archive."""
    table = _table()
    if connection.vendor == "postgresql":
        # The LATERAL subquery (kept apart by OFFSET 0) makes it one index probe per key,
        # whatever the planner thinks of the tables' sizes: never a hash join over the table.
        join = (
            f"CROSS JOIN LATERAL (SELECT article_id FROM {table} "
            f"WHERE band = n.band AND key = n.key OFFSET 0) AS o"
        )
    else:
        # CROSS JOIN makes SQLite loop over the articles' rows and probe the index for each.
        join = f"CROSS JOIN {table} AS o ON o.band = n.band AND o.key = n.key"
    pairs: set[tuple[int, int]] = set()
    with connection.cursor() as cursor:
        for chunk in chunked(sorted(set(article_ids)), LOOKUP_CHUNK):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT DISTINCT n.article_id, o.article_id FROM {table} AS n {join} "
                f"WHERE n.article_id IN ({marks}) AND o.article_id <> n.article_id",
                chunk,
            )
            pairs.update((a, b) if a < b else (b, a) for a, b in cursor.fetchall())
    return pairs


def band_rows(band: int) -> tuple[np.ndarray, np.ndarray]:
    """Every stored key of one band in key order, as ``(keys, article ids)`` arrays: the
    whole-archive pairing reads the archive one band at a time, from the index alone."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT key, article_id FROM {_table()} WHERE band = %s ORDER BY key, article_id",
            [band],
        )
        rows = cursor.fetchall()
    if not rows:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    array = np.array(rows, dtype=np.int64)
    return array[:, 0], array[:, 1]
