"""The Content-Security-Policy in real Chromium: every page of the app, filled with data, loads
without a single violation (no inline script or style, nothing from another origin)."""

import re
from pathlib import Path

import pytest

from articles.models import Article, ImportRun, Region, Source
from articles.services import tagging
from duplicates.models import DuplicateCandidate
from duplicates.services.merging import merge_articles
from tests.browser.conftest import PASSWORD, log_in
from tests.conftest import SAMPLE_DUMPS
from tests.test_duplicates import import_labelled

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")
LNA_TITLE = "LNA Denies Haftar Seeking to Allow Russia to Set up Military Base in Libya"


@pytest.fixture(autouse=True)
def _seeded_rows(seeded_database_contents):
    """The seeded rows (groups, regions, sources), put back when a transactional test that ran
    before this one flushed them (see tests/browser/test_duplicates.py)."""
    from django.contrib.auth.models import Group
    from django.db import connection

    if not Group.objects.exists():
        connection.creation.deserialize_db_from_string(seeded_database_contents)


class ViolationWatch:
    """Collects CSP violations two ways: the console messages Chromium prints for them, and the
    `securitypolicyviolation` events each document fires, reported through a binding."""

    def __init__(self, page):
        self.violations: list[str] = []
        self.console_errors: list[str] = []
        page.expose_function("__reportCspViolation", self._report)
        page.add_init_script(
            """
            document.addEventListener("securitypolicyviolation", (event) => {
              window.__reportCspViolation(
                `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
                `on ${event.documentURI} (${event.sourceFile}:${event.lineNumber})`
              );
            });
            """
        )
        page.on("console", self._console)

    def _report(self, violation: str) -> None:
        self.violations.append(violation)

    def _console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.violations.append(f"console: {message.text}")

    def clear(self) -> None:
        self.violations.clear()
        self.console_errors.clear()


@pytest.fixture
def watched(page):
    return page, ViolationWatch(page)


@pytest.fixture
def archive_with_everything(import_files, tmp_path, editor_account):
    """The sample dumps, duplicates pairs (one open, one merged), tags: no page is empty."""
    import_files(*SAMPLE_DUMPS)
    stories = import_labelled(
        import_files, tmp_path, "lna", "lna-republished", "yemen", "yemen-shortened-third"
    )
    editor_account.is_staff = True
    editor_account.save()
    libya = Region.objects.get(slug="libya")
    lna = Article.objects.get(title=LNA_TITLE)
    tagging.add_region_tag(article=lna, region=libya, user=editor_account)
    tagging.add_region_tag(article=stories["lna"], region=libya, user=editor_account)
    merge = merge_articles(
        survivor=stories["yemen"],
        merged=stories["yemen-shortened-third"],
        user=editor_account,
        reason="same story",
    )
    open_pair = DuplicateCandidate.objects.get(status=DuplicateCandidate.Status.OPEN)
    return {"article": lna, "merge": merge, "open_pair": open_pair}


def visit(page, url: str):
    response = page.goto(url)
    assert response.ok, f"{url}: {response.status}"
    page.wait_for_load_state("load")
    return response


def test_no_page_violates_the_content_security_policy(
    watched, live_server, archive_with_everything, editor_account
):
    page, watch = watched
    base = live_server.url
    data = archive_with_everything
    article, merge, open_pair = data["article"], data["merge"], data["open_pair"]
    publisher = Source.objects.get(name="Asharq Al-Awsat")
    run = ImportRun.objects.order_by("pk").first()
    libya = Region.objects.get(slug="libya")

    # The watch itself works: a style attribute set from a script is refused and reported.
    visit(page, f"{base}/accounts/login/")
    page.evaluate("document.body.setAttribute('style', 'outline: 5px solid red')")
    page.wait_for_timeout(200)
    events = [v for v in watch.violations if not v.startswith("console: ")]
    console = [v for v in watch.violations if v.startswith("console: ")]
    assert events and events[0].startswith("style-src-attr blocked inline"), watch.violations
    assert console and "inline style violates" in console[0], watch.violations
    watch.clear()

    visit(page, f"{base}/accounts/login/")
    log_in(page, live_server, editor_account)

    # (url, text that shows the page holds data)
    pages = [
        (f"{base}/?q=Haftar", LNA_TITLE),
        (
            f"{base}/?q=Haftar&region=libya&source={publisher.slug}&role=publisher"
            f"&run={run.pk}&sort=newest",
            LNA_TITLE,
        ),
        (f"{base}/?q=%22unbalanced&page=99999", "Search"),
        (f"{base}{article.get_absolute_url()}", LNA_TITLE),
        (f"{base}/imports/", "Imports"),
        (f"{base}/imports/{run.pk}/", "sample"),
        (f"{base}/regions/", "Libya"),
        (f"{base}/regions/libya/", LNA_TITLE),
        (f"{base}/duplicates/", "1 open pair"),
        (f"{base}/duplicates/{open_pair.pk}/", "Merge"),
        (f"{base}/duplicates/history/", "same story"),
        (f"{base}/duplicates/merges/{merge.pk}/", "same story"),
        (f"{base}/admin/", "Site administration"),
        (f"{base}/admin/articles/article/", LNA_TITLE),
        (f"{base}/admin/articles/article/{article.pk}/change/", LNA_TITLE),
        (f"{base}/admin/articles/region/{libya.pk}/change/", "Benghazi"),
    ]
    seen = {}
    for url, expected in pages:
        response = visit(page, url)
        assert "default-src 'self'" in response.headers["content-security-policy"], url
        assert expected in page.content(), f"{url} does not show {expected!r}"
        seen[url] = list(watch.violations)
        name = re.sub(r"[^a-z0-9]+", "-", url.removeprefix(base).lower()).strip("-") or "home"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"csp-{name[:60]}.png"), full_page=True)

    # The feed: XML, shown by the browser's own viewer.
    feed = visit(page, f"{base}/regions/libya/feed/")
    assert feed.headers["content-type"].startswith("application/atom+xml")

    # The bulk-tag confirmation, reached as an editor reaches it.
    visit(page, f"{base}/?q=Haftar")
    page.get_by_label("Tag with region").select_option(label="Egypt")
    page.get_by_label(re.compile(r"every result \(\d+\)")).check()
    page.get_by_role("button", name="Tag…").click()
    page.wait_for_url("**/tag/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Tag ")
    page.screenshot(path=str(SHOTS / "csp-bulk-tag-confirm.png"), full_page=True)

    assert watch.violations == [], {url: v for url, v in seen.items() if v} or watch.violations
    assert watch.console_errors == []


def test_the_lockout_page_keeps_the_policy_too(watched, live_server, editor_account):
    page, watch = watched
    page.goto(f"{live_server.url}/accounts/login/")
    for i in range(5):
        page.get_by_label("User name").fill(editor_account.username)
        page.get_by_label("Password").fill(f"wrong-{i}")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text() == "Too many failed logins"
    assert "You can try again at" in page.content()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "csp-locked-out.png"), full_page=True)
    # The right password is refused as well, on the same friendly page.
    page.get_by_role("link", name="Back to the login page").click()
    page.get_by_label("User name").fill(editor_account.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text() == "Too many failed logins"
    assert watch.violations == []
    # Chromium reports the 429 status of the lockout page itself in the console; nothing else.
    assert all("429" in error for error in watch.console_errors), watch.console_errors
