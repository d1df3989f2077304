"""Import a corpus into a fresh database and measure it.

Parent side (no Django needed): :func:`load_corpus` empties the database (drops and recreates a
PostgreSQL database, deletes a SQLite file), then runs this module as a subprocess,
``python -m bench.importing --database-url URL --corpus DIR``, and returns what it reported.

Child side: Django is configured from scratch for that ``DATABASE_URL``, migrations run, then
only ``import_dump_files`` is timed. The child prints one JSON object on stdout: the import's
counters, the time, blocks per second (every block of the corpus is an article, so this is the
articles-per-second figure), its own peak RSS, and counts read back from the database with the
checks they pass or fail. Running in a subprocess keeps the peak memory the import's own.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from bench import BENCH_DIR, DEFAULT_CORPUS_DIR, PUBLISHER, REPO_ROOT, corpus


class DatabaseUnavailable(Exception):
    """The database server cannot be reached (or may not be touched): the benchmark is skipped."""


class ImportFailed(Exception):
    """The import subprocess failed; the message holds the end of its error output."""


# --- Parent side -----------------------------------------------------------------------------


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def _parse(database_url: str) -> dict:
    import dj_database_url

    return dj_database_url.parse(database_url)


def is_postgres(database_url: str) -> bool:
    return "postgresql" in _parse(database_url)["ENGINE"]


def describe_url(database_url: str) -> str:
    """The URL without its password, to print."""
    config = _parse(database_url)
    if "sqlite" in config["ENGINE"]:
        return _shown_path(Path(config["NAME"]))
    user = f"{config['USER']}@" if config.get("USER") else ""
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"postgres://{user}{config['HOST'] or 'localhost'}{port}/{config['NAME']}"


def _shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def _check_disposable(name: str, path: Path | None = None) -> None:
    # The bench deletes what the URL names: never anything that is not obviously a bench database.
    inside_bench_dir = path is not None and path.resolve().is_relative_to(BENCH_DIR.resolve())
    if "bench" not in name.lower() and not inside_bench_dir:
        raise DatabaseUnavailable(
            f"refusing to drop database {name!r}: a bench database's name must contain 'bench'"
        )


def _postgres_admin(config: dict):
    import psycopg

    try:
        return psycopg.connect(
            dbname="postgres",
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            connect_timeout=5,
            autocommit=True,
        )
    except psycopg.OperationalError as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise DatabaseUnavailable(f"PostgreSQL is unreachable: {reason}") from None


def reset_database(database_url: str) -> None:
    """Make the database empty: a PostgreSQL database dropped and created again (created when
    missing), a SQLite file (and its WAL files) deleted."""
    config = _parse(database_url)
    if "sqlite" in config["ENGINE"]:
        path = Path(config["NAME"])
        _check_disposable(path.name, path)
        path.parent.mkdir(parents=True, exist_ok=True)
        delete_sqlite(path)
        return
    from psycopg import sql

    name = config["NAME"]
    _check_disposable(name)
    with _postgres_admin(config) as connection:
        identifier = sql.Identifier(name)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(identifier))


def drop_database(database_url: str) -> None:
    config = _parse(database_url)
    if "sqlite" in config["ENGINE"]:
        delete_sqlite(Path(config["NAME"]))
        return
    _check_disposable(config["NAME"])
    drop_postgres_database(config)


def drop_postgres_database(config: dict) -> None:
    """Drop the PostgreSQL database of ``config`` (closing its connections)."""
    from psycopg import sql

    with _postgres_admin(config) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(config["NAME"])
            )
        )


def delete_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def load_corpus(
    database_url: str,
    *,
    corpus_dir: Path = DEFAULT_CORPUS_DIR,
    batch_size: int = 500,
    workers: int | None = None,
    fresh: bool = True,
    debug: bool = True,
    profile: Path | None = None,
) -> dict:
    """Build a fresh, migrated database at ``database_url``, import the corpus into it in a
    subprocess and return the stats it measured (see ``_measure``), ``checks`` included.

    The corpus is generated first (default size) when ``corpus_dir`` holds none. Raises
    :class:`DatabaseUnavailable` when PostgreSQL cannot be reached, :class:`ImportFailed` when
    the import process fails. The database is left in place for the caller to query.
    """
    corpus_dir = Path(corpus_dir)
    if corpus.read_manifest(corpus_dir) is None:
        corpus.ensure(corpus_dir, articles=corpus.default_articles(), log=print)
    if fresh:
        reset_database(database_url)
    command = [
        sys.executable,
        "-m",
        "bench.importing",
        "--database-url",
        database_url,
        "--corpus",
        str(corpus_dir),
        "--batch-size",
        str(batch_size),
    ]
    if workers is not None:
        command += ["--workers", str(workers)]
    if not debug:
        command.append("--no-debug")
    if profile is not None:
        command += ["--profile", str(profile)]
    completed = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        tail = "\n".join(completed.stderr.strip().splitlines()[-25:])
        raise ImportFailed(f"the import process exited with status {completed.returncode}:\n{tail}")
    return json.loads(lines[-1])


# --- Child side ------------------------------------------------------------------------------


def _peak_rss_mb(*, children: bool = False) -> float:
    import resource

    # ru_maxrss is in KiB on Linux (bytes on macOS); of children, the largest one's.
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    peak = resource.getrusage(who).ru_maxrss
    return round(peak / (2**20 if sys.platform == "darwin" else 1024), 1)


def _pss_mb(pid: int | str) -> float:
    """Proportional set size of a process: its private pages plus its share of the pages it
    shares (a forked worker shares most of its parent's), so that the sum over processes is the
    memory they use together."""
    with open(f"/proc/{pid}/smaps_rollup") as handle:
        for line in handle:
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _children() -> list[str]:
    found: list[str] = []
    for children in Path("/proc/self/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += children.read_text().split()
    return found


class _MemorySampler:
    """The largest memory the import process and its workers use together, sampled every
    50 ms (PSS summed over the processes; Linux). Where PSS cannot be read: None."""

    def __init__(self) -> None:
        self.peak: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> float | None:
        try:
            total = _pss_mb("self")
        except OSError:
            return None
        for pid in _children():
            with contextlib.suppress(OSError):  # a worker that just ended
                total += _pss_mb(pid)
        return total

    def _run(self) -> None:
        while True:
            sample = self._sample()
            if sample is None:
                return
            self.peak = max(self.peak or 0.0, sample)
            if self._stop.wait(0.05):
                return

    def __enter__(self) -> _MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()


def _measure(corpus_dir: Path, batch_size: int, workers: int | None, profile: Path | None) -> dict:
    import gc
    import itertools
    import time

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)

    from django.conf import settings
    from django.db import connection

    from articles.models import Article, ArticleSource, Caption, Occurrence
    from articles.services.importing import import_dump_files

    manifest = corpus.read_manifest(corpus_dir)
    if manifest is None:
        raise SystemExit(f"no corpus in {corpus_dir} (no {corpus.MANIFEST})")
    paths = corpus.paths(corpus_dir, manifest)
    gc.collect()
    rss_before = _peak_rss_mb()

    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    # When each file is done (its last byte reported), to see whether the import slows down as
    # the database grows. The import_dumps command passes a progress callback too.
    ends = list(itertools.accumulate(entry["bytes"] for entry in manifest["files"]))
    marks: list[float] = []
    read = 0

    def on_progress(size: int) -> None:
        nonlocal read
        read += size
        while len(marks) < len(ends) and read >= ends[len(marks)]:
            marks.append(time.perf_counter())

    started = time.perf_counter()
    with _MemorySampler() as memory:
        report = import_dump_files(
            paths=paths,
            publisher=PUBLISHER,
            batch_size=batch_size,
            workers=workers,
            on_progress=on_progress,
        )
    seconds = time.perf_counter() - started
    file_rates = [
        round(entry["articles"] / (end - start), 1)
        for entry, start, end in zip(manifest["files"], [started, *marks], marks, strict=False)
        if end > start
    ]
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    peak = _peak_rss_mb()
    # Without PSS: the import process's peak plus its largest worker's (more than one worker
    # would add more).
    peak_memory = memory.peak if memory.peak is not None else peak + _peak_rss_mb(children=True)

    blocks = report.total("blocks_read")
    created = report.total("articles_created")
    seen_again = report.total("articles_seen_again")
    rejected = report.total("blocks_rejected")
    articles = Article.objects.count()
    occurrences = Occurrence.objects.count()
    checks = [
        (
            "created + seen again == blocks",
            created + seen_again == blocks,
            f"{created:,} + {seen_again:,} vs {blocks:,}",
        ),
        ("no block rejected", rejected == 0, f"{rejected:,} rejected"),
        (
            "blocks == articles in the corpus",
            blocks == manifest["articles"],
            f"{blocks:,} vs {manifest['articles']:,}",
        ),
        ("Article rows == created", articles == created, f"{articles:,} vs {created:,}"),
        (
            "created == distinct articles in the corpus",
            created == manifest["distinct_articles"],
            f"{created:,} vs {manifest['distinct_articles']:,}",
        ),
        ("Occurrence rows == blocks", occurrences == blocks, f"{occurrences:,} vs {blocks:,}"),
    ]
    return {
        "database": connection.vendor,
        "debug": settings.DEBUG,
        "corpus": str(corpus_dir),
        "files": report.files_read,
        "blocks": blocks,
        "articles_created": created,
        "articles_seen_again": seen_again,
        "blocks_rejected": rejected,
        "batch_size": batch_size,
        "seconds": round(seconds, 3),
        # Blocks read per second: every block of the corpus is an article (a repeat included).
        "articles_per_second": round(blocks / seconds, 1) if seconds else None,
        # The same for each file in turn (its last batch's commit counts towards the next file).
        "file_articles_per_second": file_rates,
        "rss_before_import_mb": rss_before,
        "peak_rss_mb": peak,
        "peak_memory_mb": round(peak_memory, 1),
        "workers": report.workers,
        "rows": {
            "articles": articles,
            "occurrences": occurrences,
            "captions": Caption.objects.count(),
            "article_sources": ArticleSource.objects.count(),
        },
        "checks": [{"name": n, "ok": ok, "detail": detail} for n, ok, detail in checks],
        "profile": str(profile) if profile else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.importing",
        description="Migrate the database at DATABASE_URL and import a bench corpus into it, "
        "timed; print the measures as JSON. Expects an empty database (see load_corpus).",
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--corpus", type=Path, required=True, help="A corpus directory.")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument(
        "--workers", type=int, help="import_dump_files(workers=...) (default: the import's own)"
    )
    parser.add_argument(
        "--no-debug", action="store_true", help="DJANGO_DEBUG=0 (the default is 1, as in dev)"
    )
    parser.add_argument("--profile", type=Path, help="Write cProfile stats of the import here.")
    args = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    os.environ["DJANGO_DEBUG"] = "0" if args.no_debug else "1"
    if args.no_debug:
        os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-production")
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    # Only the JSON result goes to stdout; anything else Django or the import prints, to stderr.
    out, sys.stdout = sys.stdout, sys.stderr
    try:
        result = _measure(args.corpus, args.batch_size, args.workers, args.profile)
    finally:
        sys.stdout = out
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
