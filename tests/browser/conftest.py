"""Real headless Chromium (Debian's package) driven by Playwright against the live server.

Without Chromium these tests are skipped with a clear reason, except under CI=true, where a
missing browser is a failure.
"""

import os
import shutil

import pytest
from django.contrib.auth.models import Group

from articles.roles import EDITORS, VIEWERS
from tests.conftest import IN_CI, SAMPLE_DUMPS

# Playwright's sync API runs an event loop in the test thread; the test's own database calls
# (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery"


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


def pytest_collection_modifyitems(config, items):
    if chromium_path():
        return
    message = "Chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)"
    if IN_CI:
        raise pytest.UsageError(f"CI=true but {message}: the browser tests must run.")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def seeded_database_contents(django_db_setup, django_db_blocker):
    """The seeded rows (groups, regions, sources) as serialized when the test database was made.

    Playwright runs an event loop in the test thread, and Django hands code inside it a
    connection of its own, one that never saw the serialized copy; it is given it below."""
    from django.db import connection

    return connection._test_serialized_contents


@pytest.fixture(autouse=True)
def live_database(seeded_database_contents, django_db_serialized_rollback, transactional_db):
    """The live server needs committed data; serialized rollback restores the seeded rows
    that the flush after each test removes."""


@pytest.fixture(autouse=True)
def _seeded_contents_for_every_connection(seeded_database_contents):
    from django.db import connection

    connection._test_serialized_contents = seeded_database_contents


@pytest.fixture
def archive(import_files):
    import_files(*SAMPLE_DUMPS)


def make_user(django_user_model, username: str, group: str, **extra):
    user = django_user_model.objects.create_user(username, password=PASSWORD, **extra)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor_account(django_user_model):
    return make_user(django_user_model, "edith", EDITORS)


@pytest.fixture
def viewer_account(django_user_model):
    return make_user(django_user_model, "victor", VIEWERS)


def log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/")
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
