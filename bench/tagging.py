"""``python -m bench tagging``: bulk-tagging 10,000 articles from a search.

Target: bulk-tagging 10,000 articles from a search takes under 5 seconds on SQLite and
PostgreSQL.

The databases are those of ``python -m bench search`` (``--database-url`` for an archive already
loaded, otherwise a bench database built from the corpus). In a child process (DJANGO_DEBUG=0),
the search ``q=Gaza`` (more than half of the corpus) is cut to its first 10,000 articles by id
range, and :func:`articles.services.tagging.bulk_tag` tags them with a region none of them has,
inside a transaction that is rolled back afterwards, so the database is left as it was. What is
timed is the call, as the bulk-tag view makes it: reading the search's ids, then inserting the
tags and their TagEvents (the final commit is not included, as it is rolled back).
"""

from __future__ import annotations

import argparse

from bench import print_json_result
from bench.importing import DatabaseUnavailable, ImportFailed
from bench.search import (
    add_database_arguments,
    bench_user,
    cleanup,
    prepare,
    print_table,
    run_child,
    say,
    setup_django,
    targets,
)

TARGET_SECONDS = 5
ARTICLES = 10_000
QUERY = "q=Gaza"


class TaggingSection:
    help = "Bulk-tag 10,000 articles of a search (rolled back); seconds against the target."

    @staticmethod
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        add_database_arguments(parser)

    @staticmethod
    def run(args: argparse.Namespace) -> int:
        say(
            f"Bulk tagging: bulk_tag() of the search ?{QUERY} cut to its first {ARTICLES:,} "
            "articles by id, with a region none of them has, in a transaction rolled back "
            "afterwards; DJANGO_DEBUG=0."
        )
        rows = []
        for name, url, built_here in targets(args):
            say()
            try:
                prepare(name, url, built_here, args)
                result = run_child("bench.tagging", url, [])
            except (DatabaseUnavailable, ImportFailed) as error:
                verdict = "SKIP" if isinstance(error, DatabaseUnavailable) else "FAIL"
                say(f"  {verdict}: {error}")
                rows.append([name, "bulk tag", str(error).splitlines()[0][:90], "", verdict])
                cleanup(url, built_here, args.keep)
                continue
            cleanup(url, built_here, args.keep)
            say(
                f"  {result['tagged']:,} of {result['matches']:,} matches tagged with "
                f"{result['region']} in {result['seconds']:,.2f} s "
                f"({result['articles']:,} articles; rolled back: {result['rolled_back']})"
            )
            ok = (
                result["seconds"] < TARGET_SECONDS
                and result["tagged"] == ARTICLES
                and result["rolled_back"]
            )
            rows.append(
                [
                    name,
                    "bulk tag",
                    f"{result['tagged']:,} articles in {result['seconds']:,.2f} s",
                    f"{ARTICLES:,} in < {TARGET_SECONDS} s",
                    "PASS" if ok else "FAIL",
                ]
            )
        say()
        say("Targets:")
        print_table(["database", "check", "measured", "target", "result"], rows)
        return 1 if any(row[-1] == "FAIL" for row in rows) else 0


# --- Child side ----------------------------------------------------------------------------


def _measure() -> dict:
    import time

    from django.db import connection, transaction
    from django.http import QueryDict

    from articles.filters import ArticleFilter
    from articles.models import Article, Region, RegionTag, TagEvent
    from articles.services.tagging import bulk_tag

    user = bench_user()
    tagged_regions = RegionTag.objects.values("region_id")
    region = Region.objects.exclude(pk__in=tagged_regions).order_by("slug").first()
    if region is None:  # every region is used somewhere: the newly tagged count is then lower
        region = Region.objects.order_by("slug").first()
    results = ArticleFilter(QueryDict(QUERY), queryset=Article.objects.all()).qs
    ids = sorted(results.order_by().values_list("pk", flat=True))
    if len(ids) < ARTICLES:
        raise SystemExit(f"?{QUERY} matches {len(ids):,} articles, fewer than {ARTICLES:,}")
    articles = results.filter(pk__lte=ids[ARTICLES - 1])
    tags_before, events_before = RegionTag.objects.count(), TagEvent.objects.count()

    with transaction.atomic():
        started = time.perf_counter()
        tagged = bulk_tag(
            articles=articles,
            region=region,
            user=user,
            description=f"bench: every result of search ?{QUERY} (rolled back)",
        )
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    rolled_back = (RegionTag.objects.count(), TagEvent.objects.count()) == (
        tags_before,
        events_before,
    )
    return {
        "database": connection.vendor,
        "articles": Article.objects.count(),
        "matches": len(ids),
        "region": region.slug,
        "tagged": tagged,
        "seconds": round(seconds, 3),
        "rolled_back": rolled_back,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tagging")
    parser.add_argument("--child", action="store_true", help="Measure; print JSON.")
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args(argv)

    def measure():
        setup_django(args.database_url)
        return _measure()

    return print_json_result(measure)


if __name__ == "__main__":
    raise SystemExit(main())
