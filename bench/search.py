"""``python -m bench search``: the search page's latency, rendered in full, on a loaded archive.

Target: with 100,000 articles loaded, the search page (results, paginator count, page of 20,
snippets, facet counts, template) answers within 150 ms at the 95th percentile over a fixed set
of queries, broad ones included (``Gaza`` matches more than half of the corpus), on SQLite and
on PostgreSQL.

Parent side: for each database, either the one named by ``--database-url`` (an archive already
loaded: it is migrated, never emptied) or a bench database built with
:func:`bench.importing.load_corpus` from a corpus of ``$BENCH_SEARCH_ARTICLES`` (100,000)
distinct articles. Then ``python -m bench.search --child ...`` runs against it with
``DJANGO_DEBUG=0`` and prints its measures as JSON.

Child side: a bench user (with the tag_articles permission, so the page is the editor's, bulk
form included) is logged in with ``django.test.Client.force_login``; each query's full request
``GET /?q=...`` is timed ``--rounds`` times after one warm-up request.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench import BENCH_DIR, DEFAULT_POSTGRES_URL, REPO_ROOT, corpus, print_json_result
from bench.importing import (
    DatabaseUnavailable,
    ImportFailed,
    describe_url,
    drop_database,
    load_corpus,
    sqlite_url,
)

TARGET_P95_MS = 150
DATABASE_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
BENCH_USERNAME = "bench-search"
# Bench databases built when no --database-url is given (apart from the import section's).
SEARCH_SQLITE_PATH = BENCH_DIR / "search.sqlite3"
SEARCH_POSTGRES_NAME = "newsroom_bench_search"

# (label, query string): the fixed set. The label is what the tables print.
QUERIES = [
    ("Gaza", "q=Gaza"),
    ("said", "q=said"),
    ("Israel", "q=Israel"),
    ("Gaza -Rafah", "q=Gaza+-Rafah"),
    ('"Gaza City"', "q=%22Gaza+City%22"),
    ("Gaz*", "q=Gaz*"),
    ("Hamas", "q=Hamas"),
    ("negotiations", "q=negotiations"),
    ("Haftar", "q=Haftar"),
    ("Khan Younis", "q=Khan+Younis"),
    ("UNRWA", "q=UNRWA"),
    ("Turkiye", "q=Turkiye"),
    ('"humanitarian corridor"', "q=%22humanitarian+corridor%22"),
    ("Libya OR Sudan", "q=Libya+OR+Sudan"),
    ("Beirut -Hezbollah", "q=Beirut+-Hezbollah"),
    ("El Fasher famine", "q=El+Fasher+famine"),
    ("Tripol*", "q=Tripol*"),
    ("Gaza region=gaza newest", "q=Gaza&region=gaza&region=israel&sort=newest"),
    ("Gaza page 50", "q=Gaza&page=50"),
    ("(empty: home page)", ""),
]


def default_search_articles() -> int:
    value = os.environ.get("BENCH_SEARCH_ARTICLES", "").replace("_", "").replace(",", "").strip()
    try:
        articles = int(value) if value else 100_000
    except ValueError:
        articles = 0
    if articles < 1:
        raise SystemExit(f"BENCH_SEARCH_ARTICLES must be a positive whole number, not {value!r}")
    return articles


# --- Shared with bench.tagging -------------------------------------------------------------


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--databases",
        default="sqlite,postgres",
        help="Comma-separated: sqlite, postgres (default: both), each built as a bench database "
        "holding the corpus. Ignored when --database-url is given.",
    )
    parser.add_argument(
        "--database-url",
        action="append",
        default=[],
        metavar="URL",
        help="An archive already loaded (repeatable): migrated and measured, never emptied.",
    )
    parser.add_argument(
        "--search-articles",
        type=int,
        default=default_search_articles(),
        help="Articles of the bench database built when no --database-url is given (default: "
        "$BENCH_SEARCH_ARTICLES or 100,000; the corpus is generated without exact repeats, so "
        "every block is a distinct article).",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="Keep the bench databases built here (by default they are dropped afterwards).",
    )


def targets(args: argparse.Namespace) -> list[tuple[str, str, bool]]:
    """(name, database URL, built here) for each database to measure."""
    if args.database_url:
        return [(_name_of(url), url, False) for url in args.database_url]
    chosen = []
    for name in (n.strip().lower() for n in args.databases.split(",") if n.strip()):
        name = {"postgresql": "postgres", "pg": "postgres", "sqlite3": "sqlite"}.get(name, name)
        if name == "sqlite":
            chosen.append(("SQLite", sqlite_url(SEARCH_SQLITE_PATH), True))
        elif name == "postgres":
            base = os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL
            url = base.rsplit("/", 1)[0] + "/" + SEARCH_POSTGRES_NAME
            chosen.append(("PostgreSQL", url, True))
        else:
            raise SystemExit(f"--databases: choose from sqlite, postgres (got {name!r})")
    return chosen


def _name_of(url: str) -> str:
    return "SQLite" if url.startswith("sqlite") else "PostgreSQL"


def prepare(name: str, url: str, built_here: bool, args: argparse.Namespace) -> None:
    """Build the bench database when it is ours (raises DatabaseUnavailable/ImportFailed)."""
    say(f"{name}: {describe_url(url)}")
    if not built_here:
        return
    build_archive(url, args)


def build_archive(url: str, args: argparse.Namespace) -> None:
    """Import the search corpus (``--search-articles`` distinct articles) into ``url``."""
    articles = args.search_articles
    directory = Path(args.corpus_dir)
    directory = directory.with_name(f"{directory.name}-search-{articles}")
    manifest = corpus.ensure(
        directory,
        articles=articles,
        seed=args.seed,
        repeat_share=0.0,
        near_share=args.near_share,
        log=say,
    )
    say(f"  importing {corpus.describe(manifest)} into a fresh database ...")
    stats = load_corpus(url, corpus_dir=directory, debug=False)
    say(f"    {stats['rows']['articles']:,} articles in {stats['seconds']:,.1f} s")


def cleanup(url: str, built_here: bool, keep: bool) -> None:
    if built_here and not keep:
        with contextlib.suppress(DatabaseUnavailable):
            drop_database(url)


def run_child(module: str, url: str, extra: list[str]) -> dict:
    command = [sys.executable, "-m", module, "--child", "--database-url", url, *extra]
    completed = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        tail = "\n".join(completed.stderr.strip().splitlines()[-25:])
        raise ImportFailed(f"{module} exited with status {completed.returncode}:\n{tail}")
    return json.loads(lines[-1])


def say(text: str = "") -> None:
    print(text, flush=True)


def print_table(headers: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> None:
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


def setup_django(database_url: str) -> None:
    """In the child: Django for that database, DEBUG off, migrated."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    os.environ["DJANGO_DEBUG"] = "0"
    # Production settings but over plain HTTP: the test client sends no HTTPS.
    os.environ["DJANGO_HTTPS"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench")
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def bench_user():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user, _ = get_user_model().objects.get_or_create(username=BENCH_USERNAME)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["tag_articles", "bulk_tag_articles"])
    )
    return get_user_model().objects.get(pk=user.pk)  # permissions cache fresh


# --- Section -----------------------------------------------------------------------------------


class SearchSection:
    help = "Search page latency (full render, facets, snippets) on a loaded archive."

    @staticmethod
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        add_database_arguments(parser)
        parser.add_argument(
            "--rounds",
            type=int,
            default=5,
            help="Timed requests per query, after one warm-up (default: %(default)s).",
        )

    @staticmethod
    def run(args: argparse.Namespace) -> int:
        say(
            f"Search page: GET /?q=... through django.test.Client as a logged-in editor, "
            f"DJANGO_DEBUG=0, {len(QUERIES)} queries x {args.rounds} rounds after one warm-up "
            f"each; p50/p95 over every timed request."
        )
        rows, results = [], []
        for name, url, built_here in targets(args):
            say()
            try:
                prepare(name, url, built_here, args)
                result = run_child("bench.search", url, ["--rounds", str(args.rounds)])
            except (DatabaseUnavailable, ImportFailed) as error:
                say(f"  {'SKIP' if isinstance(error, DatabaseUnavailable) else 'FAIL'}: {error}")
                verdict = "SKIP" if isinstance(error, DatabaseUnavailable) else "FAIL"
                rows.append([name, "search p95", str(error).splitlines()[0][:90], "", verdict])
                cleanup(url, built_here, args.keep)
                continue
            cleanup(url, built_here, args.keep)
            results.append((name, result))
            p50, p95 = result["p50_ms"], result["p95_ms"]
            bad = [q["label"] for q in result["queries"] if q["status"] != 200]
            label = f"{result['articles']:,} articles"
            rows.append([name, "search p50", f"{p50:,.1f} ms ({label})", "", "info"])
            rows.append(
                [
                    name,
                    "search p95",
                    f"{p95:,.1f} ms (max {result['max_ms']:,.1f} ms)"
                    + (f"; HTTP errors: {', '.join(bad)}" if bad else ""),
                    f"< {TARGET_P95_MS} ms",
                    "PASS" if p95 < TARGET_P95_MS and not bad else "FAIL",
                ]
            )

        if results:
            say()
            say("Per query: median ms of the timed requests (matches = active articles found):")
            names = [name for name, _ in results]
            table = []
            for i, (label, _) in enumerate(QUERIES):
                cells = [label]
                for _, result in results:
                    q = result["queries"][i]
                    cells += [f"{q['matches']:,}", f"{q['median_ms']:,.1f}"]
                table.append(cells)
            headers = ["query"]
            for name in names:
                headers += [f"{name} matches", f"{name} ms"]
            print_table(headers, table, right=set(range(1, len(headers))))
        say()
        say("Targets:")
        print_table(["database", "check", "measured", "target", "result"], rows)
        return 1 if any(row[-1] == "FAIL" for row in rows) else 0


# --- Child side ----------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (k - low)


def _measure(rounds: int) -> dict:
    import time

    from django.db import connection
    from django.http import QueryDict
    from django.test import Client, override_settings

    from articles.filters import ArticleFilter
    from articles.models import Article

    client = Client()
    client.force_login(bench_user())
    queries, every = [], []
    # No collected static files in a checkout: the manifest storage DEBUG=0 uses would fail.
    plain_static = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ALLOWED_HOSTS=["testserver"], STORAGES=plain_static):
        for label, query in QUERIES:
            matches = ArticleFilter(QueryDict(query), queryset=Article.objects.all()).qs.count()
            path = "/?" + query if query else "/"
            status = client.get(path).status_code  # warm-up
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                status = status if status != 200 else response.status_code
            every += times
            queries.append(
                {
                    "label": label,
                    "path": path,
                    "matches": matches,
                    "status": status,
                    "median_ms": round(statistics.median(times), 2),
                    "max_ms": round(max(times), 2),
                    "bytes": len(response.content),
                }
            )
    return {
        "database": connection.vendor,
        "articles": Article.objects.count(),
        "rounds": rounds,
        "p50_ms": round(percentile(every, 50), 2),
        "p95_ms": round(percentile(every, 95), 2),
        "max_ms": round(max(every), 2),
        "queries": queries,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search")
    parser.add_argument("--child", action="store_true", help="Measure; print JSON.")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    def measure():
        setup_django(args.database_url)
        return _measure(args.rounds)

    return print_json_result(measure)


if __name__ == "__main__":
    raise SystemExit(main())
