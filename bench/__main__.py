"""``python -m bench [SECTION] [options]``: Newsroom's benchmarks (``make bench``).

Sections:
  import   (default) generate the corpus if needed, import it into SQLite and PostgreSQL,
           print articles/s and peak memory against the targets, PASS/FAIL per line
  corpus   only generate the corpus (or check it with --verify)
  search   search page latency (full render) on a loaded archive, p50/p95 per database
  tagging  bulk-tag 10,000 articles of a search (rolled back), seconds per database
  duplicates  whole-archive candidates, the import hook per new article, merge and undo
  load     8 editors for 60 s against gunicorn: errors, search page p95 (needs --database-url
           or builds a 100k bench database)
  floor    the least an import can cost per article here: deriving (CPU) and storing (raw SQL),
           against the import targets' CPU budget

A later benchmark adds a section: a module with ``add_arguments(parser)`` and ``run(args) -> int``
listed in ``SECTIONS`` below. The exit status is 1 when a target is missed, 0 otherwise
(a database that is skipped is not a failure).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from bench import (
    BENCH_DIR,
    DEFAULT_CORPUS_DIR,
    DEFAULT_POSTGRES_URL,
    DEFAULT_SQLITE_PATH,
    REPO_ROOT,
    corpus,
    database_names,
)
from bench.duplicates import DuplicatesSection
from bench.floor import FloorSection
from bench.importing import (
    DatabaseUnavailable,
    ImportFailed,
    describe_url,
    drop_database,
    load_corpus,
    sqlite_url,
)
from bench.load import LoadSection
from bench.search import SearchSection
from bench.tagging import TaggingSection

TARGET_ARTICLES_PER_SECOND = {"sqlite": 1500, "postgres": 1000}
TARGET_PEAK_MB = 250
# Flat memory: the full corpus may not need much more than the subset does.
TARGET_FLAT_GROWTH_MB = 25
DATABASE_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


# --- Shared options --------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    value = int(text.replace("_", "").replace(",", ""))
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _share(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError("must be in [0, 1)")
    return value


def _default_articles() -> int:
    try:
        articles = corpus.default_articles()
    except ValueError:
        articles = 0
    if articles < 1:
        value = os.environ.get("BENCH_ARTICLES")
        raise SystemExit(f"BENCH_ARTICLES must be a positive whole number, not {value!r}")
    return articles


def corpus_options() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(add_help=False)
    group = parser.add_argument_group("corpus")
    group.add_argument(
        "--articles",
        type=_positive_int,
        default=_default_articles(),
        help="Articles (dump blocks) in the corpus (default: $BENCH_ARTICLES or 50,000).",
    )
    group.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    group.add_argument(
        "--repeat-share",
        type=_share,
        default=corpus.DEFAULT_REPEAT_SHARE,
        help="Share of exact repeats of earlier articles (default: %(default)s).",
    )
    group.add_argument(
        "--near-share",
        type=_share,
        default=corpus.DEFAULT_NEAR_SHARE,
        help="Share of near-duplicates of earlier articles (default: %(default)s).",
    )
    group.add_argument(
        "--files",
        type=_positive_int,
        help=f"Dump files to split the corpus into (default: one per "
        f"{corpus.ARTICLES_PER_FILE:,} articles).",
    )
    group.add_argument(
        "--corpus-dir",
        type=Path,
        default=DEFAULT_CORPUS_DIR,
        help="Where the corpus lives; regenerated only when its manifest differs "
        "(default: .bench/corpus).",
    )
    return parser


def ensure_corpus(args: argparse.Namespace, articles: int | None = None, directory=None) -> dict:
    return corpus.ensure_for(args, articles=articles, directory=directory, log=say)


def say(text: str = "") -> None:
    print(text, flush=True)


def shown(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


# --- Section: corpus -------------------------------------------------------------------------


class CorpusSection:
    help = "Only generate the corpus (regenerated only when the parameters differ)."

    @staticmethod
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Regenerate even when the corpus is up to date."
        )
        parser.add_argument(
            "--verify",
            action="store_true",
            help="Parse every file back and check the counts against the manifest.",
        )

    @staticmethod
    def run(args: argparse.Namespace) -> int:
        if args.force:
            (Path(args.corpus_dir) / corpus.MANIFEST).unlink(missing_ok=True)
        manifest = ensure_corpus(args)
        say(f"{shown(args.corpus_dir)}: {corpus.describe(manifest)}")
        if args.verify:
            return _verify(args.corpus_dir, manifest)
        return 0


def _verify(directory: Path, manifest: dict) -> int:
    from articles.dumps import fingerprint, read_dump

    blocks = rejected = 0
    distinct: set[str] = set()
    for path in corpus.paths(directory, manifest):
        with path.open("rb") as handle:
            for block in read_dump(handle):
                blocks += 1
                if block.record is None:
                    rejected += 1
                    say(f"  {path.name}:{block.line}: {block.error}")
                else:
                    distinct.add(fingerprint(block.record))
    ok = (
        blocks == manifest["articles"]
        and not rejected
        and len(distinct) == manifest["distinct_articles"]
    )
    say(
        f"verify: {blocks:,} blocks ({manifest['articles']:,} expected), {rejected:,} rejected, "
        f"{len(distinct):,} distinct ({manifest['distinct_articles']:,} expected): "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


# --- Section: import -------------------------------------------------------------------------


@dataclass
class Row:
    database: str
    check: str
    measured: str
    target: str
    result: str  # PASS, FAIL or SKIP


class ImportSection:
    help = "Import the corpus into each database; articles/s and peak memory against targets."

    @staticmethod
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--databases",
            type=database_names,
            default=["sqlite", "postgres"],
            help="Comma-separated: sqlite, postgres (default: both). PostgreSQL at "
            "$BENCH_POSTGRES_URL (default: " + DEFAULT_POSTGRES_URL + ").",
        )
        parser.add_argument(
            "--batch-size",
            type=_positive_int,
            default=500,
            help="import_dump_files(batch_size=...) (default: %(default)s, as import_dumps).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="import_dump_files(workers=...): processes that parse and analyse blocks "
            "while the import writes (default: the import's own: 2 for a corpus of 4 MB or "
            "more on two CPUs or more).",
        )
        parser.add_argument(
            "--subset",
            type=_positive_int,
            default=5000,
            help="Articles of the smaller import the peak memory is compared with (default: "
            "%(default)s; a tenth of the corpus when the corpus is not larger).",
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="Keep the bench databases afterwards (SQLite file under .bench/, PostgreSQL "
            "database); by default they are deleted.",
        )
        parser.add_argument(
            "--no-debug",
            action="store_true",
            help="Import with DJANGO_DEBUG=0 (default: 1, like a development checkout).",
        )
        parser.add_argument(
            "--profile",
            action="store_true",
            help="cProfile the full import (slower figures) and print the top functions; "
            "stats saved as .bench/profile-<database>.prof.",
        )

    @staticmethod
    def run(args: argparse.Namespace) -> int:
        manifest = ensure_corpus(args)
        subset_articles = args.subset if args.subset < args.articles else args.articles // 10
        subset_dir = None
        if subset_articles >= 1:
            subset_dir = Path(args.corpus_dir).with_name(Path(args.corpus_dir).name + "-subset")
            ensure_corpus(args, articles=subset_articles, directory=subset_dir)

        say()
        say(f"Corpus: {shown(args.corpus_dir)}: {corpus.describe(manifest)}")
        if subset_dir:
            say(
                f"Memory flatness: the same import of the corpus's first {subset_articles:,} "
                f"articles ({shown(subset_dir)})."
            )
        say(
            '"articles/s" = dump blocks read per second: every block is an article (repeats '
            "included). Only import_dump_files() is timed, in a fresh process per import "
            f"(migrations excluded); batch size {args.batch_size}; "
            f"DJANGO_DEBUG={'0' if args.no_debug else '1'}. Peak memory = that process's "
            "peak RSS (migrations included)."
        )

        rows: list[Row] = []
        runs: list[tuple[str, str, dict]] = []
        for database in args.databases:
            name = DATABASE_NAMES[database]
            url = _database_url(database)
            say()
            say(f"{name}: {describe_url(url)}")
            profile = BENCH_DIR / f"profile-{database}.prof" if args.profile else None
            try:
                subset = None
                if subset_dir:
                    subset = _load(url, subset_dir, args, None, f"{subset_articles:,} articles")
                    runs.append((name, f"{subset_articles:,}", subset))
                full = _load(url, args.corpus_dir, args, profile, f"{args.articles:,} articles")
                runs.append((name, f"{args.articles:,}", full))
            except DatabaseUnavailable as error:
                say(f"  SKIP: {error}")
                reason = str(error) if len(str(error)) <= 90 else str(error)[:87] + "..."
                rows.append(Row(name, "import", f"SKIP: {reason}", "", "SKIP"))
                continue
            except ImportFailed as error:
                say(f"  FAIL: {error}")
                rows.append(Row(name, "import", "the import process failed", "", "FAIL"))
                _cleanup(url, args.keep)
                continue
            _cleanup(url, args.keep)
            rows += _judge(name, database, full, subset, args.profile)
            if profile is not None:
                _print_profile(profile)

        say()
        _print_runs(runs)
        say()
        _print_rows(rows)
        failed = any(row.result == "FAIL" for row in rows)
        return 1 if failed else 0


def _database_url(database: str) -> str:
    if database == "sqlite":
        return sqlite_url(DEFAULT_SQLITE_PATH)
    return os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def _load(url: str, directory: Path, args, profile: Path | None, label: str) -> dict:
    say(f"  importing {label} into a fresh database ...")
    stats = load_corpus(
        url,
        corpus_dir=directory,
        batch_size=args.batch_size,
        workers=args.workers,
        debug=not args.no_debug,
        profile=profile,
    )
    say(
        f"    {stats['seconds']:,.1f} s, {stats['articles_per_second']:,.0f} articles/s, "
        f"peak memory {stats['peak_memory_mb']:,.1f} MB with its {stats['workers']} workers "
        f"(import process "
        f"alone: peak RSS {stats['peak_rss_mb']:,.1f} MB; before the import, after migrating: "
        f"{stats['rss_before_import_mb']:,.1f} MB)"
    )
    rates = stats["file_articles_per_second"]
    if len(rates) > 1:
        say(
            f"    per file: first {rates[0]:,.0f}, last {rates[-1]:,.0f}, "
            f"slowest {min(rates):,.0f}, fastest {max(rates):,.0f} articles/s"
        )
    return stats


def _cleanup(url: str, keep: bool) -> None:
    if keep:
        say(f"  kept: {describe_url(url)}")
        return
    with contextlib.suppress(DatabaseUnavailable):
        drop_database(url)


def _judge(name: str, database: str, full: dict, subset: dict | None, profiled: bool) -> list[Row]:
    rows = []
    target = TARGET_ARTICLES_PER_SECOND[database]
    rate = full["articles_per_second"]
    note = " (profiled)" if profiled else ""
    rows.append(
        Row(
            name,
            "throughput",
            f"{rate:,.0f} articles/s ({full['blocks']:,} in {full['seconds']:,.1f} s){note}",
            f">= {target:,} articles/s",
            "PASS" if rate >= target else "FAIL",
        )
    )
    peak = full["peak_memory_mb"]
    peaks = [peak] + ([subset["peak_memory_mb"]] if subset else [])
    rows.append(
        Row(
            name,
            "peak memory",
            f"{peak:,.1f} MB",
            f"< {TARGET_PEAK_MB} MB",
            "PASS" if max(peaks) < TARGET_PEAK_MB else "FAIL",
        )
    )
    if subset:
        growth = peak - subset["peak_memory_mb"]
        rows.append(
            Row(
                name,
                "memory flat",
                f"{subset['peak_memory_mb']:,.1f} MB at {subset['blocks']:,} -> {peak:,.1f} MB at "
                f"{full['blocks']:,} ({growth:+,.1f})",
                f"< +{TARGET_FLAT_GROWTH_MB} MB",
                "PASS" if growth < TARGET_FLAT_GROWTH_MB else "FAIL",
            )
        )
    for stats in filter(None, (subset, full)):
        failed = [check for check in stats["checks"] if not check["ok"]]
        label = f"{stats['blocks']:,}"
        if failed:
            measured = "; ".join(f"{c['name']}: {c['detail']}" for c in failed)
        else:
            measured = (
                f"{stats['articles_created']:,} created + {stats['articles_seen_again']:,} seen "
                f"again = {stats['blocks']:,} blocks = Occurrence rows; "
                f"Article rows = created = distinct"
            )
        rows.append(
            Row(name, f"counts ({label})", measured, "all equal", "FAIL" if failed else "PASS")
        )
    return rows


def _print_table(headers: list[str], rows: list[list[str]], right: set[int]) -> None:
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells) -> str:
        return "  ".join(
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    say(line(headers))
    say(line(["-" * w for w in widths]))
    for row in rows:
        say(line(row))


def _print_runs(runs: list[tuple[str, str, dict]]) -> None:
    if not runs:
        return
    say("Imports (each into a fresh, migrated database):")
    _print_table(
        [
            "database",
            "articles",
            "created",
            "seen again",
            "rejected",
            "Article rows",
            "Occurrence rows",
            "seconds",
            "articles/s",
            "peak RSS before import MB",
            "peak RSS MB",
            "peak memory with workers MB",
        ],
        [
            [
                name,
                label,
                f"{s['articles_created']:,}",
                f"{s['articles_seen_again']:,}",
                f"{s['blocks_rejected']:,}",
                f"{s['rows']['articles']:,}",
                f"{s['rows']['occurrences']:,}",
                f"{s['seconds']:,.1f}",
                f"{s['articles_per_second']:,.0f}",
                f"{s['rss_before_import_mb']:,.1f}",
                f"{s['peak_rss_mb']:,.1f}",
                f"{s['peak_memory_mb']:,.1f}",
            ]
            for name, label, s in runs
        ],
        right=set(range(1, 12)),
    )


def _print_rows(rows: list[Row]) -> None:
    say("Targets:")
    _print_table(
        ["database", "check", "measured", "target", "result"],
        [[r.database, r.check, r.measured, r.target, r.result] for r in rows],
        right=set(),
    )


def _print_profile(path: Path) -> None:
    import pstats

    say(f"  profile of the import: {shown(path)} (top functions by own time, then cumulative)")
    stats = pstats.Stats(str(path), stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(20)
    stats.sort_stats("cumulative").print_stats(25)


# --- Entry point -----------------------------------------------------------------------------

SECTIONS = {
    "import": ImportSection,
    "corpus": CorpusSection,
    "search": SearchSection,
    "tagging": TaggingSection,
    "duplicates": DuplicatesSection,
    "load": LoadSection,
    "floor": FloorSection,
}
DEFAULT_SECTION = "import"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in SECTIONS and argv[0] not in {"-h", "--help"}):
        argv.insert(0, DEFAULT_SECTION)
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Newsroom benchmarks. Without a section, runs '" + DEFAULT_SECTION + "'.",
    )
    sections = parser.add_subparsers(dest="section", metavar="SECTION")
    shared = corpus_options()
    for name, section in SECTIONS.items():
        sub = sections.add_parser(name, help=section.help, parents=[shared])
        section.add_arguments(sub)
    args = parser.parse_args(argv)
    try:
        return SECTIONS[args.section].run(args)
    except KeyboardInterrupt:
        say("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
