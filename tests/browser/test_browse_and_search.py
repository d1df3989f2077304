"""An editor's way through the archive in real Chromium: log in, search, filter, page, open,
export."""

import json
from pathlib import Path

import pytest

from tests.browser.conftest import log_in
from tests.conftest import SAMPLE_DUMPS

pytestmark = pytest.mark.browser

LNA_TITLE = "LNA Denies Haftar Seeking to Allow Russia to Set up Military Base in Libya"


def test_log_in_search_filter_open_and_follow_an_occurrence(
    page, live_server, archive, editor_account
):
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    log_in(page, live_server, editor_account)

    page.get_by_label("Search the archive").fill("Haftar")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=Haftar*")
    results = page.locator("ol.results > li")
    assert results.count() == 1
    assert page.locator("ol.results mark").first.inner_text() == "Haftar"

    page.get_by_label("AFP").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**source=afp*")
    assert page.locator("ol.results > li").count() == 1
    assert "q=Haftar" in page.url

    page.get_by_role("link", name=LNA_TITLE).click()
    page.wait_for_url("**/articles/*/")
    assert page.get_by_role("heading", level=1).inner_text() == LNA_TITLE
    assert page.get_by_text("agency AFP").count() == 1
    summaries = page.locator("summary", has_text="Raw block as read")
    assert summaries.count() == 2
    summaries.first.click()
    assert page.locator("pre.raw").first.is_visible()
    assert "TT" in page.locator("pre.raw").first.inner_text()

    page.locator(".occurrences a").first.click()
    page.wait_for_url("**/imports/*/")
    assert str(SAMPLE_DUMPS[0]) in page.content()


def test_keyboard_only_search(page, live_server, archive, editor_account):
    log_in(page, live_server, editor_account)
    page.keyboard.press("Tab")  # the skip link
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.get_by_label("Search the archive").focus()
    page.keyboard.type("Gaza -Rafah")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=Gaza*")
    assert page.locator("ol.results > li").count() >= 2


def test_page_through_results(page, live_server, import_files, editor_account, numbered_dump):
    import_files(
        numbered_dump("Rafah Crossing Report {i}", "The Rafah crossing report {i} was filed.", 25)
    )
    log_in(page, live_server, editor_account)
    page.goto(f"{live_server.url}/?q=Rafah&sort=newest")
    assert page.locator("ol.results > li").count() == 20
    page.get_by_role("link", name="Next →").click()
    page.wait_for_url("**page=2*")
    assert "q=Rafah" in page.url
    assert page.locator("ol.results > li").count() == 5
    assert page.get_by_text("Page 2 of 2").is_visible()


@pytest.mark.parametrize("fmt", ["CSV", "JSON"])
def test_export_downloads_every_match(page, live_server, archive, editor_account, fmt, tmp_path):
    log_in(page, live_server, editor_account)
    page.goto(f"{live_server.url}/?q=Gaza")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=fmt, exact=True).click()
    target = tmp_path / f"export.{fmt.lower()}"
    download_info.value.save_as(target)
    text = Path(target).read_text(encoding="utf-8")
    if fmt == "JSON":
        assert len(json.loads(text)) == 2
    else:
        assert text.splitlines()[0].startswith("id,title,url")
        assert len(text.strip().splitlines()) == 3
