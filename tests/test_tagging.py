"""Region tagging: suggestions stored at import and by suggest_regions, accepting and rejecting
them, tags by hand and in bulk with their history, viewers kept out, region pages and feeds.

Everything runs through the real import of dump files written here, and the real views."""

import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import (
    Article,
    PlaceName,
    Region,
    RegionSuggestion,
    RegionTag,
    TagEvent,
)
from articles.services import tagging
from articles.services.suggesting import RegionSuggester

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SEARCH = reverse("articles:search")
BULK = reverse("articles:bulk-tag")

TRIPOLI = "Tripoli Clashes Kill Five as Rival Militias Fight Near Airport"
TRIPOLI_CAPTION = "Smoke rises over Tripoli after overnight clashes. (AFP)"
TRIPOLI_BODY = [
    "Clashes between rival armed groups erupted in Tripoli overnight, the Government of National "
    'Unity (GNU) said. Residents shouted <b>"enough"</b> & fled.',
    "Fighters from Misrata moved toward the capital, and residents of Tripoli fled south.",
    "In Tunis, Tunisia's foreign ministry urged calm and Tunisian border guards closed the "
    "crossing; Tunisia said it feared a wave of refugees.",
    "The Tunisian Red Crescent set up tents near the border, and aid left Sfax on Sunday.",
    "The GNU called for calm.",
]
BEIRUT = "Lebanese Officials in Beirut Discuss Future of Tripoli Port"
BEIRUT_BODY = [
    "Lebanese ministers met in Beirut on Monday to discuss the port of Tripoli in northern "
    "Lebanon.",
    "The port of Tripoli handles most of the grain shipped to the north.",
]
RAFAH_1 = "Rafah Crossing Reopens for Aid Trucks"
RAFAH_2 = "Families Return to Ruined Homes in Rafah"
RAFAH_3 = "Doctors in Rafah Warn of Fuel Shortages"
GAZA_CITY = "Aid Convoy Reaches Gaza City"
AZRAQ = "Refugees Wait in Azraq Camp as Winter Nears"

ARTICLES = {
    BEIRUT: ([], BEIRUT_BODY),
    RAFAH_1: (
        ["Trucks wait at the crossing. (Reuters)", "Smoke rises over Rafah on Monday. (AFP)"],
        [
            "The Rafah crossing reopened on Monday, officials said.",
            "Trucks carrying flour entered Gaza.",
        ],
    ),
    RAFAH_2: (
        [],
        [
            "Families returned to Rafah on Tuesday after weeks of strikes.",
            "Many found their homes destroyed.",
        ],
    ),
    GAZA_CITY: (
        [],
        [
            "An aid convoy reached Gaza City on Wednesday, the United Nations said.",
            "Residents of Jabalia queued for flour.",
        ],
    ),
    AZRAQ: (
        [],
        [
            "Thousands of refugees in Azraq camp prepared for winter.",
            "Aid agencies asked for blankets.",
        ],
    ),
    TRIPOLI: ([TRIPOLI_CAPTION], TRIPOLI_BODY),
}
LATER = {
    RAFAH_3: (
        [],
        [
            "Doctors at a field hospital in Rafah warned of shortages of fuel and medicine.",
            "The hospital serves thousands of displaced people in Gaza.",
        ],
    )
}


def dump_block(title: str, captions: list[str], paragraphs: list[str]) -> str:
    """One article as the site prints it: captions twice, the TT widget, the title again."""
    lines = [title, ""]
    if captions:
        for caption in captions:
            lines += [caption, caption]
        lines += ["TT", "", title, ""]
        for caption in captions:
            lines += [caption, caption]
        lines.append("")
    for paragraph in paragraphs:
        lines += [paragraph, ""]
    return "\n".join(lines)


def write_dump(path, articles: dict) -> str:
    path.write_text(
        "\n\n\n".join(dump_block(t, c, p) for t, (c, p) in articles.items()), encoding="utf-8"
    )
    return path


@pytest.fixture
def archive(import_files, tmp_path):
    first = import_files(write_dump(tmp_path / "first.txt", ARTICLES))
    second = import_files(write_dump(tmp_path / "second.txt", LATER))
    assert first.succeeded and second.succeeded
    articles = {a.title: a for a in Article.objects.all()}
    assert len(articles) == 7
    # Distinct, known import times: newest first is RAFAH_3, RAFAH_2, RAFAH_1, ...
    base = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    order = [TRIPOLI, AZRAQ, GAZA_CITY, BEIRUT, RAFAH_1, RAFAH_2, RAFAH_3]
    for hours, title in enumerate(order):
        Article.objects.filter(pk=articles[title].pk).update(
            created_at=base + timedelta(hours=hours)
        )
    return SimpleNamespace(
        tripoli=articles[TRIPOLI],
        beirut=articles[BEIRUT],
        rafah1=articles[RAFAH_1],
        rafah2=articles[RAFAH_2],
        rafah3=articles[RAFAH_3],
        gaza_city=articles[GAZA_CITY],
        azraq=articles[AZRAQ],
        first_run=first.run_id,
        second_run=second.run_id,
    )


def region(slug: str) -> Region:
    return Region.objects.get(slug=slug)


def suggestion(article, slug: str) -> RegionSuggestion:
    return RegionSuggestion.objects.get(article=article, region__slug=slug)


def tags_of(article) -> set[str]:
    return set(RegionTag.objects.filter(article=article).values_list("region__slug", flat=True))


def all_tags() -> set[tuple[int, str]]:
    return set(RegionTag.objects.values_list("article_id", "region__slug"))


def messages_of(response) -> list[str]:
    """The messages this response added (those of earlier unrendered ones are left out)."""
    storage = get_messages(response.wsgi_request)
    return [str(message) for message in storage._queued_messages]


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def article_html(html: str) -> str:
    """The article itself, without the sidebar (whose evidence list also marks names)."""
    return html.split('<article class="card article">', 1)[1].split("</article>", 1)[0]


def field_text(article: Article, field: str) -> str:
    if field == "title":
        return article.title
    if field == "caption":
        return "\n".join(article.captions.order_by("position", "id").values_list("text", flat=True))
    return article.body


def state() -> tuple:
    """Everything tagging may change."""
    return (
        sorted(RegionTag.objects.values_list("article_id", "region_id", "method")),
        sorted(RegionSuggestion.objects.values_list("id", "status", "score")),
        TagEvent.objects.count(),
    )


def suggest_regions(*args) -> str:
    out = io.StringIO()
    call_command("suggest_regions", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def decide(client, item: RegionSuggestion, decision: str):
    return client.post(reverse("articles:decide-suggestion", args=[item.pk, decision]))


def add_tag(client, article, slug: str | None = None, *, value=None):
    value = region(slug).pk if slug else value
    return client.post(reverse("articles:add-tag", args=[article.pk]), {"region": value})


def remove_tag(client, article, slug: str):
    return client.post(reverse("articles:remove-tag", args=[article.pk, slug]))


def feed_entries(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


# ---------------------------------------------------------------------------------------------
# Suggestions at import


def test_import_stores_suggestions_with_score_and_evidence_and_no_tags(archive):
    libya = suggestion(archive.tripoli, "libya")
    assert libya.status == RegionSuggestion.Status.OPEN
    assert 0.6 <= libya.score <= 1
    assert libya.name_counts() == {"Tripoli": 4, "Government of National Unity": 1, "Misrata": 1}
    assert {item["field"] for item in libya.evidence} == {"title", "caption", "body"}
    tunisia = suggestion(archive.tripoli, "tunisia")
    assert tunisia.score < libya.score
    assert {"Tunis", "Tunisia", "Tunisian", "Sfax"} <= set(tunisia.name_counts())
    # Tripoli alone never makes the Libya story Lebanese, nor the Lebanese one Libyan.
    assert set(archive.tripoli.region_suggestions.values_list("region__slug", flat=True)) == {
        "libya",
        "tunisia",
    }
    assert set(archive.beirut.region_suggestions.values_list("region__slug", flat=True)) == {
        "lebanon"
    }
    assert suggestion(archive.beirut, "lebanon").name_counts()["Tripoli"] == 3
    for article in (archive.rafah1, archive.rafah2, archive.rafah3, archive.gaza_city):
        assert "gaza" in article.region_suggestions.values_list("region__slug", flat=True)
    assert not archive.azraq.region_suggestions.exists()

    # Every piece of evidence slices the stored text to the name it matched.
    items = RegionSuggestion.objects.select_related("article")
    assert items.count() >= 7
    for item in items:
        for evidence in item.evidence:
            text = field_text(item.article, evidence["field"])
            assert text[evidence["start"] : evidence["end"]].lower() == evidence["name"].lower()

    # The stored score and evidence are those of the engine with the database's gazetteer.
    fresh = RegionSuggester().suggest(
        title=TRIPOLI, captions=[TRIPOLI_CAPTION], body="\n\n".join(TRIPOLI_BODY)
    )[0]
    assert (fresh.region, round(fresh.score, 4)) == ("Libya", libya.score)
    assert [(e.field, e.start, e.end) for e in fresh.evidence] == [
        (e["field"], e["start"], e["end"]) for e in libya.evidence
    ]

    # Suggestions never become tags on their own.
    assert not RegionTag.objects.exists()
    assert not TagEvent.objects.exists()


def test_reimport_adds_no_suggestions_and_keeps_decisions(archive, editor, import_files, tmp_path):
    tagging.reject_suggestion(suggestion=suggestion(archive.tripoli, "libya"), user=editor)
    before = state()
    again = dict(ARTICLES)
    again["Protests in Amman Over Fuel Prices"] = (
        [],
        ["Hundreds protested in Amman over fuel prices.", "The government said it would act."],
    )
    report = import_files(write_dump(tmp_path / "again.txt", again))
    assert report.total("articles_seen_again") == len(ARTICLES)
    assert report.total("articles_created") == 1
    new = Article.objects.get(title="Protests in Amman Over Fuel Prices")
    assert list(new.region_suggestions.values_list("region__slug", flat=True)) == ["jordan"]
    # The articles seen again got nothing new: the rejection stands, no duplicates.
    assert suggestion(archive.tripoli, "libya").status == RegionSuggestion.Status.REJECTED
    after = state()
    assert after[0] == before[0] == []
    assert set(after[1]) - set(before[1]) == set(
        new.region_suggestions.values_list("id", "status", "score")
    )


# ---------------------------------------------------------------------------------------------
# suggest_regions


def test_suggest_regions_refreshes_open_creates_new_and_withdraws_unsupported(archive):
    libya = suggestion(archive.tripoli, "libya")
    gnu = PlaceName.objects.create(region=region("libya"), name="GNU")
    azraq = PlaceName.objects.create(region=region("jordan"), name="Azraq")
    lebanon = suggestion(archive.beirut, "lebanon")
    RegionSuggestion.objects.filter(pk=lebanon.pk).update(score=0.01, evidence=[])
    stale = RegionSuggestion.objects.create(
        article=archive.beirut, region=region("yemen"), score=0.9, evidence=[]
    )

    output = suggest_regions()

    assert "7 articles: 1 suggestions created" in output
    assert "1 withdrawn" in output
    refreshed = suggestion(archive.tripoli, "libya")
    assert refreshed.pk == libya.pk
    assert refreshed.name_counts()["GNU"] == 2
    assert refreshed.score >= libya.score
    restored = suggestion(archive.beirut, "lebanon")
    assert restored.score == pytest.approx(lebanon.score)
    assert restored.evidence == lebanon.evidence
    assert not RegionSuggestion.objects.filter(pk=stale.pk).exists()
    jordan = suggestion(archive.azraq, "jordan")
    assert jordan.status == RegionSuggestion.Status.OPEN
    assert {e["name"] for e in jordan.evidence} == {"Azraq"}

    # The gazetteer loses the name: the open suggestion it supported is withdrawn.
    azraq.delete()
    gnu.delete()
    assert "1 withdrawn" in suggest_regions("--ids", str(archive.azraq.pk))
    assert not archive.azraq.region_suggestions.exists()
    assert not RegionTag.objects.exists()


def test_suggest_regions_never_resurrects_rejected_nor_touches_accepted(archive, editor):
    tagging.accept_suggestion(suggestion=suggestion(archive.tripoli, "libya"), user=editor)
    tagging.reject_suggestion(suggestion=suggestion(archive.tripoli, "tunisia"), user=editor)
    decided = {
        s.region.slug: (s.pk, s.status, s.score, s.evidence, s.decided_by_id, s.decided_at)
        for s in archive.tripoli.region_suggestions.select_related("region")
    }
    PlaceName.objects.create(region=region("libya"), name="GNU")
    PlaceName.objects.create(region=region("tunisia"), name="Red Crescent")

    suggest_regions()
    suggest_regions()

    after = {
        s.region.slug: (s.pk, s.status, s.score, s.evidence, s.decided_by_id, s.decided_at)
        for s in archive.tripoli.region_suggestions.select_related("region")
    }
    assert after == decided

    # Even when the text no longer supports it, the rejection is kept, so that it never
    # comes back when the text does.
    Article.objects.filter(pk=archive.tripoli.pk).update(body=TRIPOLI_BODY[0])
    suggest_regions("--ids", str(archive.tripoli.pk))
    assert suggestion(archive.tripoli, "tunisia").status == RegionSuggestion.Status.REJECTED
    Article.objects.filter(pk=archive.tripoli.pk).update(body="\n\n".join(TRIPOLI_BODY))
    suggest_regions("--ids", str(archive.tripoli.pk))
    assert suggestion(archive.tripoli, "tunisia").status == RegionSuggestion.Status.REJECTED
    assert archive.tripoli.region_suggestions.count() == 2


def test_suggest_regions_does_not_suggest_a_region_already_tagged(archive, editor):
    tagging.add_region_tag(article=archive.rafah1, region=region("gaza"), user=editor)
    RegionSuggestion.objects.filter(article=archive.rafah1).delete()
    suggest_regions()
    assert not archive.rafah1.region_suggestions.filter(region__slug="gaza").exists()
    assert archive.rafah2.region_suggestions.filter(region__slug="gaza").exists()


@pytest.mark.parametrize(
    "args, total, expected",
    [
        (lambda a: ["--ids", str(a.rafah1.pk), str(a.beirut.pk)], 2, {RAFAH_1, BEIRUT}),
        (lambda a: ["--since", "2025-03-01"], 4, {RAFAH_1, RAFAH_2, RAFAH_3, BEIRUT}),
        (lambda a: ["--search", "Rafah"], 3, {RAFAH_1, RAFAH_2, RAFAH_3}),
        (lambda a: ["--search", "Rafah", "--ids", str(a.rafah2.pk)], 1, {RAFAH_2}),
        (lambda a: [], 7, {RAFAH_1, RAFAH_2, RAFAH_3, BEIRUT, TRIPOLI, GAZA_CITY}),
    ],
    ids=["ids", "since", "search", "search-and-ids", "whole-archive"],
)
def test_suggest_regions_selections(archive, args, total, expected):
    # Imported on 28 February: TRIPOLI, AZRAQ, GAZA_CITY; on 1 March and after: the rest.
    for title in (TRIPOLI, AZRAQ, GAZA_CITY):
        Article.objects.filter(title=title).update(created_at=datetime(2025, 2, 28, tzinfo=UTC))
    RegionSuggestion.objects.all().delete()
    output = suggest_regions(*args(archive))
    suggested = set(RegionSuggestion.objects.values_list("article__title", flat=True))
    assert suggested == expected
    assert not RegionTag.objects.exists()
    assert output.startswith(f"{total} articles: ")


def test_suggest_regions_skips_merged_articles(archive):
    Article.objects.filter(pk=archive.rafah2.pk).update(status="merged", merged_into=archive.rafah1)
    RegionSuggestion.objects.all().delete()
    suggest_regions("--search", "Rafah")
    assert set(RegionSuggestion.objects.values_list("article__title", flat=True)) == {
        RAFAH_1,
        RAFAH_3,
    }


@pytest.mark.parametrize("since", ["yesterday", "01/03/2025", "2025-3"])
def test_suggest_regions_rejects_a_malformed_date(archive, since):
    before = state()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        suggest_regions("--since", since)
    assert state() == before


@pytest.mark.parametrize("since", ["2025-13-45", "2025-02-30"])
def test_suggest_regions_rejects_an_impossible_date(archive, since):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        suggest_regions("--since", since)


# ---------------------------------------------------------------------------------------------
# Accepting and rejecting on the article page


def test_the_article_page_marks_the_evidence_in_the_escaped_text(editor_client, archive):
    html = html_of(editor_client.get(archive.tripoli.get_absolute_url()))
    text = article_html(html)
    libya = 'title="Tripoli: evidence for Libya">Tripoli</mark>'
    assert f'<h1><mark class="evidence" {libya} Clashes' in text
    assert f'<figcaption>Smoke rises over <mark class="evidence" {libya} after' in text
    assert '<mark class="evidence" title="Misrata: evidence for Libya">Misrata</mark>' in text
    assert (
        '<mark class="evidence" title="Government of National Unity: evidence for Libya">'
        "Government of National Unity</mark>" in text
    )
    assert '<mark class="evidence" title="Sfax: evidence for Tunisia">Sfax</mark>' in text
    # Every piece of evidence of both open suggestions is marked, nothing else.
    evidence = sum(len(s.evidence) for s in archive.tripoli.region_suggestions.all())
    assert text.count('<mark class="evidence"') == evidence
    # The text is escaped; marks land on the names although escaping shifts the characters.
    assert "&lt;b&gt;&quot;enough&quot;&lt;/b&gt; &amp; fled" in text
    assert "<b>" not in text
    # The sidebar: each suggestion with its score, names and counts, and where they are.
    assert '<mark class="evidence">Tripoli</mark> ×4' in html
    where = html.split('id="suggestion-', 1)[1].split("</div>", 1)[0]
    assert re.search(r"body\D{0,6}4", where), where
    assert re.search(r"caption\D{0,6}1", where) and re.search(r"title\D{0,6}1", where)
    assert f"score {suggestion(archive.tripoli, 'libya').score:.2f}" in html
    assert 'aria-label="Accept Libya"' in html
    assert 'aria-label="Reject Tunisia"' in html

    # Evidence in a second caption is marked in that caption.
    rafah = article_html(html_of(editor_client.get(archive.rafah1.get_absolute_url())))
    figcaptions = re.findall(r"<figcaption>(.*?)</figcaption>", rafah)
    assert figcaptions == [
        "Trucks wait at the crossing. (Reuters)",
        'Smoke rises over <mark class="evidence" title="Rafah: evidence for Gaza">Rafah</mark>'
        " on Monday. (AFP)",
    ]


def test_accepting_a_suggestion_tags_the_article_and_records_it(editor_client, editor, archive):
    libya = suggestion(archive.tripoli, "libya")
    before = timezone.now()
    response = decide(editor_client, libya, "accept")
    assert response.status_code == 302
    assert response["Location"] == archive.tripoli.get_absolute_url()
    assert messages_of(response) == ["Accepted: tagged with Libya."]

    libya.refresh_from_db()
    assert libya.status == RegionSuggestion.Status.ACCEPTED
    assert libya.decided_by == editor
    assert before <= libya.decided_at <= timezone.now()
    tag = RegionTag.objects.get(article=archive.tripoli)
    assert (tag.region.slug, tag.method, tag.applied_by) == ("libya", "suggestion", editor)
    assert before <= tag.applied_at <= timezone.now()
    assert f"{libya.score:.2f}" in tag.note
    event = TagEvent.objects.get(article=archive.tripoli)
    assert (event.region.slug, event.action, event.method, event.user) == (
        "libya",
        "added",
        "suggestion",
        editor,
    )
    assert before <= event.at <= timezone.now()

    html = html_of(editor_client.get(archive.tripoli.get_absolute_url()))
    assert '<span class="tag">Libya</span>' in html
    assert "Accepted suggestion, edith" in html
    assert "Libya added by edith (accepted suggestion)" in html
    assert 'aria-label="Accept Libya"' not in html
    # The accepted region's evidence is no longer marked; the open one's still is.
    assert "evidence for Libya" not in html
    assert "evidence for Tunisia" in article_html(html)

    # A second click (another tab) changes nothing.
    again = decide(editor_client, libya, "accept")
    assert messages_of(again) == ["The Libya suggestion was already decided."]
    assert TagEvent.objects.count() == 1
    assert RegionTag.objects.count() == 1


def test_a_rejected_suggestion_is_gone_and_stays_gone(editor_client, editor, archive):
    tunisia = suggestion(archive.tripoli, "tunisia")
    response = decide(editor_client, tunisia, "reject")
    assert response.status_code == 302
    assert messages_of(response) == ["Rejected Tunisia; it will not be suggested again."]
    tunisia.refresh_from_db()
    assert (tunisia.status, tunisia.decided_by) == ("rejected", editor)
    assert not RegionTag.objects.exists()
    assert not TagEvent.objects.exists()

    suggest_regions()
    suggest_regions("--ids", str(archive.tripoli.pk))
    html = html_of(editor_client.get(archive.tripoli.get_absolute_url()))
    assert "Tunisia" not in html.split('id="suggestions-heading"', 1)[1].split("</section>")[0]
    assert "evidence for Tunisia" not in html
    assert 'aria-label="Accept Libya"' in html
    assert archive.tripoli.region_suggestions.filter(region__slug="tunisia").count() == 1
    # Accepting it after all is refused: it was decided.
    assert "already decided" in messages_of(decide(editor_client, tunisia, "accept"))[0]
    assert not RegionTag.objects.exists()


def test_deciding_an_unknown_suggestion_is_404(editor_client, archive):
    assert editor_client.post("/suggestions/999999/accept/").status_code == 404
    item = suggestion(archive.tripoli, "libya")
    assert editor_client.post(f"/suggestions/{item.pk}/maybe/").status_code == 404
    assert editor_client.get(f"/suggestions/{item.pk}/accept/").status_code == 405
    assert suggestion(archive.tripoli, "libya").status == "open"


# ---------------------------------------------------------------------------------------------
# Tagging by hand


def test_adding_and_removing_a_tag_by_hand_is_recorded(editor_client, editor, archive):
    article = archive.gaza_city
    before = timezone.now()
    response = add_tag(editor_client, article, "egypt")
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    assert messages_of(response) == ["Tagged with Egypt."]
    tag = RegionTag.objects.get(article=article)
    assert (tag.region.slug, tag.method, tag.applied_by) == ("egypt", "editor", editor)

    again = add_tag(editor_client, article, "egypt")
    assert messages_of(again) == ["Already tagged with Egypt."]
    assert RegionTag.objects.filter(article=article).count() == 1
    assert TagEvent.objects.filter(article=article).count() == 1

    removed = remove_tag(editor_client, article, "egypt")
    assert removed.status_code == 302
    assert messages_of(removed) == ["Removed the Egypt tag."]
    assert not RegionTag.objects.filter(article=article).exists()
    events = list(TagEvent.objects.filter(article=article).order_by("at", "id"))
    assert [(e.region.slug, e.action, e.method, e.user) for e in events] == [
        ("egypt", "added", "editor", editor),
        ("egypt", "removed", "editor", editor),
    ]
    assert all(before <= e.at <= timezone.now() for e in events)

    # Removing a tag the article does not have records nothing.
    assert remove_tag(editor_client, article, "egypt").status_code == 302
    assert TagEvent.objects.filter(article=article).count() == 2

    html = html_of(editor_client.get(article.get_absolute_url()))
    history = html.split('id="history-heading"', 1)[1]
    assert history.index("Egypt removed by edith (by hand)") < history.index(
        "Egypt added by edith (by hand)"
    )
    assert "Not tagged yet." in html


def test_the_add_form_offers_only_regions_not_yet_applied(editor_client, editor, archive):
    tagging.add_region_tag(article=archive.rafah1, region=region("gaza"), user=editor)
    html = html_of(editor_client.get(archive.rafah1.get_absolute_url()))
    select = html.split('id="add-region"', 1)[1].split("</select>", 1)[0]
    assert ">Gaza</option>" not in select
    assert ">Libya</option>" in select
    assert 'aria-label="Remove the Gaza tag"' in html
    # Gaza is tagged, so its suggestion is not offered any more.
    assert 'aria-label="Accept Gaza"' not in html


@pytest.mark.parametrize("value", ["", "abc", "999999", "-1", "1 OR 1=1"])
def test_adding_a_bad_region_gives_a_message(editor_client, archive, value):
    response = add_tag(editor_client, archive.rafah1, value=value)
    assert response.status_code == 302
    assert messages_of(response) == ["Choose a region from the list to add it."]
    assert not RegionTag.objects.exists()
    assert not TagEvent.objects.exists()


def test_tagging_unknown_articles_or_regions_is_404(editor_client, archive):
    gaza = region("gaza").pk
    assert editor_client.post("/articles/999999/regions/", {"region": gaza}).status_code == 404
    assert remove_tag(editor_client, archive.rafah1, "atlantis").status_code == 404
    assert editor_client.get(f"/articles/{archive.rafah1.pk}/regions/").status_code == 405
    assert not RegionTag.objects.exists()


# ---------------------------------------------------------------------------------------------
# Viewers and anonymous visitors


def tagging_posts(archive) -> list[tuple[str, dict]]:
    libya = suggestion(archive.tripoli, "libya")
    return [
        (reverse("articles:add-tag", args=[archive.rafah1.pk]), {"region": region("gaza").pk}),
        (reverse("articles:remove-tag", args=[archive.beirut.pk, "lebanon"]), {}),
        (reverse("articles:decide-suggestion", args=[libya.pk, "accept"]), {}),
        (reverse("articles:decide-suggestion", args=[libya.pk, "reject"]), {}),
        (BULK, {"region": region("gaza").pk, "scope": "all", "query": "q=Rafah"}),
        (
            BULK,
            {"region": region("gaza").pk, "scope": "all", "query": "q=Rafah", "confirmed": "on"},
        ),
    ]


def test_viewers_see_tags_but_no_tagging_controls(viewer_client, editor, archive):
    tagging.add_region_tag(article=archive.beirut, region=region("lebanon"), user=editor)
    html = html_of(viewer_client.get(archive.beirut.get_absolute_url()))
    assert '<span class="tag">Lebanon</span>' in html
    assert "Lebanon added by edith (by hand)" in html
    assert "Remove" not in html
    assert 'id="add-region"' not in html
    tripoli = html_of(viewer_client.get(archive.tripoli.get_absolute_url()))
    assert "<strong>Libya</strong>" in tripoli  # the suggestion and its evidence are shown
    assert 'title="Misrata: evidence for Libya">Misrata</mark>' in tripoli
    assert "<button" not in tripoli.split('id="suggestions-heading"', 1)[1].split("</section>")[0]
    assert 'aria-label="Accept' not in tripoli and 'aria-label="Reject' not in tripoli

    search = html_of(viewer_client.get(SEARCH, {"q": "Rafah"}))
    assert 'id="bulk-tag"' not in search
    assert BULK not in search
    assert 'name="article"' not in search
    assert "Tag with region" not in search


def test_viewers_posts_are_refused_and_change_nothing(viewer_client, editor, archive):
    tagging.add_region_tag(article=archive.beirut, region=region("lebanon"), user=editor)
    before = state()
    for url, data in tagging_posts(archive):
        assert viewer_client.post(url, data).status_code == 403, url
    assert state() == before


def test_anonymous_posts_go_to_the_login_page_and_change_nothing(client, editor, archive):
    tagging.add_region_tag(article=archive.beirut, region=region("lebanon"), user=editor)
    before = state()
    for url, data in tagging_posts(archive):
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))
    assert state() == before


def test_the_editors_see_the_controls(editor_client, archive):
    search = html_of(editor_client.get(SEARCH, {"q": "Rafah"}))
    assert 'id="bulk-tag"' in search
    assert search.count('form="bulk-tag"') == 3
    assert "every result (3)" in search
    assert 'name="query" value="q=Rafah"' in search


# ---------------------------------------------------------------------------------------------
# Bulk tagging


def bulk(client, *, query, scope="all", articles=(), confirmed=False, slug="gaza", **extra):
    data = {"region": region(slug).pk, "scope": scope, "query": query, **extra}
    if articles:
        data["article"] = [str(a) for a in articles]
    if confirmed:
        data["confirmed"] = "on"
    return client.post(BULK, data)


def test_bulk_tag_every_result_after_a_confirmation(editor_client, editor, archive):
    tagging.add_region_tag(article=archive.rafah2, region=region("gaza"), user=editor)
    before = state()

    confirm = bulk(editor_client, query="q=Rafah")
    html = html_of(confirm)
    assert confirm.templates[0].name == "articles/bulk_tag_confirm.html"
    assert "Tag 2 articles with Gaza?" in html
    assert "3 articles in this selection; 1 already has the tag and stays as it is." in html
    assert 'name="confirmed" value="on"' in html
    assert 'name="query" value="q=Rafah"' in html
    assert 'href="/?q=Rafah"' in html  # cancel goes back to the search
    assert state() == before  # nothing changes before the confirmation

    started = timezone.now()
    done = bulk(editor_client, query="q=Rafah", confirmed=True)
    assert done.status_code == 302
    assert done["Location"] == "/?q=Rafah"
    assert messages_of(done) == ["Tagged 2 articles with Gaza."]
    gaza_tagged = set(RegionTag.objects.filter(region__slug="gaza").values_list("article_id"))
    assert gaza_tagged == {(archive.rafah1.pk,), (archive.rafah2.pk,), (archive.rafah3.pk,)}
    for article in (archive.rafah1, archive.rafah3):
        tag = RegionTag.objects.get(article=article)
        assert (tag.method, tag.applied_by) == ("bulk", editor)
        assert "q=Rafah" in tag.note
        event = TagEvent.objects.get(article=article)
        assert (event.action, event.method, event.user) == ("added", "bulk", editor)
        assert "q=Rafah" in event.note
        assert started <= event.at <= timezone.now()
    # The article tagged by hand keeps its tag as it was.
    assert RegionTag.objects.get(article=archive.rafah2).method == "editor"
    assert not RegionTag.objects.filter(article=archive.gaza_city).exists()

    html = html_of(editor_client.get(archive.rafah1.get_absolute_url()))
    assert "Gaza added by edith (bulk action)" in html
    assert "bulk: every result of search ?q=Rafah" in html

    # The same bulk action again changes nothing.
    events = TagEvent.objects.count()
    assert "Tag 0 articles with Gaza?" in html_of(bulk(editor_client, query="q=Rafah"))
    again = bulk(editor_client, query="q=Rafah", confirmed=True)
    assert messages_of(again) == ["Tagged 0 articles with Gaza."]
    assert TagEvent.objects.count() == events


def test_bulk_tag_keeps_the_filters_of_the_search(editor_client, archive):
    query = f"q=Rafah&run={archive.first_run}"
    assert "Tag 2 articles with Gaza?" in html_of(bulk(editor_client, query=query))
    bulk(editor_client, query=query, confirmed=True)
    assert all_tags() == {(archive.rafah1.pk, "gaza"), (archive.rafah2.pk, "gaza")}

    # A region filter and no words: every article tagged Gaza gets Egypt too.
    html = html_of(bulk(editor_client, query="region=gaza", slug="egypt"))
    assert "Tag 2 articles with Egypt?" in html
    bulk(editor_client, query="region=gaza", slug="egypt", confirmed=True)
    assert {pk for pk, slug in all_tags() if slug == "egypt"} == {
        archive.rafah1.pk,
        archive.rafah2.pk,
    }


def test_bulk_tag_every_result_leaves_merged_articles_alone(editor_client, archive):
    Article.objects.filter(pk=archive.rafah2.pk).update(status="merged", merged_into=archive.rafah1)
    assert "Tag 2 articles with Gaza?" in html_of(bulk(editor_client, query="q=Rafah"))
    bulk(editor_client, query="q=Rafah", confirmed=True)
    assert all_tags() == {(archive.rafah1.pk, "gaza"), (archive.rafah3.pk, "gaza")}


def test_bulk_tag_selected_results_only(editor_client, editor, archive):
    chosen = [archive.rafah1.pk, archive.rafah3.pk, archive.gaza_city.pk]  # Gaza City: no Rafah
    html = html_of(bulk(editor_client, query="q=Rafah", scope="selected", articles=chosen))
    assert "Tag 2 articles with Gaza?" in html
    assert "2 articles in this selection." in html
    for pk in chosen:  # the confirmation carries the selection on
        assert f'name="article" value="{pk}"' in html
    assert 'name="scope" value="selected"' in html

    done = bulk(editor_client, query="q=Rafah", scope="selected", articles=chosen, confirmed=True)
    assert messages_of(done) == ["Tagged 2 articles with Gaza."]
    assert all_tags() == {(archive.rafah1.pk, "gaza"), (archive.rafah3.pk, "gaza")}
    assert all(
        "q=Rafah" in e.note and e.method == "bulk" and e.user == editor
        for e in TagEvent.objects.all()
    )

    one = bulk(editor_client, query="q=Rafah", scope="selected", articles=[archive.rafah2.pk])
    assert "Tag 1 article with Gaza?" in html_of(one)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"scope": "all", "query": "q=Rafah"}, "This field is required."),
        ({"region": "999999", "scope": "all", "query": "q=Rafah"}, "Select a valid choice."),
        ({"region": "gaza", "scope": "all", "query": "q=Rafah"}, "Select a valid choice."),
        ({"region": "GAZA", "scope": "everything", "query": "q=Rafah"}, "Select a valid choice."),
        ({"region": "GAZA", "scope": "selected", "query": "q=Rafah"}, "Select at least one"),
        ({"region": "GAZA", "query": "q=Rafah"}, "This field is required."),
        (
            {"region": "GAZA", "scope": "selected", "query": "q=Rafah", "article": "abc"},
            "Select a valid choice.",
        ),
        (
            {"region": "GAZA", "scope": "selected", "query": "q=Rafah", "article": ["1", "1e3"]},
            "Select a valid choice.",
        ),
        (
            {"region": "GAZA", "scope": "selected", "query": "q=Rafah", "article": "-5"},
            "Select a valid choice.",
        ),
        (
            {"region": "GAZA", "scope": "selected", "query": "q=Rafah", "article": "²"},
            "Select a valid choice.",
        ),
        ({"region": "GAZA", "scope": "all", "query": "q=" + "Rafah " * 2000}, "at most 4000"),
    ],
    ids=[
        "no-region",
        "unknown-region",
        "region-slug",
        "bad-scope",
        "selected-none",
        "no-scope",
        "article-abc",
        "article-float",
        "article-negative",
        "article-superscript",
        "huge-query",
    ],
)
def test_bad_bulk_input_gives_a_message(editor_client, archive, data, message):
    data = {k: (str(region("gaza").pk) if v == "GAZA" else v) for k, v in data.items()}
    before = state()
    response = editor_client.post(BULK, data)
    assert response.status_code == 302
    assert response["Location"].startswith("/?")
    assert any(message in text for text in messages_of(response)), messages_of(response)
    # Confirmed or not, bad input never tags anything.
    assert editor_client.post(BULK, {**data, "confirmed": "on"}).status_code == 302
    assert state() == before


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param(
            {"scope": "selected", "article": "99999999999999999999999", "query": "q=Rafah"},
        ),
        {"scope": "selected", "article": "999999", "query": "q=Rafah"},
        {"scope": "all", "query": "q=" + "Rafah" * 700},
        {"scope": "all", "query": 'q="unbalanced&region=atlantis&run=abc&page=-1'},
        {"scope": "all", "query": "q=Rafah\x00&imported_from=2024-13-45"},
        {"scope": "all", "query": "q=OR"},
    ],
    ids=["huge-id", "unknown-id", "long-words", "bad-filters", "nul-and-bad-date", "only-or"],
)
def test_odd_bulk_input_never_fails(editor_client, archive, extra):
    data = {"region": region("gaza").pk, **extra}
    response = editor_client.post(BULK, data)
    assert response.status_code in (200, 302)
    done = editor_client.post(BULK, {**data, "confirmed": "on"})
    assert done.status_code == 302
    tagged = {pk for pk, _ in all_tags()}
    # Nothing outside the Rafah articles is ever tagged (a bad filter is left out).
    assert tagged <= {archive.rafah1.pk, archive.rafah2.pk, archive.rafah3.pk}


def test_bulk_get_is_not_allowed(editor_client, archive):
    assert editor_client.get(BULK, {"region": region("gaza").pk, "scope": "all"}).status_code == 405
    assert not RegionTag.objects.exists()


# ---------------------------------------------------------------------------------------------
# Region pages and feeds


@pytest.fixture
def tagged(archive, editor):
    """Gaza on the three Rafah articles (bulk), Lebanon on Beirut (accepted), Libya by hand."""
    gaza = region("gaza")
    tagging.bulk_tag(
        articles=Article.objects.search("Rafah"),
        region=gaza,
        user=editor,
        description="bulk: every result of search ?q=Rafah",
    )
    tagging.accept_suggestion(suggestion=suggestion(archive.beirut, "lebanon"), user=editor)
    tagging.add_region_tag(article=archive.tripoli, region=region("libya"), user=editor)
    return archive


def test_region_list_counts_active_articles(viewer_client, tagged):
    response = viewer_client.get(reverse("articles:regions"))
    counts = {r.slug: r.article_count for r in response.context["regions"]}
    assert (counts["gaza"], counts["lebanon"], counts["libya"], counts["yemen"]) == (3, 1, 1, 0)
    html = html_of(response)
    assert '<a href="/regions/gaza/">Gaza</a>' in html
    assert '<a href="/regions/gaza/feed/">Atom feed' in html

    Article.objects.filter(pk=tagged.rafah2.pk).update(status="merged", merged_into=tagged.rafah1)
    response = viewer_client.get(reverse("articles:regions"))
    assert {r.slug: r.article_count for r in response.context["regions"]}["gaza"] == 2


def test_region_page_lists_the_regions_articles_and_keeps_other_filters(viewer_client, tagged):
    url = reverse("articles:region", args=["gaza"])
    response = viewer_client.get(url)
    assert [a.title for a in response.context["articles"]] == [RAFAH_3, RAFAH_2, RAFAH_1]
    html = html_of(response)
    assert "<h1>Gaza</h1>" in html
    assert 'href="/regions/gaza/feed/"' in html
    assert GAZA_CITY not in html  # suggested Gaza, but not tagged

    filtered = viewer_client.get(url, {"q": "families OR doctors"})
    assert {a.title for a in filtered.context["articles"]} == {RAFAH_2, RAFAH_3}
    by_run = viewer_client.get(url, {"run": tagged.first_run})
    assert [a.title for a in by_run.context["articles"]] == [RAFAH_2, RAFAH_1]
    # The page's own region wins over one in the query string.
    assert [a.title for a in viewer_client.get(url, {"region": "libya"}).context["articles"]] == [
        RAFAH_3,
        RAFAH_2,
        RAFAH_1,
    ]
    assert viewer_client.get("/regions/atlantis/").status_code == 404
    assert viewer_client.get("/regions/atlantis/feed/").status_code == 404


def test_region_page_exports_only_the_regions_articles(viewer_client, tagged):
    html = html_of(viewer_client.get(reverse("articles:region", args=["gaza"])))
    href = html.split("Export all 3:", 1)[1].split('href="', 1)[1].split('"', 1)[0]
    href = href.replace("&amp;", "&")
    exported = viewer_client.get(href)
    rows = b"".join(exported.streaming_content).decode().splitlines()[1:]
    assert len(rows) == 3


def test_region_feed_lists_the_newest_tagged_articles(viewer_client, tagged):
    response = viewer_client.get(reverse("articles:region-feed", args=["gaza"]))
    root = ET.fromstring(response.content)
    assert root.findtext(f"{ATOM}title") == "Newsroom: Gaza"
    assert root.find(f"{ATOM}link").get("href") == "http://testserver/regions/gaza/"
    entries = feed_entries(response)
    assert [e["title"] for e in entries] == [RAFAH_3, RAFAH_2, RAFAH_1]
    assert entries[0]["link"] == f"http://testserver{tagged.rafah3.get_absolute_url()}"
    assert entries[0]["summary"].startswith("Doctors at a field hospital in Rafah")
    libya = feed_entries(viewer_client.get("/regions/libya/feed/"))
    assert [e["title"] for e in libya] == [TRIPOLI]
    assert feed_entries(viewer_client.get("/regions/yemen/feed/")) == []

    # A merged article's tags do not put it in the feed.
    Article.objects.filter(pk=tagged.rafah2.pk).update(status="merged", merged_into=tagged.rafah1)
    entries = feed_entries(viewer_client.get("/regions/gaza/feed/"))
    assert [e["title"] for e in entries] == [RAFAH_3, RAFAH_1]


def test_region_feed_escapes_text_and_keeps_the_newest_fifty(
    viewer_client, editor, import_files, tmp_path
):
    many = {
        f"Rafah Report {i:02d} <b>& more</b>": ([], [f"Report {i} from Rafah & around."])
        for i in range(53)
    }
    import_files(write_dump(tmp_path / "many.txt", many))
    base = datetime(2025, 1, 1, tzinfo=UTC)
    for article in Article.objects.all():
        number = int(article.title.split()[2])
        Article.objects.filter(pk=article.pk).update(created_at=base + timedelta(days=number))
    tagging.bulk_tag(
        articles=Article.objects.all(), region=region("gaza"), user=editor, description="all"
    )
    entries = feed_entries(viewer_client.get("/regions/gaza/feed/"))
    assert len(entries) == 50
    assert entries[0]["title"] == "Rafah Report 52 <b>& more</b>"
    assert entries[-1]["title"] == "Rafah Report 03 <b>& more</b>"


def test_region_feed_needs_an_account(client, tagged):
    response = client.get("/regions/gaza/feed/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get("/regions/").status_code == 302
    assert client.get("/regions/gaza/").status_code == 302


# ---------------------------------------------------------------------------------------------
# The whole story of the issue, through the views


def test_tripoli_libya_rafah_gaza_and_the_history(editor_client, viewer, archive):
    viewer_client = Client()  # editor_client is the test client, logged in as the editor
    viewer_client.force_login(viewer)
    page = html_of(editor_client.get(archive.tripoli.get_absolute_url()))
    assert "<strong>Libya</strong>" in page
    assert '<mark class="evidence">Misrata</mark> ×1' in page
    decide(editor_client, suggestion(archive.tripoli, "libya"), "accept")
    decide(editor_client, suggestion(archive.tripoli, "tunisia"), "reject")
    add_tag(editor_client, archive.tripoli, "egypt")
    remove_tag(editor_client, archive.tripoli, "egypt")
    bulk(editor_client, query="q=Rafah", confirmed=True)

    history = html_of(viewer_client.get(archive.tripoli.get_absolute_url()))
    history = history.split('id="history-heading"', 1)[1]
    lines = [
        "Egypt removed by edith (by hand)",
        "Egypt added by edith (by hand)",
        "Libya added by edith (accepted suggestion)",
    ]
    positions = [history.index(line) for line in lines]
    assert positions == sorted(positions)
    assert "Tunisia" not in history

    region_page = viewer_client.get("/regions/gaza/")
    assert [a.title for a in region_page.context["articles"]] == [RAFAH_3, RAFAH_2, RAFAH_1]
    feed = feed_entries(viewer_client.get("/regions/gaza/feed/"))
    assert {e["title"] for e in feed} == {RAFAH_1, RAFAH_2, RAFAH_3}
    assert all_tags() == {
        (archive.tripoli.pk, "libya"),
        (archive.rafah1.pk, "gaza"),
        (archive.rafah2.pk, "gaza"),
        (archive.rafah3.pk, "gaza"),
    }
