"""Region suggestions: matching, ambiguity, evidence offsets, arbitrary input, and quality on the
labelled set in ``tests/regions_labelled/``.

Pure: no database, no Django. Run alone with
``python -m pytest -q -p no:django --noconftest tests/test_suggest.py``.
"""

import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from articles import gazetteer
from articles.suggest import (
    DEFAULT_THRESHOLD,
    Evidence,
    Gazetteer,
    Suggestion,
    default_gazetteer,
)

LABELLED = Path(__file__).resolve().parent / "regions_labelled"
REQUIRED_REGIONS = [
    "Libya", "Gaza", "West Bank", "Israel", "Lebanon", "Syria", "Iraq", "Iran", "Yemen", "Sudan",
    "Egypt", "Jordan", "Tunisia", "Algeria", "Morocco", "Türkiye", "Saudi Arabia", "Qatar",
    "United Arab Emirates", "Kuwait", "Bahrain", "Oman",
]  # fmt: skip

GAZETTEER = default_gazetteer()


def suggest(title="", captions=(), body="", threshold=0.0) -> dict[str, Suggestion]:
    found = GAZETTEER.suggest(title=title, captions=list(captions), body=body, threshold=threshold)
    return {suggestion.region: suggestion for suggestion in found}


def score(region: str, **article) -> float:
    found = suggest(**article).get(region)
    return found.score if found else 0.0


def fold(text: str) -> str:
    """Text as the gazetteer compares it: no case, accents, apostrophes; words by spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("\u0131", "i")
    text = re.sub("['\u2018\u2019\u02bc`\u00b4]", "", text.casefold())
    return " ".join(re.findall(r"[^\W_]+", text))


def field_text(title: str, captions, body: str, field: str) -> str:
    return {"title": title, "caption": "\n".join(captions), "body": body}[field]


def assert_evidence_slices(title: str, captions, body: str, found) -> None:
    """Every evidence slices its field's text to (a spelling of) the name it reports."""
    for suggestion in found:
        for item in suggestion.evidence:
            text = field_text(title, captions, body, item.field)
            assert 0 <= item.start < item.end <= len(text)
            assert fold(text[item.start : item.end]) == fold(item.name), (item, text)


# --- The vocabulary ----------------------------------------------------------------------------


def test_regions_keep_the_shape_the_seed_migration_reads():
    assert isinstance(gazetteer.REGIONS, dict)
    assert set(REQUIRED_REGIONS) <= set(gazetteer.REGIONS)
    for region, names in gazetteer.REGIONS.items():
        assert isinstance(region, str) and isinstance(names, tuple) and names
        assert all(isinstance(name, str) and 0 < len(name) <= 200 for name in names)
        assert len(set(names)) == len(names), region


def test_qualifier_tables_name_only_gazetteer_names():
    names = {name for names in gazetteer.REGIONS.values() for name in names}
    for table in ("COUNTRIES", "DEMONYMS", "ACTORS", "CAPITALIZED", "ALSO_PERSON"):
        assert set(getattr(gazetteer, table)) <= names, table
    assert not names & set(gazetteer.EXCLUSIONS + gazetteer.PEOPLE)


def test_default_gazetteer_covers_the_vocabulary_and_is_built_once():
    assert GAZETTEER.regions == tuple(gazetteer.REGIONS)
    assert default_gazetteer() is GAZETTEER


# --- Matching ----------------------------------------------------------------------------------


def test_evidence_offsets_slice_each_field_to_the_name():
    title = "Clashes in Benghazi"
    captions = ["A man in Tobruk. (AFP)", "Smoke over Misrata (Reuters)"]
    body = "First paragraph, about Derna.\n\nThe second, about Sirte."
    (libya,) = GAZETTEER.suggest(title=title, captions=captions, body=body, threshold=0)
    assert libya.region == "Libya"
    assert libya.evidence == (
        Evidence("Benghazi", "title", 11, 19),
        Evidence("Tobruk", "caption", 9, 15),
        Evidence("Misrata", "caption", 34, 41),
        Evidence("Derna", "body", 23, 28),
        Evidence("Sirte", "body", 49, 54),
    )
    for item in libya.evidence:
        assert field_text(title, captions, body, item.field)[item.start : item.end] == item.name
    assert libya.counts() == {"Benghazi": 1, "Tobruk": 1, "Misrata": 1, "Derna": 1, "Sirte": 1}


def test_counts_tally_each_name():
    found = suggest(title="Gaza", body="Gaza, Rafah and Gaza again. Rafah.")["Gaza"]
    assert found.counts() == {"Gaza": 3, "Rafah": 2}


@pytest.mark.parametrize("spelling", ["Sana'a", "Sana\u2019a", "SANA'A", "Sanaa", "sanaa"])
def test_apostrophes_case_and_spellings(spelling):
    body = f"Fighting was reported in {spelling} on Monday."
    (item,) = suggest(body=body)["Yemen"].evidence
    assert item.name == "Sanaa" and body[item.start : item.end] == spelling


@pytest.mark.parametrize("spelling", ["Türkiye", "Turkiye", "TÜRKIYE", "türkiye"])
def test_accents(spelling):
    body = f"{spelling} said on Monday."
    (item,) = suggest(body=body)["Türkiye"].evidence
    assert (item.start, item.end) == (0, len(spelling))
    assert suggest(body="Erdoğan met Erdogan")["Türkiye"].counts() == {"Erdogan": 2}


def test_acronyms_only_in_capitals():
    assert suggest(body="The LNA said.")["Libya"].counts() == {"LNA": 1}
    assert "Libya" not in suggest(body="The lna said; Lna too.")
    assert suggest(body="RSF fighters and rsf")["Sudan"].counts() == {"RSF": 1}
    assert suggest(body="The UAE said")["United Arab Emirates"].counts() == {"UAE": 1}


def test_common_words_count_only_capitalized():
    assert "Türkiye" not in suggest(body="We ate turkey with a tyre-shaped cake in mocha.")
    assert "Türkiye" in suggest(body="Turkey said on Monday.")


def test_word_boundaries():
    found = suggest(body="A woman from Hamas; Israeli-backed groups in pro-Iran Iraqi towns.")
    assert "Oman" not in found
    assert found["Gaza"].counts() == {"Hamas": 1}
    assert "Syria" not in found  # Hama is not in Hamas
    assert found["Israel"].counts() == {"Israeli": 1}
    assert found["Iran"].counts() == {"Iran": 1}
    assert found["Iraq"].counts() == {"Iraqi": 1}


def test_longest_name_wins():
    body = "Strikes hit Gaza City, the Gaza Strip and the West Bank. Port Sudan and Kuwait City."
    found = suggest(body=body)
    assert found["Gaza"].counts() == {"Gaza City": 1, "Gaza Strip": 1}
    assert found["West Bank"].counts() == {"West Bank": 1}
    assert found["Sudan"].counts() == {"Port Sudan": 1}
    assert found["Kuwait"].counts() == {"Kuwait City": 1}
    found = suggest(body="Officials of the Kingdom of Saudi Arabia.")
    assert found["Saudi Arabia"].counts() == {"Kingdom of Saudi Arabia": 1}


def test_a_name_does_not_run_across_captions_or_paragraphs():
    found = suggest(captions=["Smoke over Gaza", "City officials said. (AFP)"])
    assert found["Gaza"].counts() == {"Gaza": 1}
    found = suggest(body="They fled Gaza\n\nCity hall was shut.")
    assert found["Gaza"].counts() == {"Gaza": 1}


def test_hyphens_and_spaces_between_the_words_of_a_name():
    assert suggest(body="in Deir al Balah")["Gaza"].counts() == {"Deir al-Balah": 1}
    assert suggest(body="in Deir al\u2013Balah")["Gaza"].counts() == {"Deir al-Balah": 1}


# --- Ambiguity ---------------------------------------------------------------------------------


def test_tripoli_goes_to_the_region_the_rest_of_the_article_supports():
    libya = suggest(title="Clashes in Tripoli", body="Fighting spread from Tripoli to Benghazi.")
    assert libya["Libya"].score >= DEFAULT_THRESHOLD > libya["Lebanon"].score
    assert libya["Libya"].counts() == {"Tripoli": 2, "Benghazi": 1}
    lebanon = suggest(
        title="Clashes in Tripoli", body="Troops came from Beirut. Hezbollah urged calm in Tripoli."
    )
    assert lebanon["Lebanon"].score >= DEFAULT_THRESHOLD > lebanon["Libya"].score


def test_tripoli_alone_is_weak_for_both():
    found = suggest(title="Clashes in Tripoli", body="Gunmen fought in Tripoli overnight.")
    assert found["Libya"].score == found["Lebanon"].score
    assert 0 < found["Libya"].score < DEFAULT_THRESHOLD


def test_gaza_humanitarian_foundation_is_not_gaza():
    body = "The Gaza Humanitarian Foundation named a new director, the State Department said."
    assert suggest(title="Gaza Humanitarian Foundation Names Chief", body=body) == {}
    found = suggest(body=f"{body} Aid reached Gaza City.")
    assert found["Gaza"].counts() == {"Gaza City": 1}


def test_jordan_the_person_and_the_river_are_not_jordan():
    assert suggest(body="Rep. Jim Jordan said. Jordan, an Ohio Republican, agreed.") == {}
    assert suggest(body="Critics said Mr. Jordan was wrong. Jordan replied on Monday.") == {}
    assert suggest(body="Michael Jordan said Jordan would win.") == {}
    assert suggest(body="Tyre Nichols died in Memphis; Tyre was 29.") == {}
    assert suggest(body="Water levels in the Jordan River fell.") == {}
    country = suggest(body="Jordan\u2019s King Abdullah II met officials in Amman, Jordan.")
    assert country["Jordan"].counts() == {"Jordan": 2, "King Abdullah II": 1, "Amman": 1}


def test_jordan_valley_goes_to_the_west_bank_in_a_west_bank_story():
    body = (
        "Settlers attacked herders in the Jordan Valley, in the occupied West Bank, near Jericho."
    )
    found = suggest(title="Settlers Attack Herders", body=body)
    assert found["West Bank"].score >= DEFAULT_THRESHOLD > found["Jordan"].score


def test_american_places_named_after_middle_eastern_ones():
    body = "Storms hit Lebanon, Pennsylvania, and Alexandria, Va. Lebanon County was worst hit."
    assert suggest(body=body) == {}
    assert "Lebanon" in suggest(body="Strikes hit Lebanon, officials in Beirut said.")


# --- Scoring -----------------------------------------------------------------------------------


def test_title_counts_more_than_caption_more_than_body():
    confirm = "Officials in Benghazi spoke."
    in_title = score("Libya", title="News from Derna", body=f"Filler text. {confirm}")
    in_caption = score("Libya", captions=["News from Derna (AFP)"], body=f"Filler. {confirm}")
    in_body = score("Libya", body=f"Filler text.\n\nNews from Derna. {confirm}")
    assert in_title > in_caption > in_body


def test_a_title_mention_the_body_never_confirms_counts_little():
    assert score("Türkiye", title="Turkey Prices Fall Before Thanksgiving") < DEFAULT_THRESHOLD
    assert (
        score("Türkiye", title="Turkey Votes", body="Turkey held elections.") >= DEFAULT_THRESHOLD
    )


def test_distinct_names_count_more_than_one_name_repeated():
    distinct = score("Libya", body="In Benghazi. In Tobruk. In Misrata.")
    repeated = score("Libya", body="In Benghazi. In Benghazi. In Benghazi.")
    assert distinct > repeated


def test_demonyms_count_less_than_place_names():
    assert score("Libya", body="He spoke of Libya.") > score("Libya", body="He spoke of Libyans.")


def test_a_passing_mention_in_a_long_story_about_elsewhere_stays_below_the_threshold():
    paragraphs = [
        "Sudan's army said it had retaken central Khartoum from the Rapid Support Forces.",
        "Army chief Abdel Fattah al-Burhan visited the palace in Khartoum.",
        "Residents of Omdurman described weeks without water.",
        "The RSF still holds most of Darfur, including El Geneina.",
        "Aid agencies said roads to Kordofan had reopened.",
        "Engineers began repairing the water station in Bahri.",
        "The UN said 3.5 million people fled Khartoum state.",
        "Looting and unexploded shells remain a danger, officials said.",
        "Some families came back from Egypt, where many had fled.",
        "The government in Port Sudan plans to return to the capital.",
    ]
    found = suggest(title="Sudan's Army Retakes Khartoum", body="\n\n".join(paragraphs))
    assert found["Sudan"].score >= DEFAULT_THRESHOLD > found["Egypt"].score


def test_a_region_named_once_in_the_body_is_not_suggested():
    assert score("Iran", body="Oil prices rose. Traders watched Iran. Stocks fell.") < 0.5


def test_multi_region_stories_suggest_each_region():
    found = suggest(
        title="Israeli Strikes Hit South Lebanon as Rockets Target Northern Israel",
        body="Strikes hit Khiam and Nabatieh in Lebanon. Rockets hit Kiryat Shmona and Metula.",
    )
    assert {"Israel", "Lebanon"} <= {r for r, s in found.items() if s.score >= DEFAULT_THRESHOLD}


def test_suggestions_are_sorted_and_filtered_by_threshold():
    article = {
        "title": "Egypt Says Rafah Crossing to Reopen",
        "captions": ["Trucks wait near El-Arish (AFP)"],
        "body": "Egypt said aid would enter Gaza through Rafah. Israel agreed.",
    }
    every = GAZETTEER.suggest(**article, threshold=0)
    assert [s.score for s in every] == sorted((s.score for s in every), reverse=True)
    assert all(0 < s.score <= 1 for s in every)
    default = GAZETTEER.suggest(**article)
    assert default == [s for s in every if s.score >= DEFAULT_THRESHOLD]
    assert {s.region for s in default} == {"Egypt", "Gaza"}
    assert GAZETTEER.suggest(**article, threshold=1.01) == []


def test_no_names_no_suggestions():
    assert GAZETTEER.suggest(title="", captions=[], body="") == []
    assert GAZETTEER.suggest(title="EU budget", captions=[], body="Leaders met.") == []


# --- A gazetteer from the database's mapping ---------------------------------------------------


def test_from_mapping_reads_the_database_shape():
    mapping = {
        "Libya": ["Benghazi", "Tripoli", "Haftar"],
        "Lebanon": ["Beirut", "Tripoli"],
        "Atlantis": ["Poseidonia"],  # a region an editor added, with its name
    }
    built = Gazetteer.from_mapping(mapping)
    assert built.regions == ("Libya", "Lebanon", "Atlantis")
    assert Gazetteer.from_mapping({k: list(v) for k, v in mapping.items()}) is built
    found = {
        s.region: s
        for s in built.suggest(title="Atlantis", captions=[], body="Poseidonia.", threshold=0)
    }
    assert found["Atlantis"].counts() == {"Atlantis": 1, "Poseidonia": 1}
    found = built.suggest(title="Tripoli", captions=[], body="Benghazi and Tripoli.")
    assert [s.region for s in found] == ["Libya"]
    # The module's knowledge applies on top: Haftar is an actor, GHF an exclusion.
    actor = built.suggest(title="", captions=[], body="Haftar spoke.", threshold=0)[0].score
    place = built.suggest(title="", captions=[], body="Benghazi spoke.", threshold=0)[0].score
    assert actor < place


# --- Arbitrary input ---------------------------------------------------------------------------

NAMES = sorted({name for names in gazetteer.REGIONS.values() for name in names})
PIECES = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from(NAMES).map(str.upper),
    st.sampled_from(NAMES).map(str.lower),
    st.sampled_from(gazetteer.EXCLUSIONS + gazetteer.PEOPLE),
    st.sampled_from([" ", "\n", "\n\n", ", ", ". ", "-", "\u2019", "'s ", "Rep. ", " County"]),
    st.text(max_size=8),
)
ARTICLE_TEXT = st.lists(PIECES, max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    title=ARTICLE_TEXT,
    captions=st.lists(ARTICLE_TEXT, max_size=3),
    body=ARTICLE_TEXT,
    threshold=st.floats(0, 1),
)
def test_suggest_never_raises_and_its_evidence_holds(title, captions, body, threshold):
    found = GAZETTEER.suggest(title=title, captions=captions, body=body, threshold=threshold)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    regions = set(gazetteer.REGIONS)
    for suggestion in found:
        assert suggestion.region in regions
        assert threshold <= suggestion.score <= 1
        assert suggestion.evidence
    assert_evidence_slices(title, captions, body, found)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=())), st.text(), st.text())
@example("\ud800Gaza\udfff City", "Lebanon,\ud83d Pennsylvania", "Rep.\udc00 Jordan \ufffd")
@example("\u0130stanbul \u0131zmir", "\ufb01 Sana\u02bca", "\x00\u200bGaza\u00a0City\r\n")
def test_suggest_never_raises_on_any_characters(title, caption, body):
    # Any code point, lone surrogates included.
    GAZETTEER.suggest(title=title, captions=[caption], body=body, threshold=0)


# --- Quality on the labelled set ---------------------------------------------------------------


def load(part: str) -> list[dict]:
    with open(LABELLED / f"{part}.jsonl", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


PARTS = {"tune": load("tune"), "heldout": load("heldout")}


def test_the_labelled_set_is_well_formed():
    articles = PARTS["tune"] + PARTS["heldout"]
    assert len(articles) >= 60 and len(PARTS["heldout"]) >= 20
    assert len({a["id"] for a in articles}) == len(articles)
    labelled = set()
    for article in articles:
        assert article["title"] and article["paragraphs"] and len(article["captions"]) <= 2
        assert set(article["regions"]) <= set(gazetteer.REGIONS), article["id"]
        labelled.update(article["regions"])
    assert labelled == set(REQUIRED_REGIONS)  # every region is the subject of some article
    assert any(not article["regions"] for article in articles)  # and some are about none


def evaluate(articles: list[dict]) -> tuple[int, int, int]:
    """Micro counts over article x region decisions: true positives, false positives, misses."""
    tp = fp = fn = 0
    for article in articles:
        body = "\n\n".join(article["paragraphs"])
        found = GAZETTEER.suggest(title=article["title"], captions=article["captions"], body=body)
        assert_evidence_slices(article["title"], article["captions"], body, found)
        got, want = {s.region for s in found}, set(article["regions"])
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    return tp, fp, fn


def test_precision_and_recall_on_the_labelled_set(capsys):
    totals = [0, 0, 0]
    lines = []
    for part, articles in PARTS.items():
        tp, fp, fn = evaluate(articles)
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
        lines.append(f"{part:8s} {len(articles):3d} articles  " + figures(tp, fp, fn))
    tp, fp, fn = totals
    lines.append(f"{'all':8s} {sum(map(len, PARTS.values())):3d} articles  " + figures(tp, fp, fn))
    with capsys.disabled():
        print(f"\nRegion suggestions at threshold {DEFAULT_THRESHOLD}:\n" + "\n".join(lines))
    assert tp / (tp + fp) >= 0.95
    assert tp / (tp + fn) >= 0.9


def figures(tp: int, fp: int, fn: int) -> str:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return f"precision {precision:.3f}  recall {recall:.3f}  (tp {tp}, fp {fp}, fn {fn})"
