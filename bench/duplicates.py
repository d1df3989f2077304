"""``python -m bench duplicates``: near-duplicate candidates and merges on a loaded archive.

Targets (issue 5), on the 100,000-article corpus, on SQLite and on PostgreSQL:

- candidate generation for the whole archive (band keys and candidates, from scratch) under
  3 minutes;
- under 10 ms per newly imported article (the import's hook, ``on_articles_imported``);
- a merge or an undo under 200 ms (judged on the 95th percentile; the slowest is printed too).

Databases: as ``python -m bench search``. With ``--database-url`` (an archive already loaded)
the measures run on a copy made first (SQLite: the backup API into ``.bench/``; PostgreSQL:
``CREATE DATABASE <name>_dupbench TEMPLATE <name>``, which needs nobody else connected to it),
dropped afterwards, so the archive is never written to; ``--in-place`` skips the copy for a
disposable archive. Without ``--database-url``, a bench database is built from the corpus.

In a child process (``DJANGO_DEBUG=0``), in this order:

1. **Whole archive.** Every stored candidate pair is deleted, then
   ``find_duplicates(rebuild=True)`` (what ``manage.py find_duplicates --rebuild`` runs, worker
   processes included) recomputes every active article's band keys and every candidate pair.
   Timed: that call. Its phases are printed.
2. **New articles.** A dump of ``--new-articles`` articles is written: ``--new-near-share`` of
   them near-duplicates of random stored articles (a paragraph added or a word changed, as the
   corpus generator makes them), the others new articles of the corpus generator. It goes
   through the real import (``import_dump_files``) inside a transaction rolled back afterwards.
   Timed: only the import's hook, ``on_articles_imported``, summed over the batches and divided
   by the articles created. Also counted: how many planted near-duplicates were paired with
   their original.
3. **Merge and undo.** ``--pairs`` open candidate pairs (spread over the queue, no article in two
   of them) are merged (the lower id survives) and the merge undone, each call a transaction of
   its own, as from the review pages. Timed: each ``merge_articles`` and ``undo_merge`` call.
   Afterwards each pair is open again, and the merge records the bench wrote are deleted.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from bench import BENCH_DIR, corpus, print_json_result
from bench.importing import (
    DatabaseUnavailable,
    ImportFailed,
    _parse,
    delete_sqlite,
    describe_url,
    drop_postgres_database,
    sqlite_url,
)
from bench.search import (
    add_database_arguments,
    cleanup,
    percentile,
    prepare,
    print_table,
    run_child,
    say,
    setup_django,
    targets,
)

TARGET_ARCHIVE_SECONDS = 180
TARGET_HOOK_MS = 10
TARGET_MERGE_MS = 200
BENCH_USERNAME = "bench-duplicates"


class DuplicatesSection:
    help = (
        "Near-duplicates: whole-archive candidate generation, the import hook per new article, "
        "merge and undo (on a copy of the archive)."
    )

    @staticmethod
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        add_database_arguments(parser)
        parser.add_argument(
            "--new-articles",
            type=int,
            default=2000,
            help="Articles of the further dump imported (rolled back) (default: %(default)s).",
        )
        parser.add_argument(
            "--new-near-share",
            type=float,
            default=0.2,
            help="Share of them that are near-duplicates of stored articles "
            "(default: %(default)s).",
        )
        parser.add_argument(
            "--pairs",
            type=int,
            default=20,
            help="Candidate pairs merged and undone (default: %(default)s).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="find_duplicates --workers (default: one per CPU).",
        )
        parser.add_argument(
            "--in-place",
            action="store_true",
            help="Measure in the --database-url archive itself instead of a copy: its candidate "
            "pairs are deleted and found again (decisions lost). For a disposable archive only.",
        )

    @staticmethod
    def run(args: argparse.Namespace) -> int:
        say(
            "Duplicates: find_duplicates(rebuild=True) after deleting every candidate pair; "
            f"the import hook on a further dump of {args.new_articles:,} articles "
            f"({args.new_near_share:.0%} near-duplicates of stored ones; rolled back); "
            f"merge_articles and undo_merge on {args.pairs} candidate pairs; DJANGO_DEBUG=0."
        )
        extra = [
            "--new-articles",
            str(args.new_articles),
            "--new-near-share",
            str(args.new_near_share),
            "--pairs",
            str(args.pairs),
            "--seed",
            str(args.seed),
        ]
        if args.workers:
            extra += ["--workers", str(args.workers)]
        rows = []
        for name, url, built_here in targets(args):
            say()
            copy = None
            try:
                prepare(name, url, built_here, args)
                measured = url
                if not built_here and not args.in_place:
                    copy = copy_database(url)
                    measured = copy
                    say(f"  measuring on a copy: {describe_url(copy)}")
                result = run_child("bench.duplicates", measured, extra)
            except (DatabaseUnavailable, ImportFailed) as error:
                verdict = "SKIP" if isinstance(error, DatabaseUnavailable) else "FAIL"
                say(f"  {verdict}: {error}")
                rows.append([name, "duplicates", str(error).splitlines()[0][:90], "", verdict])
                continue
            finally:
                if copy is not None:
                    drop_copy(copy)
                cleanup(url, built_here, args.keep)
            _report(result)
            rows += _judge(name, result)
        say()
        say("Targets:")
        print_table(["database", "check", "measured", "target", "result"], rows)
        return 1 if any(row[-1] == "FAIL" for row in rows) else 0


def _report(result: dict) -> None:
    archive, hook, merges = result["archive"], result["hook"], result["merges"]
    phases = ", ".join(f"{phase} {s:,.1f} s" for phase, s in archive["phases"].items())
    say(
        f"  whole archive: {archive['articles']:,} active articles, {archive['seconds']:,.1f} s "
        f"({phases}); {archive['band_rows']:,} band key rows; "
        f"{archive['pairs_sharing_a_band']:,} pairs share a band, "
        f"{archive['candidates']:,} candidates (workers: {archive['workers']})"
    )
    say(
        f"  new articles: {hook['articles']:,} created in {hook['batches']} batches, hook "
        f"{hook['seconds']:,.2f} s = {hook['ms_per_article']:,.2f} ms per article "
        f"(slowest batch {hook['max_batch_ms_per_article']:,.2f} ms per article); "
        f"{hook['pairs']:,} pairs recorded; planted near-duplicates paired with their original: "
        f"{hook['planted_found']:,} of {hook['planted']:,}; whole import "
        f"{hook['import_seconds']:,.1f} s; rolled back: {hook['rolled_back']}"
    )
    say(
        f"  merge: p50 {merges['merge_p50_ms']:,.1f} ms, p95 {merges['merge_p95_ms']:,.1f} ms, "
        f"max {merges['merge_max_ms']:,.1f} ms; undo: p50 {merges['undo_p50_ms']:,.1f} ms, "
        f"p95 {merges['undo_p95_ms']:,.1f} ms, max {merges['undo_max_ms']:,.1f} ms "
        f"({merges['pairs']} pairs, {merges['carried']} other pairs carried over; restored: "
        f"{merges['restored']})"
    )


def _judge(name: str, result: dict) -> list[list[str]]:
    archive, hook, merges = result["archive"], result["hook"], result["merges"]
    label = f"{archive['articles']:,} articles"

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    return [
        [
            name,
            "whole archive",
            f"{archive['seconds']:,.1f} s ({label}, {archive['candidates']:,} candidates)",
            f"< {TARGET_ARCHIVE_SECONDS} s",
            verdict(archive["seconds"] < TARGET_ARCHIVE_SECONDS and archive["candidates"] > 0),
        ],
        [
            name,
            "new article",
            f"{hook['ms_per_article']:,.2f} ms per article ({hook['articles']:,} imported, "
            f"{hook['planted_found']}/{hook['planted']} planted pairs found)",
            f"< {TARGET_HOOK_MS} ms",
            verdict(
                hook["ms_per_article"] < TARGET_HOOK_MS
                and hook["rolled_back"]
                and hook["planted_found"] >= 0.9 * hook["planted"]
            ),
        ],
        [
            name,
            "merge",
            f"p95 {merges['merge_p95_ms']:,.1f} ms (p50 {merges['merge_p50_ms']:,.1f}, "
            f"max {merges['merge_max_ms']:,.1f}; {merges['pairs']} pairs)",
            f"< {TARGET_MERGE_MS} ms",
            verdict(merges["merge_p95_ms"] < TARGET_MERGE_MS and merges["pairs"] > 0),
        ],
        [
            name,
            "undo",
            f"p95 {merges['undo_p95_ms']:,.1f} ms (p50 {merges['undo_p50_ms']:,.1f}, "
            f"max {merges['undo_max_ms']:,.1f}; restored: {merges['restored']})",
            f"< {TARGET_MERGE_MS} ms",
            verdict(merges["undo_p95_ms"] < TARGET_MERGE_MS and merges["restored"]),
        ],
    ]


# --- The copy ---------------------------------------------------------------------------------


def copy_database(url: str) -> str:
    """A copy of the archive at ``url``, to measure on; returns its URL."""
    config = _parse(url)
    if "sqlite" in config["ENGINE"]:
        import sqlite3

        source = Path(config["NAME"])
        if not source.is_file():
            raise DatabaseUnavailable(f"no SQLite database at {source}")
        target = BENCH_DIR / f"{source.stem}-dupbench.sqlite3"
        target.parent.mkdir(parents=True, exist_ok=True)
        delete_sqlite(target)
        say(f"  copying {describe_url(url)} (SQLite backup API) ...")
        with (
            contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
            contextlib.closing(sqlite3.connect(target)) as dst,
        ):
            src.backup(dst)
        return sqlite_url(target)
    import psycopg
    from psycopg import sql

    from bench.importing import _postgres_admin

    name = f"{config['NAME']}_dupbench"[:63]
    say(f"  copying {describe_url(url)} (CREATE DATABASE ... TEMPLATE) ...")
    with _postgres_admin(config) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        try:
            connection.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(config["NAME"])
                )
            )
        except psycopg.Error as error:
            reason = " ".join(str(error).split())
            raise DatabaseUnavailable(f"cannot copy {config['NAME']}: {reason}") from None
    return url.rsplit("/", 1)[0] + "/" + name


def drop_copy(url: str) -> None:
    config = _parse(url)
    if "sqlite" in config["ENGINE"]:
        delete_sqlite(Path(config["NAME"]))
        return
    assert config["NAME"].endswith("_dupbench"), config["NAME"]  # only the copies made here
    with contextlib.suppress(DatabaseUnavailable):
        drop_postgres_database(config)


# --- Child side ----------------------------------------------------------------------------


def _whole_archive(workers: int | None) -> dict:
    import os
    import time

    from django.db import connection

    from duplicates.models import BandKey, DuplicateCandidate, MergeRecord
    from duplicates.services import find_duplicates

    # From scratch: no stored pair (merge records point at theirs; they go too).
    MergeRecord.objects.all().delete()
    DuplicateCandidate.objects.all().delete()
    started = time.perf_counter()
    report = find_duplicates(rebuild=True, workers=workers)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(BandKey._meta.db_table)}")
        (band_rows,) = cursor.fetchone()
    return {
        "articles": report.articles,
        "workers": workers or os.cpu_count() or 1,
        "seconds": round(seconds, 2),
        "phases": {phase: round(s, 2) for phase, s in report.seconds.items()},
        "sketched": report.sketched,
        "band_rows": band_rows,
        "pairs_sharing_a_band": report.pairs_sharing_a_band,
        "pairs_checked": report.pairs_checked,
        "candidates": report.candidates_created,
    }


def _write_new_dump(path: Path, count: int, near_share: float, seed: int) -> list[tuple[int, str]]:
    """A dump of ``count`` articles, ``near_share`` of them near-duplicates of random stored
    active articles, the others new articles from the corpus generator. Returns
    ``(original id, near-duplicate's fingerprint)`` for the planted near-duplicates."""
    import random

    from articles.dumps import fingerprint, render_dump
    from articles.models import Article

    rng = random.Random(f"{seed}-dupbench")
    active = list(Article.objects.active().order_by("pk").values_list("pk", flat=True))
    near = min(int(count * near_share), len(active))
    originals = rng.sample(active, near)
    texts = {
        pk: (title, body)
        for pk, title, body in Article.objects.filter(pk__in=originals).values_list(
            "pk", "title", "body"
        )
    }
    planted, records = [], []
    region = corpus.REGIONS[0].key
    for i, pk in enumerate(originals):
        title, body = texts[pk]
        paragraphs = tuple(p for p in body.split("\n\n") if p.strip())
        original = corpus._Article(region, title, (), paragraphs, None)
        copy, _ = corpus._near_duplicate(original, random.Random(f"{seed}-dupbench-near-{i}"))
        record = corpus._record(copy)
        planted.append((pk, fingerprint(record)))
        records.append(record)
    # New articles: numbers far beyond any corpus, so none is stored already.
    records += [corpus._record(corpus._article(seed, 10_000_000 + i)) for i in range(count - near)]
    rng.shuffle(records)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for chunk in render_dump(records):
            handle.write(chunk)
    return planted


def _new_articles(count: int, near_share: float, seed: int) -> dict:
    import tempfile
    import time

    from django.db import transaction

    import articles.services.importing as importing
    from articles.models import Article
    from bench import PUBLISHER
    from duplicates.models import DuplicateCandidate

    hook = importing.on_articles_imported
    calls: list[tuple[int, float, int]] = []  # (articles, seconds, pairs recorded)

    def timed_hook(articles, sketches=None):
        # The sketches the import computed beforehand (in its workers) are left out: the hook
        # computes them again, so that what is timed is the whole near-duplicate work of an
        # article, as when the hook runs on its own (after an admin edit, say).
        started = time.perf_counter()
        pairs = hook(articles)
        calls.append((len(articles), time.perf_counter() - started, pairs))
        return pairs

    before = (Article.objects.count(), DuplicateCandidate.objects.count())
    with tempfile.TemporaryDirectory(prefix="newsroom-dupbench-") as directory:
        path = Path(directory) / "new-articles.txt"
        planted = _write_new_dump(path, count, near_share, seed)
        importing.on_articles_imported = timed_hook
        try:
            with transaction.atomic():
                started = time.perf_counter()
                report = importing.import_dump_files(paths=[path], publisher=PUBLISHER)
                import_seconds = time.perf_counter() - started
                found = _planted_found(planted)
                transaction.set_rollback(True)
        finally:
            importing.on_articles_imported = hook
    rolled_back = (Article.objects.count(), DuplicateCandidate.objects.count()) == before
    articles = sum(n for n, _, _ in calls)
    seconds = sum(s for _, s, _ in calls)
    return {
        "articles": articles,
        "created": report.total("articles_created"),
        "batches": len(calls),
        "seconds": round(seconds, 3),
        "ms_per_article": round(1000 * seconds / articles, 3) if articles else float("inf"),
        "max_batch_ms_per_article": round(
            max((1000 * s / n for n, s, _ in calls if n), default=0), 3
        ),
        "pairs": sum(p for _, _, p in calls),
        "planted": len(planted),
        "planted_found": found,
        "import_seconds": round(import_seconds, 2),
        "rolled_back": rolled_back,
    }


def _planted_found(planted: list[tuple[int, str]]) -> int:
    from articles.models import Article
    from duplicates.models import DuplicateCandidate

    new_ids = dict(
        Article.objects.filter(fingerprint__in=[fp for _, fp in planted]).values_list(
            "fingerprint", "pk"
        )
    )
    found = 0
    for original, fp in planted:
        copy = new_ids.get(fp)
        if copy is not None and DuplicateCandidate.objects.pair(original, copy).exists():
            found += 1
    return found


def _bench_user():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username=BENCH_USERNAME)
    return user


def _pairs_to_merge(count: int) -> list:
    """``count`` open pairs of active articles, spread over the queue, no article twice."""
    from duplicates.models import DuplicateCandidate

    queue = list(DuplicateCandidate.objects.to_review().order_by("pk"))
    step = max(1, len(queue) // (count * 2))
    chosen, used = [], set()
    for candidate in queue[::step] + queue:
        if len(chosen) == count:
            break
        ends = {candidate.article_a_id, candidate.article_b_id}
        if ends & used:
            continue
        used |= ends
        chosen.append(candidate)
    return chosen


def _merges(count: int) -> dict:
    import time

    from articles.models import Article
    from duplicates.models import DuplicateCandidate, MergeRecord
    from duplicates.services import merge_articles, undo_merge

    user = _bench_user()
    merge_ms, undo_ms, records, carried = [], [], [], 0
    pairs = _pairs_to_merge(count)
    for pair in pairs:
        survivor = Article.objects.get(pk=pair.article_a_id)
        merged = Article.objects.get(pk=pair.article_b_id)
        started = time.perf_counter()
        record = merge_articles(
            survivor=survivor, merged=merged, user=user, reason="bench (undone)"
        )
        merge_ms.append(1000 * (time.perf_counter() - started))
        carried += len(record.snapshot["candidates"]["moved"])
        started = time.perf_counter()
        undo_merge(record=record, user=user, reason="bench")
        undo_ms.append(1000 * (time.perf_counter() - started))
        records.append(record.pk)
    restored = (
        all(
            candidate.status == DuplicateCandidate.Status.OPEN
            for candidate in DuplicateCandidate.objects.filter(pk__in=[p.pk for p in pairs])
        )
        and not Article.objects.filter(
            pk__in=[p.article_b_id for p in pairs], status=Article.Status.MERGED
        ).exists()
    )
    MergeRecord.objects.filter(pk__in=records).delete()

    def stats(values: list[float], name: str) -> dict:
        if not values:
            return {f"{name}_p50_ms": 0.0, f"{name}_p95_ms": 0.0, f"{name}_max_ms": 0.0}
        return {
            f"{name}_p50_ms": round(percentile(values, 50), 2),
            f"{name}_p95_ms": round(percentile(values, 95), 2),
            f"{name}_max_ms": round(max(values), 2),
        }

    return {
        "pairs": len(pairs),
        "carried": carried,
        "restored": restored,
        **stats(merge_ms, "merge"),
        **stats(undo_ms, "undo"),
        "merge_ms": [round(v, 2) for v in merge_ms],
        "undo_ms": [round(v, 2) for v in undo_ms],
    }


def _measure(args: argparse.Namespace) -> dict:
    from django.db import connection

    archive = _whole_archive(args.workers)
    print(f"whole archive: {archive}", file=sys.stderr, flush=True)
    hook = _new_articles(args.new_articles, args.new_near_share, args.seed)
    print(f"new articles: {hook}", file=sys.stderr, flush=True)
    merges = _merges(args.pairs)
    return {"database": connection.vendor, "archive": archive, "hook": hook, "merges": merges}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.duplicates")
    parser.add_argument("--child", action="store_true", help="Measure; print JSON.")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--new-articles", type=int, default=2000)
    parser.add_argument("--new-near-share", type=float, default=0.2)
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    args = parser.parse_args(argv)

    def measure():
        setup_django(args.database_url)
        return _measure(args)

    return print_json_result(measure)


if __name__ == "__main__":
    raise SystemExit(main())
