"""Search on the database (SQLite or PostgreSQL, whichever DATABASE_URL names): the same cases
on both, on a small fixed corpus made here."""

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Count, Exists, OuterRef
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.models import Article, Caption, Region, RegionTag
from articles.search import backends
from articles.search.backends import get_backend
from articles.search.query import parse_query

START = datetime(2025, 1, 1, tzinfo=UTC)


def make(title, body="Officials met on Monday.", captions="", *, age_days=0, **fields):
    article = Article.objects.create(
        title=title,
        body=body,
        caption_text=captions,
        fingerprint=hashlib.sha256(f"{title}\n{body}\n{captions}".encode()).hexdigest(),
        **fields,
    )
    # Newest first is the tie-break: make the order explicit rather than depend on the clock.
    Article.objects.filter(pk=article.pk).update(created_at=START - timedelta(days=age_days))
    article.refresh_from_db()
    return article


def titles(text, queryset=None):
    queryset = Article.objects.active() if queryset is None else queryset
    return [a.title for a in queryset.search(text)]


@pytest.fixture
def corpus(db):
    """A small archive; each test picks the articles it needs by title."""
    return {
        a.title: a
        for a in [
            make(
                "LNA Denies Haftar Seeking Russian Base in Libya",
                "Bloomberg had reported that Haftar asked Moscow for an air base near Tobruk.\n\n"
                "Haftar’s spokesman denied it.",
                "Khalifa Haftar in Benghazi. (AFP)",
                age_days=30,
            ),
            make(
                "Talks in Cairo Stall",
                "Mediators said the negotiations would resume next week in Cairo.",
                "Delegates arrive in Cairo. (Reuters)",
                age_days=20,
            ),
            make(
                "Delegations Negotiate in Doha",
                "Both sides were negotiating over the base of the air force in Tripolitania.",
                age_days=19,
            ),
            make(
                "Türkiye Sends Aid Ships",
                "Turkish officials said the ships left Mersin for Gaza.",
                "Aid is loaded in Türkiye. (Anadolu)",
                age_days=10,
            ),
            make(
                "Turkiye and Egypt Discuss Rafah Crossing",
                "The Rafah crossing stayed closed. Haftar's name came up.",
                age_days=9,
            ),
            make(
                "Fuel Shortage Hits Tripoli Hospitals",
                "Doctors in Tripoli said generators would stop. Gaza was also mentioned.",
                age_days=5,
            ),
            make(
                "Sudan Army Retakes Khartoum District",
                "The army said it had retaken the district.",
                age_days=3,
            ),
        ]
    }


# --- Matching ---------------------------------------------------------------------------------


def test_words_must_all_match(corpus):
    assert titles("Haftar Tobruk") == ["LNA Denies Haftar Seeking Russian Base in Libya"]
    assert titles("haftar cairo") == []


def test_phrase_against_words(corpus):
    assert titles('"air base"') == ["LNA Denies Haftar Seeking Russian Base in Libya"]
    assert set(titles("air base")) == {
        "LNA Denies Haftar Seeking Russian Base in Libya",
        "Delegations Negotiate in Doha",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"air base"', {"Air Base Visit"}),
        ('"base air"', {"Base Air Drill"}),
        ('"mitiga air base"', {"Air Base Visit"}),
        ('"city of gaza"', {"Return to the City of Gaza"}),
        ('"al-Watiya base"', {"Air Base Visit"}),
        ('"air base" -"base air"', {"Air Base Visit"}),
        ('"air base" OR "city of gaza"', {"Air Base Visit", "Return to the City of Gaza"}),
        ('"air force base"', set()),
        ('"gaza city"', set()),
    ],
)
def test_phrases_need_their_words_in_order(db, query, expected):
    """On PostgreSQL, phrases are answered through the stored word pairs (one lexeme per pair of
    neighbouring words): the same results as the words in order, on both databases."""
    make("Air Base Visit", "Officials toured the Mitiga air base and the al-Watiya base.")
    make("Base Air Drill", "A drill: base air defence units moved. An air force came.")
    make("Return to the City of Gaza", "Families returned to the city of Gaza on foot.")
    make("Gaza and the City", "Gaza, the city said, is short of water.")
    assert set(titles(query)) == expected


@pytest.mark.postgres
def test_postgres_answers_a_two_word_phrase_with_one_pair_lexeme(db):
    make("Air Base Visit", "Officials toured the Mitiga air base.")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT newsroom_phrase_query('newsroom_english', 'Air bases')::text, "
            "newsroom_phrase_query('newsroom_english', 'city of Gaza')::text, "
            "newsroom_phrase_query('newsroom_english', 'Gaza')::text, "
            "search_vector::text FROM articles_article"
        )
        two_words, with_a_stop_word, one_word, vector = cursor.fetchone()
    # No phrase operator: the GIN index answers it without reading the rows' vectors.
    assert (two_words, with_a_stop_word, one_word) == ("'air 1 base'", "'citi 2 gaza'", "'gaza'")
    assert "'air 1 base'" in vector and "'mitiga 1 air'" in vector


def test_or(corpus):
    assert set(titles("Sudan OR Tobruk")) == {
        "Sudan Army Retakes Khartoum District",
        "LNA Denies Haftar Seeking Russian Base in Libya",
    }
    assert titles("Sudan OR Tobruk Haftar") == ["LNA Denies Haftar Seeking Russian Base in Libya"]


def test_exclusion(corpus):
    assert set(titles("Gaza")) == {
        "Türkiye Sends Aid Ships",
        "Fuel Shortage Hits Tripoli Hospitals",
    }
    assert titles("Gaza -Tripoli") == ["Türkiye Sends Aid Ships"]
    assert titles('Rafah -"Rafah crossing"') == []
    assert titles('Haftar -"air base"') == ["Turkiye and Egypt Discuss Rafah Crossing"]


def test_prefix(corpus):
    assert set(titles("Tripol*")) == {
        "Fuel Shortage Hits Tripoli Hospitals",
        "Delegations Negotiate in Doha",
    }
    assert titles("Tripol* -Tripoli") == ["Delegations Negotiate in Doha"]


def test_stemming(corpus):
    expected = {"Talks in Cairo Stall", "Delegations Negotiate in Doha"}
    assert set(titles("negotiations")) == expected
    assert set(titles("negotiate")) == expected


def test_case_and_accents_both_ways(corpus):
    both = {"Türkiye Sends Aid Ships", "Turkiye and Egypt Discuss Rafah Crossing"}
    assert set(titles("Turkiye")) == both
    assert set(titles("TÜRKIYE")) == both
    assert set(titles("türkiye")) == both


def test_curly_and_straight_apostrophes_both_ways(corpus):
    # A possessive finds the word itself (the title here has no apostrophe).
    assert "LNA Denies Haftar Seeking Russian Base in Libya" in titles("Haftar’s")
    both = {
        "LNA Denies Haftar Seeking Russian Base in Libya",  # Haftar’s in the body
        "Turkiye and Egypt Discuss Rafah Crossing",  # Haftar's in the body
    }
    assert set(titles("Haftar's")) == both
    assert set(titles("Haftar’s")) == both
    assert set(titles('"Haftar’s spokesman"')) == {
        "LNA Denies Haftar Seeking Russian Base in Libya"
    }
    assert set(titles('"Haftar\'s spokesman"')) == {
        "LNA Denies Haftar Seeking Russian Base in Libya"
    }


def test_merged_articles_are_left_out_of_active(corpus):
    survivor = corpus["Talks in Cairo Stall"]
    merged = make("Cairo Talks Stall Again", "Negotiations in Cairo stalled.", age_days=1)
    Article.objects.filter(pk=merged.pk).update(status="merged", merged_into=survivor)
    assert "Cairo Talks Stall Again" not in titles("Cairo")
    assert "Cairo Talks Stall Again" in titles("Cairo", Article.objects.all())


# --- Ranking ----------------------------------------------------------------------------------


@pytest.fixture
def ranked(db):
    # Oldest first: newest first alone would give the opposite order.
    return [
        make("Tobruk Council Meets", "The council met on Monday.", "The hall. (AFP)", age_days=9),
        make(
            "Council Meets", "The council met on Monday.", "The hall in Tobruk. (AFP)", age_days=5
        ),
        make(
            "Council Meets Again",
            "The council met in Tobruk on Monday. Tobruk, Tobruk and Tobruk again.",
            "The hall. (AFP)",
            age_days=1,
        ),
        make("Nothing Here", "Nothing about it.", age_days=0),
    ]


def test_title_above_caption_above_body(ranked):
    results = list(Article.objects.active().search("tobruk"))
    assert [a.title for a in results] == [
        "Tobruk Council Meets",
        "Council Meets",
        "Council Meets Again",
    ]
    ranks = [a.search_rank for a in results]
    assert all(isinstance(rank, float) for rank in ranks)
    assert ranks[0] > ranks[1] > ranks[2]


def test_title_above_caption_above_body_with_two_words(ranked):
    assert [a.title for a in Article.objects.active().search("tobruk council")] == [
        "Tobruk Council Meets",
        "Council Meets",
        "Council Meets Again",
    ]


def test_equal_ranks_are_newest_first(db):
    for days in (3, 1, 2):
        make(f"Tobruk Report {days}", "Same body.", age_days=days)
    assert titles("Tobruk") == ["Tobruk Report 1", "Tobruk Report 2", "Tobruk Report 3"]


# --- The queryset -----------------------------------------------------------------------------


def test_search_composes_like_any_queryset(corpus):
    results = Article.objects.active().search("Gaza OR Rafah")
    assert results.count() == 3
    assert results.filter(title__startswith="Fuel").count() == 1
    assert len(results[:2]) == 2
    assert [a.title for a in results[1:]] == [a.title for a in list(results)[1:]]
    assert results.exists()
    rows = list(results.values("id", "title", "search_rank"))
    assert len(rows) == 3
    assert all(isinstance(row["search_rank"], float) for row in rows)
    assert list(results.values_list("id", flat=True)) == [a.pk for a in results]
    # As a subquery, the way facet counts and bulk actions use it.
    ids = results.order_by().values("pk")
    assert Article.objects.filter(pk__in=ids).count() == 3
    assert Article.objects.filter(pk__in=ids).search("Tripoli").count() == 1
    assert results.search("Tripoli").count() == 1
    assert results.order_by("-created_at").first().title == "Fuel Shortage Hits Tripoli Hospitals"


def test_search_works_with_subqueries_joins_and_aggregates(corpus):
    libya = Region.objects.get(slug="libya")
    lna = corpus["LNA Denies Haftar Seeking Russian Base in Libya"]
    RegionTag.objects.create(article=lna, region=libya)
    Caption.objects.create(article=lna, text="Khalifa Haftar in Benghazi. (AFP)")
    results = Article.objects.active().search("Haftar OR Gaza")
    tagged = RegionTag.objects.filter(article=OuterRef("pk"), region=libya)
    assert [a.pk for a in results.filter(Exists(tagged))] == [lna.pk]
    assert results.exclude(region_tags__region=libya).count() == 3
    counted = {a.pk: a.n for a in results.annotate(n=Count("captions"))}
    assert counted[lna.pk] == 1 and len(counted) == 4
    assert len(results.select_related("merged_into").prefetch_related("captions")) == 4
    assert results.filter(pk=lna.pk).update(title="LNA Denies It") == 1
    assert Article.objects.get(pk=lna.pk).title == "LNA Denies It"
    assert titles("denies") == ["LNA Denies It"]


def test_search_accepts_a_parsed_query(corpus):
    query = parse_query("Sudan")
    assert titles(query) == ["Sudan Army Retakes Khartoum District"]


def test_nothing_to_search_for_is_none(corpus):
    for text in ("", "   ", "the", "-Gaza", "!!!"):
        results = Article.objects.active().search(text)
        assert list(results) == []
        assert results.count() == 0


# --- Bad input --------------------------------------------------------------------------------

BAD_INPUTS = [
    ('Haftar "air base', "closing quote", 1),
    ("Gaza\x00 Tri\x07poli", None, 1),
    ("Tobruk " * 100, "500 characters", 1),
    ("OR Gaza", "“OR”", 2),
    ("Gaza OR", "“OR”", 2),
    ("--Tripoli Gaza", "one “-”", 1),
    ("* Sudan", "“*”", 1),
    ("- Sudan", "“-”", 1),
    ("-Gaza -Rafah", "add at least one word to search for", 0),
    ("the of", "common words", 0),
    ("?!.,;", "nothing to search for", 0),
    ("Gaza:Gaza ^Gaza Gaza&Gaza Gaza|Gaza !Gaza (Gaza) \\Gaza 'Gaza' {Gaza}", None, 2),
    ("NEAR(Gaza, 2)", None, 0),  # three words, as typed: "near", "gaza", "2"
    ('"Gaza" AND NOT "', "closing quote", 2),  # "and" and "not": common words
    ("Gaza:* & !Tripoli | (Tripoli", None, 1),
]


@pytest.mark.parametrize(("text", "warning", "count"), BAD_INPUTS)
def test_bad_input_never_raises(corpus, text, warning, count):
    query = parse_query(text)
    if warning:
        assert any(warning.lower() in w.lower() for w in query.warnings), query.warnings
    results = Article.objects.active().search(query)
    assert results.count() == count
    assert len(list(results[:20])) == count
    get_backend().snippets(results, query)


# --- Snippets ---------------------------------------------------------------------------------


def test_snippets_escape_then_mark(db):
    article = make(
        "Security Scare",
        "Before it. <script>alert('Tobruk')</script> & Tobruk's <b>council</b> met.",
    )
    [snippet] = get_backend().snippets([article], parse_query("Tobruk")).values()
    assert "<script>" not in snippet and "<b>" not in snippet
    assert "&lt;script&gt;" in snippet
    assert "&lt;b&gt;council&lt;/b&gt;" in snippet
    assert "&amp;" in snippet
    assert "<mark>Tobruk</mark>" in snippet
    assert snippet.count("<mark>") == snippet.count("</mark>") >= 2


def test_snippet_comes_from_the_body_else_captions_else_title(ranked):
    title_only, caption_only, body_only, _ = ranked
    snippets = get_backend().snippets([a.pk for a in ranked], "Tobruk")
    assert set(snippets) == {title_only.pk, caption_only.pk, body_only.pk}
    assert snippets[body_only.pk].startswith("The council met in <mark>Tobruk</mark>")
    assert snippets[caption_only.pk] == "The hall in <mark>Tobruk</mark>. (AFP)"
    assert snippets[title_only.pk] == "<mark>Tobruk</mark> Council Meets"


def test_snippets_mark_every_matched_word_and_stem(corpus):
    article = corpus["Delegations Negotiate in Doha"]
    snippet = get_backend().snippets([article], '"air force" negotiations')[article.pk]
    assert "<mark>negotiating</mark>" in snippet
    # PostgreSQL marks each word of a phrase, SQLite the phrase as a whole.
    marked = re.findall(r"<mark>(.*?)</mark>", snippet)
    assert " ".join(marked).split() == ["negotiating", "air", "force"]


def test_snippets_are_about_thirty_words(db):
    body = (
        " ".join(f"word{n}" for n in range(200))
        + " Tobruk "
        + " ".join(f"more{n}" for n in range(200))
    )
    article = make("Long", body)
    snippet = get_backend().snippets([article], "Tobruk")[article.pk]
    assert "<mark>Tobruk</mark>" in snippet
    assert 15 <= len(snippet.split()) <= 40
    assert "…" in snippet


def test_snippets_for_a_page_take_one_query(corpus, django_assert_num_queries):
    articles = list(Article.objects.active().search("Cairo OR Gaza OR Haftar"))
    with django_assert_num_queries(1):
        snippets = get_backend().snippets(articles, parse_query("Cairo OR Gaza OR Haftar"))
    assert set(snippets) == {a.pk for a in articles}


def test_snippets_for_an_export_come_in_batches(ranked, django_assert_num_queries):
    ids = [*range(10_000, 11_100), ranked[0].pk]
    with django_assert_num_queries(3):
        snippets = get_backend().snippets(ids, "Tobruk")
    assert list(snippets) == [ranked[0].pk]


def test_snippets_of_nothing(corpus):
    backend = get_backend()
    assert backend.snippets([], "Gaza") == {}
    assert backend.snippets(list(corpus.values()), "") == {}
    assert backend.snippets(list(corpus.values()), "-Gaza") == {}
    # An article that does not match has no snippet: the page shows its lead.
    sudan = corpus["Sudan Army Retakes Khartoum District"]
    assert backend.snippets([sudan], "Gaza") == {}


# --- Backends ---------------------------------------------------------------------------------


def test_backend_follows_the_database():
    expected = {
        "postgresql": backends.PostgresBackend,
        "sqlite": backends.SqliteBackend,
    }[connection.vendor]
    assert isinstance(get_backend(), expected)
    assert isinstance(get_backend(connection), expected)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's broad-search path")
def test_sqlite_broad_searches_keep_the_tiers(ranked, corpus, monkeypatch):
    monkeypatch.setattr(backends, "SQLITE_RANKED_MATCHES", 0)
    results = Article.objects.active().search("tobruk")
    assert [a.title for a in results] == [
        "Tobruk Council Meets",
        "Council Meets",
        "Council Meets Again",
        "LNA Denies Haftar Seeking Russian Base in Libya",  # body only, older
    ]
    assert [a.search_rank for a in results] == [2.0, 1.0, 0.0, 0.0]
    assert results.count() == 4
    assert set(titles("Gaza -Tripoli")) == {"Türkiye Sends Aid Ships"}
    assert Article.objects.filter(pk__in=results.order_by().values("pk")).count() == 4


@pytest.mark.postgres
def test_postgres_ranks_with_the_compact_vector(ranked):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_rank_vector::text FROM articles_article WHERE id = %s",
            [ranked[1].pk],
        )
        (vector,) = cursor.fetchone()
    assert re.search(r"'tobruk':\d+B", vector)  # from the caption
    assert "'council':1A" in vector
    assert "monday" not in vector  # the body is not in it


@pytest.mark.postgres
def test_postgres_keeps_to_the_gin_index(ranked):
    """The match condition is hidden from the planner, and doubled for a page sorted by date
    (see articles.search.backends._PostgresMatch)."""
    results = Article.objects.active().search("tobruk")

    def conditions(queryset) -> int:
        return str(queryset.query).count("search_vector @@ (SELECT")

    assert conditions(results[:20]) == 1
    assert conditions(results.order_by("title")[:20]) == 1
    assert conditions(results.order_by("-created_at", "-id")[:20]) == 2
    assert conditions(results.order_by("-created_at")) == 1
    newest = [a.title for a in results.order_by("-created_at")[:2]]
    assert newest == ["Council Meets Again", "Council Meets"]


# --- Property: any text is a valid search on the database -------------------------------------

ANY_TEXT = st.one_of(
    st.text(max_size=80),
    st.lists(
        st.sampled_from(
            [
                *"\"'“”‘’*-:^&|!()\\{}+.,;<>@~/ \x00\n",
                *["OR", "AND", "NOT", "NEAR", "Tobruk", "tripol", "Türkiye", "the", "x"],
            ]
        ),
        max_size=20,
    ).map("".join),
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=ANY_TEXT)
def test_any_text_runs_on_the_database(ranked, text):
    query = parse_query(text)
    results = Article.objects.active().search(query)
    found = list(results[:5])
    assert results.count() >= len(found)
    snippets = get_backend().snippets(found, query)
    assert set(snippets) <= {a.pk for a in found}
    if query.is_empty:
        assert found == []


# --- Pages of ranked results -----------------------------------------------------------------


@pytest.fixture
def tiered(db):
    """Fourteen matches for "gaza" over the three tiers, ages mixed so that newest first alone
    would interleave them, one merged away and one excluded by "-rafah"."""
    articles = []
    for i in range(5):
        articles.append(make(f"Gaza Talks {i}", "Officials met.", age_days=(i * 7) % 11))
        articles.append(
            make(
                f"Aid Convoy {i}", "Trucks waited.", f"Trucks bound for Gaza {i}. (AFP)", age_days=i
            )
        )
        articles.append(
            make(f"Market Report {i}", f"Prices rose in Gaza again, {i}.", age_days=i * 2)
        )
    make("Rafah Crossing", "Gaza and Rafah.", age_days=1)
    survivor = articles[0]
    merged = make(
        "Gaza Talks Again", "Officials met.", status=Article.Status.MERGED, merged_into=survivor
    )
    gaza = Region.objects.get(slug="gaza")
    for article in (*articles[:8], merged):
        RegionTag.objects.create(article=article, region=gaza)
    return articles


def page_ids(client, params: str, page: int) -> list[int]:
    response = client.get(f"/?{params}&page={page}")
    assert response.status_code == 200
    return [article.pk for article in response.context["articles"]]


@pytest.mark.parametrize("broad", [False, True], ids=["ranked", "tiered"])
@pytest.mark.parametrize(
    "params",
    [
        "q=gaza",
        "q=gaza+-rafah",
        "q=gaza&status=all",
        "q=trucks+OR+gaza",
        "q=gaza+officials+OR+prices",
        "q=gaza&region=gaza",
        "q=gaza+-rafah&region=gaza&region=libya",
        "q=gaza&region=gaza&sort=newest",
        "q=gaza&region=gaza&sort=oldest",
        "region=gaza&sort=title",
    ],
)
def test_pages_list_every_result_once_in_rank_order(
    tiered, editor_client, monkeypatch, broad, params
):
    from django.http import QueryDict

    from articles.filters import ArticleFilter
    from articles.views import search as search_view

    if broad:
        monkeypatch.setattr(backends, "SQLITE_RANKED_MATCHES", 0)
        monkeypatch.setattr(backends, "POSTGRES_RANKED_MATCHES", 0)
    monkeypatch.setattr(search_view, "PAGE_SIZE", 4)
    expected = list(ArticleFilter(QueryDict(params)).qs.values_list("pk", flat=True))
    assert len(expected) > 4  # more than a page
    pages = [page_ids(editor_client, params, page) for page in range(1, -(-len(expected) // 4) + 1)]
    assert [pk for page in pages for pk in page] == expected


@pytest.mark.parametrize("params", ["q=gaza", "q=gaza+-rafah", "q=talks"])
@pytest.mark.parametrize("status", ["active", "merged", "all"])
def test_result_stats_from_the_search_index_equal_the_filtered_query(tiered, params, status):
    from django.http import QueryDict

    from articles.filters import ArticleFilter

    filterset = ArticleFilter(QueryDict(f"{params}&status={status}"))
    stats = filterset.result_stats()
    generic = filterset.unfiltered_by_status().result_stats(status=filterset.chosen_status)
    assert stats.count == generic.count > 0
    assert stats.status_counts == generic.status_counts
    assert stats.status_counts["merged"] == 1
    assert stats.facets == generic.facets
    assert stats.facets["region"]
    assert sorted(stats.ids.tolist()) == sorted(generic.ids.tolist())


def _result_ids(params: str) -> list[int]:
    from django.http import QueryDict

    from articles.filters import ArticleFilter

    return sorted(ArticleFilter(QueryDict(params)).result_stats().ids.tolist())


def _id_queries(context) -> list[str]:
    return [
        q["sql"]
        for q in context.captured_queries
        if re.search(r"string_agg|group_concat", q["sql"])
    ]


def test_result_ids_are_reused_until_the_articles_change(corpus):
    from django.test.utils import CaptureQueriesContext

    before = _result_ids("q=cairo")
    assert before
    with CaptureQueriesContext(connection) as again:
        assert _result_ids("q=cairo") == before
    assert not _id_queries(again), "the second page of a search reuses its ids"

    # An editor's correction: the ids must follow at once, in this process too.
    renamed = corpus["Talks in Cairo Stall"]
    renamed.title, renamed.body, renamed.caption_text = "Talks Stall", "They met.", ""
    renamed.save()
    remaining = [pk for pk in before if pk != renamed.pk]
    assert _result_ids("q=cairo") == remaining
    added = make("Cairo Hosts a Summit")
    assert _result_ids("q=cairo") == sorted([*remaining, added.pk])
    added.delete()
    assert _result_ids("q=cairo") == remaining


def test_result_ids_of_a_filter_follow_its_tables(corpus):
    gaza = Region.objects.get(slug="gaza")
    libya_story = corpus["LNA Denies Haftar Seeking Russian Base in Libya"]
    assert libya_story.pk not in _result_ids("region=gaza")
    RegionTag.objects.create(article=libya_story, region=gaza)
    assert libya_story.pk in _result_ids("region=gaza")
    assert libya_story.pk in _result_ids("q=haftar&region=gaza")
