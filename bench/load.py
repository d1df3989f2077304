"""``python -m bench load``: the app under load, served by gunicorn, used by concurrent editors.

Target (issue 6): 8 editors searching, filtering and opening articles for 60 seconds against
gunicorn on PostgreSQL with the 100,000-article archive: no errors, and the search page's 95th
percentile at most 300 ms.

Archive: the one named by ``--database-url`` (already loaded: it is migrated, never emptied), or
a bench database built with :func:`bench.importing.load_corpus` from a corpus of
``--search-articles`` distinct articles (``newsroom_bench_load`` on PostgreSQL, or
``.bench/load.sqlite3`` with ``--database sqlite``), dropped afterwards unless ``--keep``.
The bench writes to that database: the ``bench-load`` editor account (created, or its password
reset), the sessions of its logins, and whatever the login records (throttling logs).

Server: ``python -m gunicorn newsroom.wsgi`` on 127.0.0.1 and a free port, ``DJANGO_DEBUG=0``, a
secret key generated for the run, ``DJANGO_ALLOWED_HOSTS=127.0.0.1``, ``newsroom.settings``
unchanged but for ``STATIC_ROOT``, a temporary folder ``collectstatic`` fills first (a settings
module generated in that folder imports ``newsroom.settings`` and overrides only that). It is
stopped (SIGTERM, then SIGKILL to its process group) whatever happens, Ctrl-C included.

Load: ``--users`` threads, each an editor with its own ``requests`` session, log in through the
real login form (CSRF token, POST /accounts/login/), then loop until ``--seconds`` have passed
(or ``--max-requests`` were sent in all), pausing ``--think`` seconds (uniform, seeded) before
the first request and between requests, over a mix: a search from
:data:`bench.search.QUERIES`; a search narrowed by what the last results page offers (a region,
a source, a sort order, page 2 to 5); an article opened from the last results; a region page;
the list of regions. Only 127.0.0.1 is ever requested.

Each kind of request is reported with its count, errors (a status other than the expected one:
200 for pages, a redirect to ``/`` for the login; or an exception such as a timeout), p50, p95
and max milliseconds (as the client sees them, the body read in full) and requests per second.
"The search page" is every GET of ``/``, plain and filtered. Exit status 1 when a target is
missed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import html
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench import BENCH_DIR, DEFAULT_POSTGRES_URL, REPO_ROOT, print_json_result
from bench.importing import (
    DatabaseUnavailable,
    ImportFailed,
    describe_url,
    drop_database,
    sqlite_url,
)
from bench.search import (
    QUERIES,
    build_archive,
    default_search_articles,
    percentile,
    print_table,
    say,
)

TARGET_SEARCH_P95_MS = 300
BENCH_USERNAME = "bench-load"
LOAD_SQLITE_PATH = BENCH_DIR / "load.sqlite3"
LOAD_POSTGRES_NAME = "newsroom_bench_load"
HOST = "127.0.0.1"
# Per request: connecting, then waiting for the response (gunicorn's own worker timeout is 30 s).
REQUEST_TIMEOUT = (5, 35)
SERVER_START_SECONDS = 60

# Kinds of request, in the order the report lists them, with their share of the loop.
LOGIN = "login"
SEARCH = "search"
FILTERED = "search + filters"
ARTICLE = "article"
REGION = "region page"
REGIONS = "regions list"
SLOWEST_SHOWN = 10
MIX = {SEARCH: 35, FILTERED: 25, ARTICLE: 25, REGIONS: 5, REGION: 10}
SEARCH_PAGE_KINDS = (SEARCH, FILTERED)
SORTS = ("relevance", "newest", "oldest", "title")

ARTICLE_LINK = re.compile(r'href="(/articles/\d+/)"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FACET_INPUT = re.compile(r'<input type="checkbox" name="(region|source)" value="([^"]+)"')
REGION_LINK = re.compile(r'href="/regions/([\w-]+)/"')


# --- The server --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerConfig:
    workers: int
    threads: int
    conn_max_age: int

    def describe(self) -> str:
        kind = f"gthread, {self.threads} threads each" if self.threads > 1 else "sync"
        return (
            f"gunicorn: {self.workers} workers ({kind}), timeout 30 s; "
            f"DJANGO_CONN_MAX_AGE={self.conn_max_age}"
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _django_env(database_url: str, folder: Path, conn_max_age: int) -> dict[str, str]:
    """The environment of the setup child and of gunicorn: production-like settings."""
    settings = folder / "bench_load_settings.py"
    settings.write_text(
        "from newsroom.settings import *  # noqa: F403\n\n"
        f"STATIC_ROOT = {str(folder / 'static')!r}\n"
    )
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="bench_load_settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_CONN_MAX_AGE=str(conn_max_age),
        # Plain HTTP on the loopback: in production a proxy in front terminates TLS.
        DJANGO_HTTPS="0",
        PYTHONPATH=os.pathsep.join([str(folder), str(REPO_ROOT)]),
    )
    return env


def _prepare_site(env: dict[str, str], password: str) -> dict:
    """Migrate, collect the static files and set up the bench editor, in a child process."""
    command = [sys.executable, "-m", "bench.load", "--child-setup"]
    completed = subprocess.run(
        command,
        cwd=REPO_ROOT,
        env={**env, "BENCH_LOAD_PASSWORD": password},
        capture_output=True,
        text=True,
        check=False,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        tail = "\n".join(completed.stderr.strip().splitlines()[-25:])
        raise ImportFailed(f"the setup process exited with status {completed.returncode}:\n{tail}")
    return json.loads(lines[-1])


@contextlib.contextmanager
def gunicorn(env: dict[str, str], config: ServerConfig, log_path: Path) -> Iterator[str]:
    """gunicorn serving the app on 127.0.0.1; yields its base URL; always stopped afterwards."""
    import requests

    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "newsroom.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(config.workers),
        "--threads",
        str(config.threads),
        "--worker-class",
        "gthread" if config.threads > 1 else "sync",
        "--timeout",
        "30",
        "--graceful-timeout",
        "5",
        # Its default control socket is one path per machine user: several servers would clash.
        "--no-control-socket",
    ]
    base_url = f"http://{HOST}:{port}"
    with log_path.open("w") as log:
        # A session of its own: Ctrl-C reaches the bench, which stops the server itself.
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if process.poll() is not None:
                raise ImportFailed(
                    f"gunicorn exited with status {process.returncode}:\n{_tail(log_path)}"
                )
            try:
                answer = requests.get(
                    base_url + "/accounts/login/", timeout=2, allow_redirects=False
                )
                if answer.status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise ImportFailed(
                    f"gunicorn did not answer within {SERVER_START_SECONDS} s:\n{_tail(log_path)}"
                )
            time.sleep(0.2)
        yield base_url
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
    # Workers left behind by a master that died or hung: the whole process group goes.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def _shown(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def _tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- The editors -------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    ms: float
    ok: bool
    detail: str = ""
    path: str = ""


@dataclass
class Editor:
    """One virtual editor: a session, what the last results page offered, a seeded choice."""

    base_url: str
    username: str
    password: str
    rng: random.Random
    session: object = None
    article_links: list[str] = field(default_factory=list)
    facets: dict[str, list[str]] = field(default_factory=lambda: {"region": [], "source": []})
    last_body: str = ""
    steps: int = 0

    def request(self, kind: str, path: str, *, expect: int = 200, data=None) -> Sample:
        import requests

        url = self.base_url + path
        started = time.perf_counter()
        try:
            if data is None:
                response = self.session.get(url, timeout=REQUEST_TIMEOUT, allow_redirects=False)
            else:
                response = self.session.post(
                    url, data=data, timeout=REQUEST_TIMEOUT, allow_redirects=False
                )
            body = response.text
        except requests.RequestException as error:
            ms = (time.perf_counter() - started) * 1000
            return Sample(kind, ms, False, f"{type(error).__name__} on {path}")
        ms = (time.perf_counter() - started) * 1000
        if response.status_code != expect:
            where = response.headers.get("Location", "")
            detail = f"HTTP {response.status_code} on {path}" + (f" -> {where}" if where else "")
            return Sample(kind, ms, False, detail)
        if kind in SEARCH_PAGE_KINDS or kind == REGION or path == "/":
            self._remember(body)
        elif kind == REGIONS:
            self.facets["region"] = REGION_LINK.findall(body) or self.facets["region"]
        self.last_body = body
        return Sample(kind, ms, True, path=path)

    def _remember(self, body: str) -> None:
        self.article_links = ARTICLE_LINK.findall(body) or self.article_links
        offered = {"region": [], "source": []}
        for name, value in FACET_INPUT.findall(body):
            offered[name].append(html.unescape(value))
        for name, values in offered.items():
            if values:
                self.facets[name] = values

    def login(self) -> Sample:
        import requests

        self.session = requests.Session()
        form = self.request(LOGIN, "/accounts/login/")
        if not form.ok:
            return form
        token = CSRF_INPUT.search(self.last_body)
        if token is None:
            return Sample(LOGIN, form.ms, False, "no CSRF token on the login form")
        posted = self.request(
            LOGIN,
            "/accounts/login/",
            expect=302,
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": self.username,
                "password": self.password,
                "next": "/",
            },
        )
        if not posted.ok:
            return Sample(LOGIN, form.ms + posted.ms, False, posted.detail)
        # Where the redirect leads, as a browser follows it; it seeds the first choices too.
        home = self.request(LOGIN, "/")
        return Sample(LOGIN, form.ms + posted.ms + home.ms, home.ok, home.detail)

    def step(self) -> Sample:
        # A tour of every kind first (so that even a short run has them all), then the mix.
        self.steps += 1
        if self.steps <= len(MIX):
            kind = list(MIX)[self.steps - 1]
        else:
            kind = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
        if kind == ARTICLE and not self.article_links:
            kind = SEARCH
        if kind == SEARCH:
            return self.request(SEARCH, self._search_path())
        if kind == FILTERED:
            return self.request(FILTERED, self._filtered_path())
        if kind == ARTICLE:
            return self.request(ARTICLE, self.rng.choice(self.article_links))
        if kind == REGION and self.facets["region"]:
            slug = self.rng.choice(self.facets["region"])
            page = f"?page={self.rng.randint(2, 3)}" if self.rng.random() < 0.2 else ""
            return self.request(REGION, f"/regions/{slug}/{page}")
        return self.request(REGIONS, "/regions/")

    def _search_path(self) -> str:
        _, query = self.rng.choice(QUERIES)
        return "/?" + query if query else "/"

    def _filtered_path(self) -> str:
        _, query = self.rng.choice([q for q in QUERIES if q[1].startswith("q=")])
        extra = []
        # One to three of the narrowing an editor does from a results page.
        choices = ["sort", "page"]
        choices += [name for name in ("region", "source") if self.facets[name]]
        for name in self.rng.sample(choices, k=self.rng.randint(1, min(3, len(choices)))):
            if name == "sort":
                extra.append(("sort", self.rng.choice(SORTS)))
            elif name == "page":
                extra.append(("page", str(self.rng.randint(2, 5))))
            else:
                extra.append((name, self.rng.choice(self.facets[name])))
        return "/?" + query + "&" + urlencode(extra)


@dataclass
class LoadRun:
    samples: list[Sample]
    seconds: float  # the timed window, from the first request after the logins to the last end
    users: int
    stopped_early: str = ""


def run_editors(
    base_url: str,
    *,
    users: int,
    seconds: float,
    password: str,
    think: tuple[float, float],
    max_requests: int,
    seed: int,
) -> LoadRun:
    """Log ``users`` editors in, then let them work for ``seconds``; every request's sample."""
    if not base_url.startswith(f"http://{HOST}:"):
        raise ValueError("the load bench only ever requests 127.0.0.1")
    editors = [
        Editor(base_url, BENCH_USERNAME, password, random.Random(seed * 1000 + index))
        for index in range(users)
    ]
    samples: list[Sample] = []
    lock = threading.Lock()
    stop = threading.Event()
    window: dict[str, float] = {}

    def open_window() -> None:  # run once, before any editor is let through
        window["start"] = time.perf_counter()
        window["end"] = window["start"] + seconds

    logged_in = threading.Barrier(users + 1, action=open_window)
    sent = 0

    def work(editor: Editor) -> None:
        try:
            loop(editor)
        finally:
            if editor.session is not None:
                editor.session.close()  # no keep-alive connection holds the server's stop up

    def loop(editor: Editor) -> None:
        nonlocal sent
        sample = editor.login()
        with lock:
            samples.append(sample)
        try:
            logged_in.wait()
        except threading.BrokenBarrierError:
            return
        if not sample.ok:
            return
        # Each editor first pauses as between two requests: released by the barrier together,
        # the eight would otherwise send their first searches in the same millisecond, a burst
        # that no newsroom makes and that would be most of the slowest 5% of a minute's run.
        stop.wait(editor.rng.uniform(*think))
        while not stop.is_set() and time.perf_counter() < window["end"]:
            with lock:
                if sent >= max_requests:
                    stop.set()
                    break
                sent += 1
            sample = editor.step()
            with lock:
                samples.append(sample)
            pause = editor.rng.uniform(*think)
            if pause:
                stop.wait(min(pause, max(0.0, window["end"] - time.perf_counter())))

    threads = [
        threading.Thread(target=work, args=(editor,), name=f"editor-{index}", daemon=True)
        for index, editor in enumerate(editors)
    ]
    for thread in threads:
        thread.start()
    try:
        logged_in.wait(timeout=120)
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.5)  # short waits: Ctrl-C is seen in the main thread
    except threading.BrokenBarrierError:
        stop.set()
        with lock:
            return LoadRun(list(samples), 0.0, users, "the editors could not all log in in time")
    except BaseException:
        stop.set()
        logged_in.abort()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT[0] + REQUEST_TIMEOUT[1])
        raise
    elapsed = time.perf_counter() - window["start"]
    note = f"stopped at --max-requests {max_requests:,}" if sent >= max_requests else ""
    return LoadRun(samples, elapsed, users, note)


# --- Report ------------------------------------------------------------------------------------


def summarize(run: LoadRun) -> list[dict]:
    """One row per kind (login first), then the search page and everything after the logins."""
    groups = [(kind, (kind,)) for kind in (LOGIN, SEARCH, FILTERED, ARTICLE, REGION, REGIONS)]
    groups.append(("search page (all GET /)", SEARCH_PAGE_KINDS))
    groups.append(("all but logins", tuple(MIX)))
    rows = []
    for label, kinds in groups:
        chosen = [s for s in run.samples if s.kind in kinds]
        times = [s.ms for s in chosen]
        rows.append(
            {
                "label": label,
                "kinds": kinds,
                "count": len(chosen),
                "errors": sum(not s.ok for s in chosen),
                "p50_ms": percentile(times, 50) if times else None,
                "p95_ms": percentile(times, 95) if times else None,
                "max_ms": max(times) if times else None,
                "per_second": len(chosen) / run.seconds if run.seconds and label != LOGIN else None,
            }
        )
    return rows


def verdicts(run: LoadRun, rows: list[dict]) -> list[list[str]]:
    errors = [s for s in run.samples if not s.ok]
    search = next(row for row in rows if row["kinds"] == SEARCH_PAGE_KINDS)
    missing = [row["label"] for row in rows if len(row["kinds"]) == 1 and not row["count"]]
    checks = []
    shown = "; ".join(sorted({s.detail for s in errors}))[:200]
    checks.append(
        [
            "no errors",
            f"{len(errors):,} of {len(run.samples):,} requests" + (f": {shown}" if shown else ""),
            "0",
            "PASS" if not errors and not run.stopped_early.startswith("the editors") else "FAIL",
        ]
    )
    p95 = search["p95_ms"]
    checks.append(
        [
            "search page p95",
            f"{p95:,.0f} ms over {search['count']:,} requests" if p95 is not None else "none",
            f"<= {TARGET_SEARCH_P95_MS} ms",
            "PASS" if p95 is not None and p95 <= TARGET_SEARCH_P95_MS else "FAIL",
        ]
    )
    checks.append(
        [
            "every kind of request ran",
            "missing: " + ", ".join(missing) if missing else "yes",
            "all",
            "FAIL" if missing else "PASS",
        ]
    )
    return checks


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def print_report(run: LoadRun, rows: list[dict]) -> None:
    say(
        f"{run.users} editors for {run.seconds:,.1f} s"
        + (f" ({run.stopped_early})" if run.stopped_early else "")
        + "; milliseconds as the client sees them (response read in full):"
    )
    print_table(
        ["request", "count", "errors", "p50 ms", "p95 ms", "max ms", "req/s"],
        [
            [
                row["label"],
                f"{row['count']:,}",
                f"{row['errors']:,}",
                _ms(row["p50_ms"]),
                _ms(row["p95_ms"]),
                _ms(row["max_ms"]),
                "" if row["per_second"] is None else f"{row['per_second']:,.1f}",
            ]
            for row in rows
        ],
        right={1, 2, 3, 4, 5, 6},
    )


def _load_averages() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


# --- Section -----------------------------------------------------------------------------------


def _positive(kind):
    def parse(text: str):
        value = kind(text.replace("_", "").replace(",", ""))
        if value <= 0:
            raise argparse.ArgumentTypeError("must be positive")
        return value

    return parse


def _think(text: str) -> tuple[float, float]:
    try:
        parts = [float(part) for part in text.split(",")]
    except ValueError:
        parts = []
    if len(parts) == 1:
        parts *= 2
    if len(parts) != 2 or not 0 <= parts[0] <= parts[1] <= 60:
        raise argparse.ArgumentTypeError("MIN,MAX seconds (or one number), 0 <= MIN <= MAX <= 60")
    return parts[0], parts[1]


class LoadSection:
    help = "Concurrent editors against gunicorn for a fixed time: errors and search page p95."

    @staticmethod
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--database-url",
            metavar="URL",
            help="An archive already loaded: migrated and used (the bench editor account and "
            "its sessions are written to it), never emptied.",
        )
        parser.add_argument(
            "--database",
            choices=["postgres", "sqlite"],
            default="postgres",
            help="Without --database-url: the bench database to build (default: %(default)s; "
            f"PostgreSQL at $BENCH_POSTGRES_URL's server, database {LOAD_POSTGRES_NAME}).",
        )
        parser.add_argument(
            "--search-articles",
            type=_positive(int),
            default=default_search_articles(),
            help="Articles of the bench database built when no --database-url is given "
            "(default: $BENCH_SEARCH_ARTICLES or 100,000, no exact repeats).",
        )
        parser.add_argument(
            "--keep", action="store_true", help="Keep the bench database built here."
        )
        parser.add_argument("--users", type=_positive(int), default=8, help="(default: 8)")
        parser.add_argument(
            "--seconds", type=_positive(float), default=60.0, help="Timed window (default: 60)."
        )
        parser.add_argument(
            "--think",
            type=_think,
            default=(0.5, 2.0),
            metavar="MIN,MAX",
            help="Seconds each editor pauses after a request, uniform (default: 0.5,2; "
            "0 for back-to-back requests).",
        )
        parser.add_argument(
            "--max-requests",
            type=_positive(int),
            default=50_000,
            help="Stop sooner once this many requests were sent in all (default: %(default)s).",
        )
        parser.add_argument(
            "--workers",
            type=_positive(int),
            default=4,
            help="gunicorn worker processes (default: %(default)s, for 2 cores).",
        )
        parser.add_argument(
            "--threads",
            type=_positive(int),
            default=2,
            help="Threads per worker; more than 1 uses the gthread worker (default: %(default)s).",
        )
        parser.add_argument(
            "--conn-max-age",
            type=int,
            default=60,
            help="DJANGO_CONN_MAX_AGE of the server: seconds a database connection is kept "
            "(default: %(default)s; 0 reconnects on every request).",
        )

        parser.add_argument(
            "--server-log",
            type=Path,
            default=BENCH_DIR / "load-gunicorn.log",
            help="gunicorn's output, kept after the run (default: .bench/load-gunicorn.log).",
        )

    @staticmethod
    def run(args: argparse.Namespace) -> int:
        if args.database_url:
            url, built_here = args.database_url, False
        elif args.database == "sqlite":
            url, built_here = sqlite_url(LOAD_SQLITE_PATH), True
        else:
            base = os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL
            url, built_here = base.rsplit("/", 1)[0] + "/" + LOAD_POSTGRES_NAME, True
        config = ServerConfig(args.workers, args.threads, args.conn_max_age)
        think = "no pause" if args.think == (0, 0) else f"{args.think[0]:g}-{args.think[1]:g} s"
        say(
            f"Under load: {args.users} editors (threads, one requests session each) log in "
            f"through the login form, then search, filter, open articles and region pages for "
            f"{args.seconds:g} s, pausing {think} between requests; DJANGO_DEBUG=0."
        )
        say(config.describe())
        say(f"Database: {describe_url(url)}")
        try:
            if built_here:
                build_archive(url, args)
            code = _measure(url, config, args)
        except (DatabaseUnavailable, ImportFailed) as error:
            verdict = "SKIP" if isinstance(error, DatabaseUnavailable) else "FAIL"
            say(f"  {verdict}: {error}")
            return 0 if verdict == "SKIP" else 1
        finally:
            if built_here and not args.keep:
                with contextlib.suppress(DatabaseUnavailable):
                    drop_database(url)
        return code


def _measure(url: str, config: ServerConfig, args: argparse.Namespace) -> int:
    password = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-load-") as folder:
        env = _django_env(url, Path(folder), config.conn_max_age)
        site = _prepare_site(env, password)
        say(f"  {site['articles']:,} articles; bench editor {BENCH_USERNAME!r} ready")
        args.server_log.parent.mkdir(parents=True, exist_ok=True)
        with gunicorn(env, config, args.server_log) as base_url:
            started = datetime.datetime.now(datetime.UTC)
            load_before = _load_averages()
            say(
                f"  gunicorn answering at {base_url}; started "
                f"{started:%Y-%m-%d %H:%M:%S} UTC, load averages {load_before}"
            )
            run = run_editors(
                base_url,
                users=args.users,
                seconds=args.seconds,
                password=password,
                think=args.think,
                max_requests=args.max_requests,
                seed=args.seed,
            )
            load_after = _load_averages()
    say(f"  load averages (1, 5, 15 min) before {load_before}, after {load_after}")
    say(f"  server log (tracebacks of any 500 are there): {_shown(args.server_log)}")
    say()
    rows = summarize(run)
    print_report(run, rows)
    say()
    say("Slowest search pages (where the p95 comes from):")
    slowest = sorted(
        (s for s in run.samples if s.kind in SEARCH_PAGE_KINDS and s.ok), key=lambda s: -s.ms
    )
    for sample in slowest[:SLOWEST_SHOWN]:
        say(f"  {sample.ms:7,.0f} ms  {sample.path}")
    say()
    say("Targets:")
    checks = verdicts(run, rows)
    print_table(["check", "measured", "target", "result"], checks)
    return 1 if any(check[-1] == "FAIL" for check in checks) else 0


# --- Child side: the site's setup ------------------------------------------------------------


def _child_setup() -> dict:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)

    from django.contrib.auth import get_user_model

    from articles.models import Article
    from articles.roles import EDITORS
    from articles.services.accounts import add_to_group

    user, _ = get_user_model().objects.get_or_create(username=BENCH_USERNAME)
    user.set_password(os.environ["BENCH_LOAD_PASSWORD"])
    user.is_active = True
    user.save()
    add_to_group(user=user, group_name=EDITORS)
    return {"articles": Article.objects.count()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument(
        "--child-setup",
        action="store_true",
        required=True,
        help="Migrate, collect static files, set up the bench editor (environment from the "
        "parent); print JSON.",
    )
    parser.parse_args(argv)
    return print_json_result(_child_setup)


if __name__ == "__main__":
    raise SystemExit(main())
