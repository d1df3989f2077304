"""Finding candidate pairs: for new articles (at import), and for the whole archive.

A pair becomes a candidate as ``articles.neardup`` decides it: the two articles share a stored
band key, and the exact similarity of their shingles reaches ``neardup.CANDIDATE_THRESHOLD``.
The other article's shingles are recomputed from its text (half a millisecond), so only band keys
are stored. Only active articles are paired. A pair already stored is never touched again: an
open pair stays open, and a "not a duplicate" decision sticks.

New articles (the import's hook, ``find_duplicates --since``): their keys are stored, then one
indexed lookup per batch finds every article sharing one; the cost per article follows the
number of articles that share a key with it, not the size of the archive.

The whole archive (``find_duplicates``): one pass computes every active article's shingles
(in worker processes; into a temporary file, read back through a memory map, so memory stays
flat) and stores the keys that are missing or out of date; then the pairs sharing a key are read
off the index one band at a time (no comparison of every pair), checked exactly, explained and
stored.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from articles import neardup
from articles.models import Article
from articles.utils import chunked
from articles.workers import Workers
from duplicates import engine
from duplicates.models import ArticleSketch, BandKey, DuplicateCandidate
from duplicates.services import sketches as store
from duplicates.services.sketches import ArticleText, Sketch

logger = logging.getLogger(__name__)

FETCH_CHUNK = 500
# A whole-archive run computes in worker processes from this many articles.
PARALLEL_MIN_ARTICLES = 5000
# ... and loads keys without the lookup index when this many articles (and half) need keys.
BULK_MIN_ARTICLES = 20_000


class Progress:
    """What long jobs report to: a phase with a total, then steps. The command shows a bar."""

    def phase(self, name: str, total: int) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass


# ---------------------------------------------------------------------------------------------
# New articles


def on_articles_imported(
    articles: Sequence[Article], sketches: Mapping[int, Sketch] | None = None
) -> int:
    """The import's hook: sketch the articles it just created (unless their ``sketches`` by
    article id were computed already), store their band keys and record their candidate pairs
    (with each other and with the archive). Returns how many pairs were recorded. Runs inside
    the import's transaction: a file imported is sketched with it, or not at all.

    A failure here never fails the import: it is logged, its writes are rolled back to a
    savepoint, and ``find_duplicates --since`` catches up on the articles later."""
    try:
        return len(find_candidates_for(articles=articles, new=True, sketches=sketches))
    except Exception:
        logger.exception(
            "Near-duplicate detection failed for %d new articles; the import goes on. "
            "Run manage.py find_duplicates --since <date> to find their pairs.",
            len(articles),
        )
        return 0


@transaction.atomic
def find_candidates_for(
    *,
    articles: Iterable[Article | ArticleText],
    new: bool = False,
    sketches: Mapping[int, Sketch] | None = None,
) -> list[DuplicateCandidate]:
    """Store current band keys for ``articles`` and record every candidate pair they are part
    of. ``new`` says the articles were just created (no keys, no pairs stored yet), which saves
    the checks; ``sketches`` gives those already computed, by article id. Returns the pairs
    recorded (not those already stored)."""
    texts = {a.pk: store.as_text(a) for a in articles if _is_active(a)}
    if not texts:
        return []
    computed = sketches or {}
    sketches = {pk: computed.get(pk) or store.compute_sketch(text) for pk, text in texts.items()}
    if new:
        store.store_sketches(sketches=sketches, replace=False)
    else:
        state = store.stored_sketch_state(sketches)
        stale = {pk: s for pk, s in sketches.items() if not store.is_current(state.get(pk), s)}
        store.store_sketches(sketches=stale, replace=True)
    if not store.lookup_index_exists():
        # A rebuild is loading keys without the index: a lookup would read the whole table.
        logger.warning(
            "find_duplicates is rebuilding the band keys: %d new articles will be paired by "
            "the next run of find_duplicates --since.",
            len(texts),
        )
        return []
    pairs = store.pairs_sharing_keys(sketches)
    if not new:
        pairs -= _stored_pairs(texts)
    return _record(pairs, texts, {pk: s.shingles for pk, s in sketches.items()})


def _is_active(article) -> bool:
    return getattr(article, "status", Article.Status.ACTIVE) == Article.Status.ACTIVE


def _stored_pairs(texts: dict[int, ArticleText]) -> set[tuple[int, int]]:
    stored: set[tuple[int, int]] = set()
    for chunk in chunked(list(texts), FETCH_CHUNK):
        for field_name in ("article_a_id__in", "article_b_id__in"):
            stored.update(
                DuplicateCandidate.objects.filter(**{field_name: chunk}).values_list(
                    "article_a_id", "article_b_id"
                )
            )
    return stored


def _fetch_texts(ids: Iterable[int]) -> dict[int, ArticleText]:
    """Title and body of the active articles among ``ids``."""
    texts: dict[int, ArticleText] = {}
    for chunk in chunked(sorted(ids), FETCH_CHUNK):
        for pk, title, body in (
            Article.objects.active().filter(pk__in=chunk).values_list("pk", "title", "body")
        ):
            texts[pk] = ArticleText(pk, title, body)
    return texts


def _record(
    pairs: set[tuple[int, int]],
    texts: dict[int, ArticleText],
    shingles: dict[int, np.ndarray],
) -> list[DuplicateCandidate]:
    """Verify ``pairs`` with the exact similarity and store those that reach the threshold."""
    others = {pk for pair in pairs for pk in pair} - texts.keys()
    texts = {**texts, **_fetch_texts(others)}
    candidates = []
    for a, b in sorted(pairs):
        if a not in texts or b not in texts:
            continue  # merged meanwhile: only active articles are paired
        for pk in (a, b):
            if pk not in shingles:
                shingles[pk] = neardup.shingle_array(texts[pk].text)
        score = neardup.similarity(shingles[a], shingles[b])
        if score >= neardup.CANDIDATE_THRESHOLD:
            candidates.append(new_candidate(texts[a], texts[b], score))
    return save_candidates(candidates)


def new_candidate(a: ArticleText, b: ArticleText, score: float) -> DuplicateCandidate:
    """An unsaved pair, with why: the passages the two texts share."""
    return DuplicateCandidate(
        article_a_id=a.pk,
        article_b_id=b.pk,
        similarity=round(score, 4),
        passages=passages_between(a, b),
    )


def passages_between(a: ArticleText, b: ArticleText) -> list[dict]:
    return engine.passages(a.title, a.body, b.title, b.body)


def save_candidates(candidates: list[DuplicateCandidate]) -> list[DuplicateCandidate]:
    """Insert the pairs not stored yet; a stored pair (whatever its status) is left alone."""
    if not candidates:
        return []
    now = timezone.now()
    for candidate in candidates:
        candidate.found_at = now
    keys = [(c.article_a_id, c.article_b_id) for c in candidates]
    DuplicateCandidate.objects.bulk_create(candidates, ignore_conflicts=True, batch_size=500)
    # ignore_conflicts leaves the primary keys unset: read back the rows this call created.
    created = []
    by_pair = {key: c for key, c in zip(keys, candidates, strict=True)}
    for chunk in chunked(keys, FETCH_CHUNK):
        a_ids = {a for a, _ in chunk}
        for row in DuplicateCandidate.objects.filter(article_a_id__in=a_ids, found_at=now):
            if (row.article_a_id, row.article_b_id) in by_pair:
                created.append(row)
    return sorted(created, key=lambda c: (c.article_a_id, c.article_b_id))


# ---------------------------------------------------------------------------------------------
# The whole archive


@dataclass
class ArchiveReport:
    articles: int = 0
    sketched: int = 0
    pairs_sharing_a_band: int = 0
    pairs_checked: int = 0
    candidates_found: int = 0
    candidates_created: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def find_duplicates(
    *,
    since: date | None = None,
    rebuild: bool = False,
    batch_size: int = 1000,
    workers: int | None = None,
    progress: Progress | None = None,
) -> ArchiveReport:
    """``find_duplicates``: candidates for the whole archive, or for the articles imported
    since ``since`` against the whole archive. With ``rebuild`` every article's keys are
    recomputed (as after a change of the engine; a change of ``neardup.SKETCH_VERSION`` or of an
    article's text is noticed without it). A whole-archive run computes in ``workers`` processes
    (default: one per CPU)."""
    progress = progress or Progress()
    if since is not None:
        return _find_since(since, rebuild, batch_size, progress)
    if workers is None:
        workers = os.cpu_count() or 1
    return _find_in_archive(rebuild, batch_size, progress, workers)


def _find_since(since: date, rebuild: bool, batch_size: int, progress: Progress) -> ArchiveReport:
    report = ArchiveReport()
    store.ensure_lookup_index()
    _ensure_foreign_key()
    # The older articles must have their keys stored to be found.
    report.sketched += _sketch_missing(rebuild, batch_size, progress)
    recent = Article.objects.active().filter(created_at__date__gte=since)
    ids = list(recent.order_by("pk").values_list("pk", flat=True))
    report.articles = len(ids)
    progress.phase("pairing", len(ids))
    for chunk in chunked(ids, batch_size):
        texts = _fetch_texts(chunk)
        created = find_candidates_for(articles=texts.values())
        report.candidates_created += len(created)
        progress.advance(len(chunk))
    report.candidates_found = report.candidates_created
    return report


def _sketch_missing(rebuild: bool, batch_size: int, progress: Progress) -> int:
    """Store keys for the active articles that have none, or keys of another engine version."""
    articles = Article.objects.active()
    if not rebuild:
        current = ArticleSketch.objects.filter(version=neardup.SKETCH_VERSION)
        articles = articles.exclude(pk__in=current.values("article_id"))
    ids = list(articles.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return 0
    progress.phase("sketching", len(ids))
    for chunk in chunked(ids, batch_size):
        texts = _fetch_texts(chunk)
        with transaction.atomic():
            store.store_sketches(
                sketches={pk: store.compute_sketch(t) for pk, t in texts.items()}, replace=True
            )
        progress.advance(len(chunk))
    return len(ids)


class _ShingleFile:
    """Every active article's shingles in a temporary file, read back through a memory map:
    a whole archive's shingles (about 6 kB per article) need not fit in memory."""

    def __init__(self) -> None:
        # Closed (and so deleted) by __exit__.
        self.handle = tempfile.TemporaryFile(prefix="newsroom-shingles-")  # noqa: SIM115
        self.offsets: dict[int, tuple[int, int]] = {}
        self.position = 0
        self.array: np.ndarray | None = None

    def add(self, pk: int, shingles: np.ndarray) -> None:
        data = np.ascontiguousarray(shingles, dtype=np.uint64)
        self.handle.write(data.tobytes())
        self.offsets[pk] = (self.position, data.size)
        self.position += data.size

    def __contains__(self, pk: int) -> bool:
        return pk in self.offsets

    def __getitem__(self, pk: int) -> np.ndarray:
        if self.array is None:
            self.handle.flush()
            if self.position == 0:
                self.array = np.empty(0, dtype=np.uint64)
            else:
                self.array = np.memmap(self.handle, dtype=np.uint64, mode="r")
        start, size = self.offsets[pk]
        return self.array[start : start + size]

    def __enter__(self) -> _ShingleFile:
        return self

    def __exit__(self, *exc_info) -> None:
        self.array = None
        self.handle.close()


def _find_in_archive(
    rebuild: bool, batch_size: int, progress: Progress, workers: int
) -> ArchiveReport:
    report = ArchiveReport()
    clock = time.perf_counter()
    store.ensure_lookup_index()
    _ensure_foreign_key()
    ids = list(Article.objects.active().order_by("pk").values_list("pk", flat=True))
    report.articles = len(ids)
    if rebuild:
        _delete_all_keys()
        known: dict[int, int] = {}
    else:
        known = {
            pk: digest
            for pk, (version, digest) in store.stored_sketch_state(ids).items()
            if version == neardup.SKETCH_VERSION
        }
    parallel = workers > 1 and len(ids) >= PARALLEL_MIN_ARTICLES
    # Most keys to (re)compute, as after an engine change: load them without the lookup index
    # and without foreign key checks, in primary key order.
    missing = len(ids) - len(known)
    bulk = missing >= BULK_MIN_ARTICLES and missing >= len(ids) // 2
    loading = _bulk_loading() if bulk else contextlib.nullcontext()
    with (
        _ShingleFile() as shingle_file,
        # Every article's keys computed here: pair them from these files, not the table.
        _BandFiles() if not known else contextlib.nullcontext() as band_files,
        Workers(workers if parallel else 0) as pool,
        store.large_cache(),
    ):
        # 1. Every active article: its shingles, and its keys stored anew when they are missing,
        #    of another engine version, or computed from a text an editor has since corrected.
        progress.phase("sketching", len(ids))

        def items():
            for chunk in chunked(ids, batch_size):
                texts = _fetch_texts(chunk)
                yield [(pk, t.title, t.body, known.get(pk)) for pk, t in texts.items()]

        with loading:
            for results in pool.map(engine.sketch_items, items()):
                stale: dict[int, Sketch] = {}
                for pk, digest, shingles, keys in results:
                    shingle_file.add(pk, shingles)
                    if keys is not None:
                        stale[pk] = Sketch(shingles, keys, digest)
                if stale:
                    rows = _key_rows(stale) if bulk or band_files is not None else None
                    with transaction.atomic():
                        if bulk:
                            _store_in_bulk(stale, rows, replace=not rebuild)
                        else:
                            store.store_sketches(sketches=stale, replace=not rebuild)
                    if band_files is not None:
                        band_files.add(rows)
                    report.sketched += len(stale)
                progress.advance(len(results))
            if bulk:
                progress.phase("indexing", 1)
        report.seconds["sketching"] = time.perf_counter() - clock

        # 2. The pairs that share a band, one band at a time: from the keys computed above, or
        #    straight from the index.
        clock = time.perf_counter()
        progress.phase("pairing", neardup.BANDS)
        if band_files is not None:
            pairs = _archive_pairs(band_files.band_rows, None, progress)
        else:
            pairs = _archive_pairs(store.band_rows, shingle_file, progress)
        report.pairs_sharing_a_band = len(pairs)
        stored = set(DuplicateCandidate.objects.values_list("article_a_id", "article_b_id"))
        pairs = [pair for pair in pairs if pair not in stored]
        report.seconds["pairing"] = time.perf_counter() - clock

        # 3. The exact check.
        clock = time.perf_counter()
        progress.phase("checking", len(pairs))
        found: list[tuple[int, int, float]] = []
        for step, (a, b) in enumerate(pairs, 1):
            score = neardup.similarity(shingle_file[a], shingle_file[b])
            if score >= neardup.CANDIDATE_THRESHOLD:
                found.append((a, b, score))
            if step % 10_000 == 0:
                progress.advance(10_000)
        progress.advance(len(pairs) % 10_000)
        report.pairs_checked = len(pairs)
        report.candidates_found = len(found)
        report.seconds["checking"] = time.perf_counter() - clock

        # 4. Why (the passages they share), and the pairs stored.
        clock = time.perf_counter()
        progress.phase("recording", len(found))

        def pair_texts():
            for chunk in chunked(found, FETCH_CHUNK // 2):
                texts = _fetch_texts({pk for a, b, _ in chunk for pk in (a, b)})
                yield [
                    (a, texts[a].title, texts[a].body, b, texts[b].title, texts[b].body, score)
                    for a, b, score in chunk
                    if a in texts and b in texts
                ]

        for results in pool.map(engine.explain_pairs, pair_texts()):
            candidates = [
                DuplicateCandidate(
                    article_a_id=a, article_b_id=b, similarity=score, passages=passages
                )
                for a, b, score, passages in results
            ]
            with transaction.atomic():
                report.candidates_created += len(save_candidates(candidates))
            progress.advance(len(results))
        report.seconds["recording"] = time.perf_counter() - clock
    return report


# A bulk load of keys (``find_duplicates`` when most keys are to be computed, as with
# ``--rebuild``): measured on 960,000 rows, PostgreSQL's per-row foreign key trigger made COPY six
# times slower, and rows in the lookup index's order instead of the primary key's two to three
# times slower on both databases. So the rows go in in primary key order, without the lookup
# index (built once afterwards) and without foreign key checks (the article ids were just read
# from the articles table; the constraint is validated again, in one pass, on PostgreSQL).


def _bandkey_table() -> str:
    return connection.ops.quote_name(BandKey._meta.db_table)


def _delete_all_keys() -> None:
    """Every stored key and sketch, before recomputing all of them. On PostgreSQL a ``TRUNCATE``:
    deleting ten million rows one by one takes a minute and leaves them all to vacuum."""
    # (In a transaction that wrote keys, deferred foreign key checks forbid a TRUNCATE.)
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        store.delete_all_band_rows()
        return
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {_bandkey_table()}")
    ArticleSketch.objects.all().delete()


def _foreign_key_names() -> list[str]:
    """PostgreSQL: the names of the band keys' foreign key constraints to the articles."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, BandKey._meta.db_table)
    return [name for name, info in constraints.items() if info["foreign_key"]]


def _ensure_foreign_key() -> None:
    """PostgreSQL: put the band keys' foreign key back if a bulk load was interrupted before it
    could (rows of articles deleted meanwhile are dropped first)."""
    if connection.vendor != "postgresql" or _foreign_key_names():
        return
    field = BandKey._meta.get_field("article")
    articles = connection.ops.quote_name(Article._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {_bandkey_table()} AS b WHERE NOT EXISTS "
            f"(SELECT 1 FROM {articles} AS a WHERE a.id = b.article_id)"
        )
    with connection.schema_editor(atomic=False) as editor:
        # The constraint as the migration created it (same name, deferrable).
        editor.execute(editor._create_fk_sql(BandKey, field, "_fk_%(to_table)s_%(to_column)s"))


@contextmanager
def _bulk_loading():
    """Without the lookup index and without foreign key checks while the keys go in; both back
    afterwards. Meanwhile imports store their keys but find no pairs (``find_candidates_for``
    checks for the index); ``find_duplicates --since`` finds them afterwards."""
    if connection.vendor == "postgresql":
        with store.without_lookup_index():
            names = _foreign_key_names()
            with connection.cursor() as cursor:
                for name in names:
                    quoted = connection.ops.quote_name(name)
                    cursor.execute(f"ALTER TABLE {_bandkey_table()} DROP CONSTRAINT {quoted}")
            try:
                yield
            finally:
                _ensure_foreign_key()
                # The index is built when the context above ends: give the sort memory.
                with connection.cursor() as cursor:
                    cursor.execute("SET maintenance_work_mem = '256MB'")
        with connection.cursor() as cursor:
            cursor.execute("RESET maintenance_work_mem")
        return
    # SQLite: plain statements, not the schema editor, which checks every foreign key of the
    # whole database (PRAGMA foreign_key_check, 20 s at 100,000 articles) as it ends. Foreign
    # key checks can only be turned off outside a transaction (they stay on in a test's).
    index_sql = str(_lookup_index().create_sql(BandKey, connection.schema_editor()))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(_lookup_index().name)}")
    checks_off = connection.disable_constraint_checking()
    try:
        yield
    finally:
        if checks_off:
            connection.enable_constraint_checking()
        if not store.lookup_index_exists():
            with connection.cursor() as cursor:
                cursor.execute(index_sql)


def _lookup_index():
    (index,) = [i for i in BandKey._meta.indexes if i.name == "dup_bandkey_lookup_idx"]
    return index


def _key_rows(sketches: dict[int, Sketch]) -> np.ndarray:
    """``(article id, band, key)`` rows of ``sketches`` as an ``(n, 3)`` array, in primary key
    order."""
    counts = [len(sketch.keys) for sketch in sketches.values()]
    keys = np.array([key for sketch in sketches.values() for key in sketch.keys], dtype=np.int64)
    rows = np.empty((keys.shape[0], 3), dtype=np.int64)
    if not len(rows):
        return rows
    rows[:, 0] = np.repeat(np.fromiter(sketches, dtype=np.int64, count=len(sketches)), counts)
    rows[:, 1:] = keys.reshape(-1, 2)
    return rows[np.lexsort((rows[:, 2], rows[:, 1], rows[:, 0]))]


def _store_in_bulk(sketches: dict[int, Sketch], rows: np.ndarray, *, replace: bool) -> None:
    """``store.store_sketches`` for a bulk load (see ``_bulk_loading``): the same rows, written
    in primary key order (``COPY`` in binary on PostgreSQL)."""
    if replace:
        store.delete_band_rows(list(sketches))
    store.record_sketched(sketches)
    if not len(rows):
        return
    sql = f"INSERT INTO {_bandkey_table()} (article_id, band, key) VALUES (%s, %s, %s)"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {_bandkey_table()} (article_id, band, key) FROM STDIN (FORMAT BINARY)"
            with cursor.cursor.copy(sql) as copy:
                copy.write(_binary_copy(rows))
        else:
            cursor.executemany(sql, rows.tolist())


# PostgreSQL's binary COPY: each row is a field count, then each field's length and value, big
# endian; the columns are bigint, smallint, bigint.
_COPY_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("article_size", ">i4"),
        ("article", ">i8"),
        ("band_size", ">i4"),
        ("band", ">i2"),
        ("key_size", ">i4"),
        ("key", ">i8"),
    ]
)
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
_COPY_TRAILER = b"\xff\xff"


def _binary_copy(rows: np.ndarray) -> bytes:
    data = np.empty(len(rows), dtype=_COPY_ROW)
    data["fields"] = 3
    data["article_size"], data["band_size"], data["key_size"] = 8, 2, 8
    data["article"], data["band"], data["key"] = rows[:, 0], rows[:, 1], rows[:, 2]
    return _COPY_HEADER + data.tobytes() + _COPY_TRAILER


class _BandFiles:
    """The keys computed by a whole-archive run, one temporary file of ``(key, article id)``
    per band: pairing reads them back a band at a time (memory stays flat) instead of reading
    ten million rows back out of the table."""

    def __init__(self) -> None:
        # Closed (and so deleted) by __exit__.
        self.files = [
            tempfile.TemporaryFile(prefix="newsroom-bands-")  # noqa: SIM115
            for _ in range(neardup.BANDS)
        ]

    def add(self, rows: np.ndarray) -> None:
        """Add ``(article id, band, key)`` rows."""
        rows = rows[np.argsort(rows[:, 1], kind="stable")]
        edges = np.searchsorted(rows[:, 1], np.arange(neardup.BANDS + 1))
        for band, (start, end) in enumerate(itertools.pairwise(edges.tolist())):
            if end > start:
                part = np.ascontiguousarray(rows[start:end][:, [2, 0]])
                self.files[band].write(part.tobytes())

    def band_rows(self, band: int) -> tuple[np.ndarray, np.ndarray]:
        """As ``store.band_rows``: ``(keys, article ids)`` in key order."""
        handle = self.files[band]
        handle.flush()
        handle.seek(0)
        data = np.frombuffer(handle.read(), dtype=np.int64).reshape(-1, 2)
        data = data[np.argsort(data[:, 0], kind="stable")]
        return data[:, 0], data[:, 1]

    def __enter__(self) -> _BandFiles:
        return self

    def __exit__(self, *exc_info) -> None:
        for handle in self.files:
            handle.close()


def _archive_pairs(
    rows_of, active_in: _ShingleFile | None, progress: Progress
) -> list[tuple[int, int]]:
    """Distinct ``(a, b)`` pairs (``a < b``) that share a band key. ``rows_of(band)`` gives a
    band's ``(keys, article ids)`` in key order; with ``active_in``, rows of other articles
    (merged ones) are left out."""
    active = None
    if active_in is not None:
        offsets = active_in.offsets
        active = np.fromiter(offsets, dtype=np.int64, count=len(offsets))
    chunks: list[np.ndarray] = []
    for band in range(neardup.BANDS):
        keys, owners = rows_of(band)
        if keys.size > 1:
            if active is not None:
                keep = np.isin(owners, active)
                keys, owners = keys[keep], owners[keep]
            chunks.extend(_pairs_in_runs(keys, owners))
        progress.advance(1)
    if not chunks:
        return []
    pairs = np.unique(np.concatenate(chunks), axis=0)
    return [(int(a), int(b)) for a, b in pairs.tolist()]


def _pairs_in_runs(keys: np.ndarray, owners: np.ndarray) -> list[np.ndarray]:
    """Every pair of owners within each run of equal keys (keys sorted), as ``(n, 2)`` arrays
    ordered within each row."""
    if keys.size < 2:
        return []
    same = keys[1:] == keys[:-1]
    if not same.any():
        return []
    # A run of equal keys spans keys[start..end]; ``same`` is true from start to end - 1.
    edges = np.diff(np.concatenate(([0], same.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    out: list[np.ndarray] = []
    pairs_of_two = ends - starts == 1
    if pairs_of_two.any():
        first = owners[starts[pairs_of_two]]
        second = owners[starts[pairs_of_two] + 1]
        out.append(np.column_stack((np.minimum(first, second), np.maximum(first, second))))
    longer = ~pairs_of_two
    for start, end in zip(starts[longer].tolist(), ends[longer].tolist(), strict=True):
        members = np.unique(owners[start : end + 1])
        if members.size < 2:
            continue
        i, j = np.triu_indices(members.size, k=1)
        out.append(np.column_stack((members[i], members[j])))
    return out
