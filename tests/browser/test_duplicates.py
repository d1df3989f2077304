"""Duplicates in real Chromium: the queue, the compare page, a merge (its redirect, the moved
photos and tags), its undo, and a pair marked as not a duplicate; viewers get no buttons."""

import re
from pathlib import Path

import pytest

from articles.models import Article, Region, RegionTag
from articles.services import tagging
from duplicates.models import DuplicateCandidate, MergeRecord
from tests.browser.conftest import log_in
from tests.test_duplicates import import_labelled

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")


@pytest.fixture(autouse=True)
def _seeded_rows(seeded_database_contents):
    """The seeded rows (groups, regions, sources), put back when a transactional test that ran
    before the first browser test flushed them: tests/browser/conftest.py's live_database sets
    up the database before _seeded_contents_for_every_connection hands the browser thread's
    connection the serialized copy, so that first test finds none to restore."""
    from django.contrib.auth.models import Group
    from django.db import connection

    if not Group.objects.exists():
        connection.creation.deserialize_db_from_string(seeded_database_contents)


def screenshot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


@pytest.fixture
def stories(import_files, tmp_path, editor_account):
    articles = import_labelled(
        import_files,
        tmp_path,
        "lna",
        "lna-republished",
        "yemen",
        "yemen-shortened-third",
        "sudan",
        "sudan-other-outlet",
    )
    libya, egypt = Region.objects.get(slug="libya"), Region.objects.get(slug="egypt")
    tagging.add_region_tag(article=articles["lna"], region=libya, user=editor_account)
    tagging.add_region_tag(article=articles["lna-republished"], region=egypt, user=editor_account)
    assert DuplicateCandidate.objects.count() == 2
    return articles


def pair_card(page, a: Article, b: Article):
    low, high = sorted((a.pk, b.pk))
    return page.get_by_role("link", name=f"Compare #{low} and #{high}")


def test_merge_and_undo(page, live_server, stories, editor_account):
    original, republished = stories["lna"], stories["lna-republished"]
    new_caption = republished.captions.get().text
    log_in(page, live_server, editor_account)
    page.get_by_role("link", name="Duplicates").click()
    page.wait_for_url(f"{live_server.url}/duplicates/")
    assert page.get_by_role("heading", level=1).inner_text() == "2 open pairs to review"
    assert page.locator(".dup-pair").count() == 2
    screenshot(page, "dup-queue.png")

    pair_card(page, original, republished).click()
    page.wait_for_url(re.compile(r"/duplicates/\d+/$"))
    assert page.locator(".dup-title del").count() >= 1
    assert page.locator(".dup-title ins").count() >= 1
    assert page.locator(".dup-label.added").count() >= 1
    screenshot(page, "dup-compare.png")

    # Keep the original, with the republication's title; by keyboard from the reason box.
    page.get_by_role("radio", name=re.compile(rf"^A · #{original.pk}\b")).check()
    page.get_by_role("radio", name=re.compile(rf"^Title of B \(#{republished.pk}\)")).check()
    reason = page.locator("#merge-reason")
    reason.fill("Same LNA story, republished")
    reason.press("Tab")
    focused = page.evaluate(
        "[document.activeElement.textContent,"
        " getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused == ["Merge", "solid"]  # visible focus
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{original.get_absolute_url()}")
    assert "into this article" in page.get_by_role("status").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == republished.title
    assert new_caption in page.locator("article figcaption").all_inner_texts()
    assert {"Libya", "Egypt"} <= set(page.locator("ul.tag-list .tag").all_inner_texts())
    screenshot(page, "dup-merged-article.png")

    # The merged article's address leads to the survivor.
    page.goto(f"{live_server.url}{republished.get_absolute_url()}")
    assert page.url == f"{live_server.url}{original.get_absolute_url()}"

    page.get_by_role("button", name=f"Undo merge of #{republished.pk}").click()
    page.wait_for_load_state()
    assert "is an article of its own again" in page.get_by_role("status").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == original.title
    assert new_caption not in page.locator("article figcaption").all_inner_texts()
    assert "Egypt" not in page.locator("ul.tag-list .tag").all_inner_texts()
    page.goto(f"{live_server.url}{republished.get_absolute_url()}")
    assert page.url == f"{live_server.url}{republished.get_absolute_url()}"
    assert "Egypt" in page.locator("ul.tag-list .tag").all_inner_texts()

    page.goto(f"{live_server.url}/duplicates/history/")
    rows = page.locator("table.dup-history tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator(".dup-kind").inner_text() == "Undo"
    assert "Same LNA story, republished" in rows.nth(1).inner_text()
    screenshot(page, "dup-history.png")
    record = MergeRecord.objects.get()
    assert record.is_undone and record.kept_merged_title
    assert RegionTag.objects.get(region__slug="egypt").article_id == republished.pk


def test_merge_then_undo_from_the_history(page, live_server, stories, editor_account):
    a, b = stories["yemen"], stories["yemen-shortened-third"]
    log_in(page, live_server, editor_account)
    page.goto(f"{live_server.url}/duplicates/")
    pair_card(page, a, b).click()
    page.get_by_role("button", name="Merge", exact=True).click()
    page.wait_for_load_state()
    record = MergeRecord.objects.get()
    page.goto(f"{live_server.url}/duplicates/history/")
    page.get_by_role("button", name=f"Undo merge #{record.pk}").click()
    page.wait_for_url(f"{live_server.url}/duplicates/history/")
    assert f"Undid merge #{record.pk}" in page.get_by_role("status").inner_text()
    assert page.get_by_role("button", name=f"Undo merge #{record.pk}").count() == 0


def test_not_a_duplicate(page, live_server, stories, editor_account):
    a, b = stories["yemen"], stories["yemen-shortened-third"]
    log_in(page, live_server, editor_account)
    page.goto(f"{live_server.url}/duplicates/")
    pair_card(page, a, b).click()
    page.get_by_label("Reason (optional)").nth(1).fill("Third of the story only, keep both")
    page.get_by_role("button", name="Not a duplicate").click()
    page.wait_for_url(f"{live_server.url}/duplicates/")
    assert "will not be proposed again" in page.get_by_role("status").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "1 open pair to review"
    assert pair_card(page, a, b).count() == 0
    pair = DuplicateCandidate.objects.pair(a, b).get()
    assert pair.status == "not_duplicate"
    assert pair.reason == "Third of the story only, keep both"


def test_viewers_get_no_buttons(page, live_server, stories, viewer_account):
    log_in(page, live_server, viewer_account)
    page.goto(f"{live_server.url}/duplicates/")
    pair_card(page, stories["lna"], stories["lna-republished"]).click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Merge").count() == 0
    assert page.get_by_role("button", name="Not a duplicate").count() == 0
    assert "Only editors can merge" in page.locator("main").inner_text()


def test_filter_the_queue_by_region(page, live_server, stories, editor_account):
    log_in(page, live_server, editor_account)
    page.goto(f"{live_server.url}/duplicates/")
    page.get_by_label("Region").select_option("libya")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"region=libya"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("1 open pair")
    assert pair_card(page, stories["lna"], stories["lna-republished"]).count() == 1
