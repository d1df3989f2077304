"""``python -m bench floor``: the least an import can cost per article on this machine.

The import's speed targets (1,500 articles/s into SQLite, 1,000 into PostgreSQL, on two cores,
everything derived) are a CPU budget: ``cores × 1000 / target`` milliseconds of CPU per article
for all the work, 1.33 ms on SQLite and 2 ms on PostgreSQL. This section measures two parts of
that work that no implementation of the import can skip, each at its floor:

- **derive**: the CPU of what the import computes from a block's text alone, in Python, with no
  database: :class:`articles.preparing.Preparer` (parse, fingerprint, caption credits, cited
  outlets, region suggestions, near-duplicate sketch), step by step and whole, on the first
  ``--sample`` blocks of the corpus (one warm-up pass first);
- **store**: what the database itself spends storing those articles, with raw SQL and no ORM:
  SQLite through ``sqlite3`` ``executemany`` into the app's columns, its FTS5 table
  (``articles.search.schema.SQLITE_TABLE``, verbatim) and the band keys under their lookup
  index; PostgreSQL by ``COPY`` into a table with the app's own generated search vectors and GIN
  indexes (``articles.search.schema.POSTGRES_CREATE``, verbatim) and the band keys under their
  lookup index, in a scratch database ``newsroom_bench_floor`` dropped afterwards.

Derive counts the lower of the whole and the sum of its steps. ``best case`` is the rate if both
parts ran on every core in perfect parallel and nothing else were done (no occurrence lookups,
no caption, source or suggestion rows, no near-duplicate pair lookup):
``cores × 1000 / (derive + store)``. When that is below a target, no import that
stores and derives all of this can reach the target on this machine. Exit status 0: the section
measures, it has no target of its own.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import BENCH_DIR, DEFAULT_POSTGRES_URL, corpus, database_names
from bench.importing import DatabaseUnavailable, delete_sqlite, drop_database, reset_database

DEFAULT_SAMPLE = 5_000
BATCH = 500
FLOOR_SQLITE_PATH = BENCH_DIR / "floor.sqlite3"
FLOOR_POSTGRES_NAME = "newsroom_bench_floor"
TARGETS = {"SQLite": 1500, "PostgreSQL": 1000}  # articles/s, as ``python -m bench import``


@dataclass(frozen=True)
class Article:
    """One sampled article as the import stores it."""

    title: str
    caption_text: str
    body: str
    fingerprint: str
    raw: str
    keys: tuple[tuple[int, int], ...]


def best_rate(cores: int, *milliseconds_per_article: float) -> float:
    """Articles per second if ``cores`` did nothing but these per-article costs, in parallel."""
    return cores * 1000 / sum(milliseconds_per_article)


def sample_raw_blocks(corpus_dir: Path, count: int) -> list:
    from articles.dumps import iter_raw_blocks

    raws = []
    for path in sorted(Path(corpus_dir).glob("*.txt")):
        with path.open("rb") as handle:
            raws += itertools.islice(iter_raw_blocks(handle), count - len(raws))
        if len(raws) >= count:
            break
    return raws


def _preparer():
    from articles.preparing import Preparer
    from articles.suggest import DEFAULT_THRESHOLD, default_gazetteer

    return Preparer(default_gazetteer(), DEFAULT_THRESHOLD)


def derive_costs(raws: Sequence) -> tuple[dict[str, float], list[Article]]:
    """CPU milliseconds per article of each step of ``Preparer.prepare`` and of the whole, and
    the distinct articles it gives (for the storing part)."""
    from articles.credits import cited_sources, split_caption
    from articles.dumps import fingerprint, read_block
    from duplicates.engine import sketch_of

    preparer = _preparer()
    gazetteer = preparer.gazetteer
    preparer.prepare_all(raws)  # warm-up: compiled patterns, caches
    blocks = [read_block(raw) for raw in raws]
    records = [b.record for b in blocks if b.record is not None]
    bodies = ["\n\n".join(r.paragraphs) for r in records]
    pairs = list(zip(records, bodies, strict=True))
    steps: dict[str, Callable[[], object]] = {
        "parse": lambda: [read_block(raw) for raw in raws],
        "fingerprint": lambda: [fingerprint(r) for r in records],
        "caption credits": lambda: [[split_caption(c) for c in r.captions] for r in records],
        "cited outlets": lambda: [cited_sources(body) for body in bodies],
        "region suggestions": lambda: [
            gazetteer.suggest(title=r.title, captions=r.captions, body=b) for r, b in pairs
        ],
        "near-duplicate sketch": lambda: [sketch_of(r.title, b) for r, b in pairs],
    }
    costs = {name: _cpu_ms(step) / len(raws) for name, step in steps.items()}
    prepared: list = []
    costs["whole (Preparer.prepare)"] = _cpu_ms(
        lambda: prepared.extend(preparer.prepare_all(raws))
    ) / len(raws)
    articles: dict[str, Article] = {}
    for item in prepared:
        if item.fingerprint is None or item.fingerprint in articles:
            continue
        record = item.block.record
        articles[item.fingerprint] = Article(
            title=record.title,
            caption_text="\n".join(record.captions),
            body=item.body,
            fingerprint=item.fingerprint,
            raw=item.block.raw,
            keys=tuple(item.sketch.keys) if item.sketch else (),
        )
    return costs, list(articles.values())


def _cpu_ms(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return (time.process_time() - started) * 1000


def _batches(articles: Sequence[Article]) -> Iterator[tuple[int, Sequence[Article]]]:
    for start in range(0, len(articles), BATCH):
        yield start + 1, articles[start : start + BATCH]


# --- SQLite ----------------------------------------------------------------------------------

SQLITE_TABLES = [
    "CREATE TABLE articles_article (id INTEGER PRIMARY KEY, title TEXT NOT NULL, "
    "caption_text TEXT NOT NULL, body TEXT NOT NULL, fingerprint TEXT NOT NULL UNIQUE)",
    "CREATE TABLE occurrence (id INTEGER PRIMARY KEY, article_id INTEGER NOT NULL, raw TEXT)",
    "CREATE TABLE band_key (article_id INTEGER NOT NULL, band INTEGER NOT NULL, "
    "key INTEGER NOT NULL, PRIMARY KEY (article_id, band, key))",
    "CREATE INDEX band_key_lookup ON band_key (band, key, article_id)",
]
SQLITE_PARTS = ("rows", "rows + search index", "rows + search index + band keys")


def sqlite_store_costs(articles: Sequence[Article], path: Path) -> dict[str, float]:
    """Wall milliseconds per article SQLite spends storing ``articles``: the article and
    occurrence rows alone, with the app's FTS5 index, and with the band keys too (each
    measured into a fresh file, in transactions of ``BATCH`` articles)."""
    from articles.search.schema import SQLITE_TABLE

    costs = {}
    for part in SQLITE_PARTS:
        delete_sqlite(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            for statement in SQLITE_TABLES:
                db.execute(statement)
            db.execute(SQLITE_TABLE)
            started = time.perf_counter()
            for first_id, batch in _batches(articles):
                ids = range(first_id, first_id + len(batch))
                db.execute("BEGIN")
                db.executemany(
                    "INSERT INTO articles_article VALUES (?, ?, ?, ?, ?)",
                    [
                        (pk, a.title, a.caption_text, a.body, a.fingerprint)
                        for pk, a in zip(ids, batch, strict=True)
                    ],
                )
                db.executemany(
                    "INSERT INTO occurrence (article_id, raw) VALUES (?, ?)",
                    [(pk, a.raw) for pk, a in zip(ids, batch, strict=True)],
                )
                if part != "rows":
                    db.execute(
                        "INSERT INTO article_fts (rowid, title, caption_text, body) "
                        "SELECT id, title, caption_text, body FROM articles_article "
                        "WHERE id >= ?",
                        [first_id],
                    )
                if part.endswith("band keys"):
                    db.executemany(
                        "INSERT OR IGNORE INTO band_key VALUES (?, ?, ?)",
                        [
                            (pk, band, key)
                            for pk, a in zip(ids, batch, strict=True)
                            for band, key in a.keys
                        ],
                    )
                db.execute("COMMIT")
            costs[part] = (time.perf_counter() - started) * 1000 / len(articles)
        finally:
            db.close()
    return costs


# --- PostgreSQL ------------------------------------------------------------------------------

POSTGRES_TABLES = [
    "CREATE TABLE articles_article (id bigint PRIMARY KEY, title text NOT NULL, "
    "caption_text text NOT NULL, body text NOT NULL, fingerprint text NOT NULL UNIQUE)",
    "CREATE TABLE occurrence (id bigserial PRIMARY KEY, article_id bigint NOT NULL, raw text)",
    "CREATE TABLE band_key (article_id bigint NOT NULL, band smallint NOT NULL, "
    "key bigint NOT NULL, PRIMARY KEY (article_id, band, key))",
    "CREATE INDEX band_key_lookup ON band_key (band, key, article_id)",
]
POSTGRES_PARTS = ("rows", "rows + search vectors", "rows + search vectors + band keys")


def postgres_store_costs(
    articles: Sequence[Article], server_url: str
) -> tuple[dict[str, float], dict[str, tuple[int, int, int]]]:
    """Wall milliseconds per article PostgreSQL spends storing ``articles`` (``COPY``, one
    transaction per ``BATCH``): the rows alone, with the app's search vectors and GIN indexes,
    and with the band keys too; each into fresh tables of a scratch database. Also, per part,
    what was stored: (article rows, rows with a search vector, band key rows)."""
    import psycopg

    from articles.search.schema import POSTGRES_CREATE

    scratch_url = server_url.rsplit("/", 1)[0] + "/" + FLOOR_POSTGRES_NAME
    reset_database(scratch_url)
    costs, stored = {}, {}
    try:
        with psycopg.connect(scratch_url, autocommit=True) as db:
            for part in POSTGRES_PARTS:
                db.execute("DROP TABLE IF EXISTS articles_article, occurrence, band_key")
                for statement in POSTGRES_TABLES:
                    db.execute(statement)
                if part != "rows":
                    # The text search configuration and functions, then the generated vectors
                    # and their GIN indexes on articles_article: the app's DDL, verbatim.
                    for statement in POSTGRES_CREATE:
                        db.execute(statement)
                started = time.perf_counter()
                for first_id, batch in _batches(articles):
                    ids = range(first_id, first_id + len(batch))
                    with db.transaction(), db.cursor() as cursor:
                        _copy(
                            cursor,
                            "articles_article (id, title, caption_text, body, fingerprint)",
                            [
                                (pk, a.title, a.caption_text, a.body, a.fingerprint)
                                for pk, a in zip(ids, batch, strict=True)
                            ],
                        )
                        _copy(
                            cursor,
                            "occurrence (article_id, raw)",
                            [(pk, a.raw) for pk, a in zip(ids, batch, strict=True)],
                        )
                        if part.endswith("band keys"):
                            _copy(
                                cursor,
                                "band_key (article_id, band, key)",
                                sorted(
                                    {
                                        (pk, band, key)
                                        for pk, a in zip(ids, batch, strict=True)
                                        for band, key in a.keys
                                    }
                                ),
                            )
                costs[part] = (time.perf_counter() - started) * 1000 / len(articles)
                vectors = "count(*) FILTER (WHERE search_vector <> '')" if part != "rows" else "0"
                stored[part] = db.execute(
                    f"SELECT count(*), {vectors}, (SELECT count(*) FROM band_key) "
                    "FROM articles_article"
                ).fetchone()
    finally:
        drop_database(scratch_url)
    return costs, stored


def _copy(cursor, table: str, rows: list[tuple]) -> None:
    with cursor.copy(f"COPY {table} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# --- The section -----------------------------------------------------------------------------


class FloorSection:
    help = "The least an import can cost per article here: deriving (CPU) and storing (raw SQL)."

    @staticmethod
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--sample",
            type=int,
            default=DEFAULT_SAMPLE,
            help="Blocks of the corpus measured (default: %(default)s).",
        )
        parser.add_argument(
            "--databases",
            type=database_names,
            default=["sqlite", "postgres"],
            help="Comma-separated: sqlite, postgres (default: both). PostgreSQL's server is "
            "$BENCH_POSTGRES_URL's (a scratch database newsroom_bench_floor is created there "
            "and dropped).",
        )

    @staticmethod
    def run(args: argparse.Namespace) -> int:
        from bench.search import print_table, say

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
        corpus.ensure_for(args, log=say)
        raws = sample_raw_blocks(args.corpus_dir, args.sample)
        cores = os.cpu_count() or 1
        say(
            f"Floor of an import: the first {len(raws):,} blocks of {args.corpus_dir}, "
            f"{cores} cores. Derive = CPU ms per block in this process, no database; "
            f"store = ms per article the database spends storing them (raw SQL)."
        )
        derive, articles = derive_costs(raws)
        say()
        print_table(
            ["derive (CPU, per block)", "ms"],
            [[name, f"{ms:.3f}"] for name, ms in derive.items()],
            right={1},
        )
        # The lower of the two: the whole also pays for what it keeps (the collector's passes).
        whole = min(derive["whole (Preparer.prepare)"], sum(list(derive.values())[:-1]))
        wanted = set(args.databases)
        stores: dict[str, dict[str, float]] = {}
        if "sqlite" in wanted:
            stores["SQLite"] = sqlite_store_costs(articles, FLOOR_SQLITE_PATH)
            delete_sqlite(FLOOR_SQLITE_PATH)
        if "postgres" in wanted:
            url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
            try:
                stores["PostgreSQL"], _ = postgres_store_costs(articles, url)
            except DatabaseUnavailable as error:
                say(f"  PostgreSQL skipped: {error}")
        rows = []
        for database, costs in stores.items():
            target = TARGETS[database]
            for part, ms in costs.items():
                best = best_rate(cores, whole, ms)
                rows.append(
                    [
                        database,
                        part,
                        f"{ms:.3f}",
                        f"{whole + ms:.3f}",
                        f"{cores * 1000 / target:.3f}",
                        f"{best:,.0f}/s",
                        f"{target:,}/s",
                        "reachable" if best >= target else "NOT reachable",
                    ]
                )
        say()
        say(f"{len(articles):,} distinct articles stored.")
        print_table(
            [
                "database",
                "stored",
                "store ms",
                "derive + store ms",
                "budget ms",
                "best case",
                "target",
                "verdict",
            ],
            rows,
            right={2, 3, 4, 5, 6},
        )
        return 0
