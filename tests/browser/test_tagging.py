"""Region tagging in real Chromium: accept and reject suggestions, tag by hand, bulk-tag a search
through its confirmation, follow the region page and its feed; viewers get no controls."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from articles.models import Article, RegionSuggestion, RegionTag, TagEvent
from tests.browser.conftest import log_in
from tests.test_tagging import (
    ARTICLES,
    BEIRUT,
    GAZA_CITY,
    LATER,
    RAFAH_1,
    RAFAH_2,
    RAFAH_3,
    TRIPOLI,
    write_dump,
)

pytestmark = pytest.mark.browser

ATOM = "{http://www.w3.org/2005/Atom}"
SHOTS = Path("/tmp/shots")


@pytest.fixture
def dumps(import_files, tmp_path):
    import_files(write_dump(tmp_path / "first.txt", ARTICLES))
    import_files(write_dump(tmp_path / "second.txt", LATER))
    return {article.title: article for article in Article.objects.all()}


def screenshot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def suggestions(page):
    return page.locator("section[aria-labelledby=suggestions-heading] .suggestion")


def history(page) -> str:
    return page.locator("section[aria-labelledby=history-heading]").inner_text()


def tag_list(page) -> list[str]:
    return page.locator("ul.tag-list .tag").all_inner_texts()


def test_accept_one_suggestion_and_reject_another(page, live_server, dumps, editor_account):
    log_in(page, live_server, editor_account)
    page.goto(f"{live_server.url}{dumps[TRIPOLI].get_absolute_url()}")

    assert page.locator("h1 mark.evidence").inner_text() == "Tripoli"
    assert page.locator("figcaption mark.evidence").inner_text() == "Tripoli"
    body_marks = page.locator(".article-body mark.evidence").all_inner_texts()
    assert {"Tripoli", "Misrata", "Government of National Unity", "Tunisia", "Sfax"} <= set(
        body_marks
    )
    assert page.locator("h1 mark.evidence").get_attribute("title") == (
        "Tripoli: evidence for Libya"
    )
    assert page.locator(".article-body").get_by_text('<b>"enough"</b> & fled').count() == 1
    assert suggestions(page).count() == 2
    libya = suggestions(page).filter(has=page.locator("strong", has_text="Libya"))
    assert re.search(r"Tripoli\s*×4", libya.inner_text())
    assert tag_list(page) == []
    screenshot(page, "article-suggestions.png")

    page.get_by_role("button", name="Accept Libya").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Accepted: tagged with Libya."
    assert tag_list(page) == ["Libya"]
    assert "Libya added by edith (accepted suggestion)" in history(page)
    assert suggestions(page).count() == 1
    assert page.locator("mark[title$='evidence for Libya']").count() == 0

    page.get_by_role("button", name="Reject Tunisia").click()
    page.wait_for_load_state()
    assert "Rejected Tunisia" in page.get_by_role("status").inner_text()
    assert suggestions(page).count() == 0
    assert page.locator(".article-body mark.evidence").count() == 0
    page.reload()
    assert suggestions(page).count() == 0
    assert page.get_by_role("button", name="Reject Tunisia").count() == 0
    assert tag_list(page) == ["Libya"]
    assert "Tunisia" not in history(page)

    article = dumps[TRIPOLI]
    assert set(article.region_suggestions.values_list("region__slug", "status")) == {
        ("libya", RegionSuggestion.Status.ACCEPTED),
        ("tunisia", RegionSuggestion.Status.REJECTED),
    }
    assert list(RegionTag.objects.values_list("article_id", "method")) == [
        (article.pk, "suggestion")
    ]


def test_add_and_remove_a_region_by_hand(page, live_server, dumps, editor_account):
    log_in(page, live_server, editor_account)
    page.goto(f"{live_server.url}{dumps[BEIRUT].get_absolute_url()}")
    assert tag_list(page) == []

    page.get_by_label("Add a region").select_option(label="Syria")
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Tagged with Syria."
    assert tag_list(page) == ["Syria"]
    assert page.get_by_label("Add a region").locator("option", has_text="Syria").count() == 0

    page.get_by_role("button", name="Remove the Syria tag").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Removed the Syria tag."
    assert tag_list(page) == []
    lines = page.locator("section[aria-labelledby=history-heading] li").all_inner_texts()
    assert len(lines) == 2
    assert "Syria removed by edith (by hand)" in lines[0]
    assert "Syria added by edith (by hand)" in lines[1]
    assert list(TagEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "added",
        "removed",
    ]


def test_bulk_tag_a_search_then_read_the_region_page_and_feed(
    page, live_server, dumps, editor_account
):
    log_in(page, live_server, editor_account)
    page.get_by_label("Search the archive").fill("Rafah")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=Rafah*")
    assert page.locator("ol.results > li").count() == 3

    # One selected result first, with Egypt.
    page.get_by_label(f"Select “{RAFAH_2}”").check()
    page.get_by_label("Tag with region").select_option(label="Egypt")
    page.get_by_role("button", name="Tag…").click()
    page.wait_for_url("**/tag/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tag 1 article with Egypt?"
    page.get_by_role("button", name="Tag 1 article").click()
    page.wait_for_url("**/?q=Rafah*")
    assert page.get_by_role("status").inner_text() == "Tagged 1 article with Egypt."
    assert set(RegionTag.objects.values_list("article__title", "region__slug")) == {
        (RAFAH_2, "egypt")
    }

    # Then every result, with Gaza.
    page.get_by_label("Tag with region").select_option(label="Gaza")
    page.get_by_label("every result (3)").check()
    page.get_by_role("button", name="Tag…").click()
    page.wait_for_url("**/tag/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tag 3 articles with Gaza?"
    assert "3 articles in this selection" in page.locator(".confirm").inner_text()
    assert RegionTag.objects.filter(region__slug="gaza").count() == 0
    screenshot(page, "bulk-confirmation.png")
    page.get_by_role("button", name="Tag 3 articles").click()
    page.wait_for_url("**/?q=Rafah*")
    assert page.get_by_role("status").inner_text() == "Tagged 3 articles with Gaza."
    assert page.locator("ol.results .tag", has_text="Gaza").count() == 3
    tagged = set(RegionTag.objects.filter(region__slug="gaza").values_list("article__title"))
    assert tagged == {(RAFAH_1,), (RAFAH_2,), (RAFAH_3,)}

    page.get_by_role("link", name="Regions").click()
    page.wait_for_url("**/regions/")
    gaza_row = page.locator("tr", has=page.get_by_role("link", name="Gaza", exact=True))
    assert gaza_row.locator("td.num").inner_text() == "3"
    gaza_row.get_by_role("link", name="Gaza", exact=True).click()
    page.wait_for_url("**/regions/gaza/")
    titles = page.locator("ol.results .result-title a").all_inner_texts()
    assert sorted(titles) == sorted([RAFAH_1, RAFAH_2, RAFAH_3])
    assert GAZA_CITY not in page.content()

    feed_link = page.get_by_role("link", name="Atom feed of the newest Gaza articles")
    response = page.request.get(f"{live_server.url}{feed_link.get_attribute('href')}")
    assert response.ok
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.body())
    entries = [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]
    assert sorted(entries) == sorted([RAFAH_1, RAFAH_2, RAFAH_3])

    page.goto(f"{live_server.url}{dumps[RAFAH_1].get_absolute_url()}")
    assert "Gaza added by edith (bulk action)" in history(page)
    assert "every result of search ?q=Rafah" in history(page)


def test_a_viewer_sees_tags_and_suggestions_but_no_tagging_controls(
    page, live_server, dumps, viewer_account, editor_account
):
    RegionTag.objects.create(
        article=dumps[BEIRUT], region_id=dumps[BEIRUT].region_suggestions.get().region_id
    )
    log_in(page, live_server, viewer_account)
    page.goto(f"{live_server.url}{dumps[BEIRUT].get_absolute_url()}")
    assert tag_list(page) == ["Lebanon"]
    assert page.get_by_role("button").all_inner_texts() == ["Log out"]
    assert page.get_by_label("Add a region").count() == 0

    page.goto(f"{live_server.url}{dumps[TRIPOLI].get_absolute_url()}")
    assert suggestions(page).count() == 2
    assert page.locator("h1 mark.evidence").inner_text() == "Tripoli"
    assert page.get_by_role("button").all_inner_texts() == ["Log out"]

    page.goto(f"{live_server.url}/?q=Rafah")
    assert page.locator("ol.results > li").count() == 3
    assert page.locator("#bulk-tag").count() == 0
    assert page.get_by_label("Tag with region").count() == 0
    assert page.locator("input[name=article]").count() == 0
