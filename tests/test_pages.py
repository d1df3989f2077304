"""The editors' pages: search with filters and facets, exports, the article page, import history."""

import csv
import gc
import io
import json
import runpy

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.filters import ArticleFilter
from articles.models import Article, ImportRun, Region, RegionTag, Source
from articles.search import facets
from tests.conftest import SAMPLE_DUMPS

LNA_TITLE = "LNA Denies Haftar Seeking to Allow Russia to Set up Military Base in Libya"
SEARCH = reverse("articles:search")


@pytest.fixture
def archive(import_files):
    import_files(*SAMPLE_DUMPS)
    lna = Article.objects.get(title=LNA_TITLE)
    RegionTag.objects.create(article=lna, region=Region.objects.get(slug="libya"))
    return lna


def page_text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def titles(response) -> list[str]:
    return [article.title for article in response.context["articles"]]


@pytest.mark.django_db
def test_every_page_needs_an_account(client, archive):
    for url in [
        SEARCH,
        reverse("articles:detail", args=[archive.pk]),
        reverse("articles:imports"),
        reverse("articles:export", args=["csv"]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("login")).status_code == 200


@pytest.mark.django_db
def test_login_page_logs_in_and_returns_to_search(client, editor):
    response = client.post(
        reverse("login"), {"username": "edith", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    wrong = client.post(reverse("login"), {"username": "edith", "password": "nope"})
    assert "Please enter a correct username and password" in wrong.content.decode()


@pytest.mark.django_db
def test_search_without_query_lists_newest_first(viewer_client, archive):
    response = viewer_client.get(SEARCH)
    assert len(titles(response)) == 3
    created = [a.created_at for a in response.context["articles"]]
    assert created == sorted(created, reverse=True)


@pytest.mark.django_db
def test_search_for_haftar_finds_the_article_with_a_highlighted_snippet(viewer_client, archive):
    response = viewer_client.get(SEARCH, {"q": "Haftar"})
    assert titles(response) == [LNA_TITLE]
    html = page_text(response)
    assert "<mark>Haftar</mark>" in html
    assert "1 result for" in html


@pytest.mark.django_db
def test_curly_apostrophe_and_accents(viewer_client, archive):
    assert titles(viewer_client.get(SEARCH, {"q": "Haftar’s"})) == [LNA_TITLE]
    assert titles(viewer_client.get(SEARCH, {"q": "Turkiye"})) == [LNA_TITLE]


@pytest.mark.django_db
def test_filters_combine_with_the_query_and_show_facet_counts(viewer_client, archive):
    response = viewer_client.get(SEARCH, {"q": "Gaza OR Libya"})
    assert len(titles(response)) == 3
    facets = response.context["facets"]
    libya = next(item for item in facets["regions"] if item["value"] == "libya")
    assert libya["count"] == 1
    afp = next(item for item in facets["sources"] if item["label"] == "AFP")
    assert afp["count"] == 1

    filtered = viewer_client.get(SEARCH, {"q": "Gaza OR Libya", "region": "libya"})
    assert titles(filtered) == [LNA_TITLE]
    by_source = viewer_client.get(SEARCH, {"source": "ap", "role": "photo"})
    assert titles(by_source) == [
        "Weaponization of Food in Gaza Constitutes War Crime, UN Rights Office Says"
    ]
    cited = viewer_client.get(SEARCH, {"source": "bloomberg", "role": "cited"})
    assert titles(cited) == [LNA_TITLE]
    assert titles(viewer_client.get(SEARCH, {"source": "bloomberg", "role": "photo"})) == []
    publisher = Source.objects.get(name="Asharq Al-Awsat")
    assert len(titles(viewer_client.get(SEARCH, {"publisher": publisher.slug}))) == 3


@pytest.mark.django_db
def test_filter_by_import_run_and_date(viewer_client, import_files):
    first = import_files(SAMPLE_DUMPS[0])
    import_files(SAMPLE_DUMPS[1])
    response = viewer_client.get(SEARCH, {"run": first.run_id})
    assert len(titles(response)) == 2
    today = Article.objects.first().created_at.date().isoformat()
    assert len(titles(viewer_client.get(SEARCH, {"imported_from": today}))) == 3
    assert titles(viewer_client.get(SEARCH, {"imported_to": "2001-01-01"})) == []


@pytest.mark.django_db
def test_merged_articles_are_hidden_unless_asked_for(viewer_client, archive):
    survivor = Article.objects.exclude(pk=archive.pk).first()
    Article.objects.filter(pk=archive.pk).update(status="merged", merged_into=survivor)
    assert LNA_TITLE not in titles(viewer_client.get(SEARCH))
    assert LNA_TITLE in titles(viewer_client.get(SEARCH, {"status": "merged"}))
    assert len(titles(viewer_client.get(SEARCH, {"status": "all"}))) == 3


@pytest.mark.django_db
def test_sort_orders(viewer_client, archive):
    by_title = titles(viewer_client.get(SEARCH, {"sort": "title"}))
    assert by_title == sorted(by_title)
    oldest = viewer_client.get(SEARCH, {"sort": "oldest"}).context["articles"]
    assert [a.pk for a in oldest] == sorted(a.pk for a in oldest)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"q": '"unbalanced quote'},
        {"q": "haftar\x00"},
        {"q": "x" * 5000},
        {"q": "-gaza"},
        {"q": "NEAR( ^ : & | ! ) *"},
        {"q": "OR"},
        {"region": "atlantis"},
        {"source": "no-such-source"},
        {"publisher": "nobody"},
        {"run": "abc"},
        {"run": "999999"},
        {"imported_from": "2024-13-45"},
        {"status": "deleted"},
        {"sort": "random"},
        {"page": "99999"},
        {"page": "abc"},
        {"page": "-1"},
        {"role": "author"},
    ],
)
def test_bad_input_gives_a_message_never_a_500(viewer_client, archive, params):
    response = viewer_client.get(SEARCH, params)
    assert response.status_code == 200
    notices = response.context["notices"]
    if params.get("q") not in ("haftar\x00",):
        assert notices or response.context["articles"] == [] or params.get("page")


@pytest.mark.django_db
def test_a_page_beyond_the_last_says_so(viewer_client, archive):
    response = viewer_client.get(SEARCH, {"page": "99999"})
    assert "There is no page 99999" in page_text(response)
    assert len(titles(response)) == 3


@pytest.mark.django_db
def test_unknown_filter_value_is_named_in_the_message(viewer_client, archive):
    response = viewer_client.get(SEARCH, {"region": "atlantis", "q": "Haftar"})
    assert any("Region" in notice for notice in response.context["notices"])
    assert titles(response) == [LNA_TITLE]


@pytest.mark.django_db
def test_text_from_dumps_is_escaped(viewer_client, import_files, tmp_path):
    dump = tmp_path / "xss.txt"
    dump.write_text(
        "<script>alert(1)</script> Rafah Crossing Opens\n\n"
        "The crossing at Rafah opened <b>today</b> and <script>alert(2)</script> trucks entered.\n",
        encoding="utf-8",
    )
    import_files(dump)
    html = page_text(viewer_client.get(SEARCH, {"q": "Rafah"}))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>Rafah</mark>" in html
    article = Article.objects.get()
    detail = page_text(viewer_client.get(article.get_absolute_url()))
    assert "<script>alert" not in detail


@pytest.mark.django_db
def test_pagination_keeps_the_query_and_filters(viewer_client, import_files, numbered_dump):
    import_files(
        numbered_dump(
            "Rafah Report Number {i}", "The Rafah crossing report number {i} was filed today.", 45
        )
    )
    first = viewer_client.get(SEARCH, {"q": "Rafah", "sort": "newest"})
    assert len(titles(first)) == 20
    html = page_text(first)
    assert "page=2" in html
    assert "q=Rafah" in html.split('rel="next" href="')[1].split('"')[0]
    third = viewer_client.get(SEARCH, {"q": "Rafah", "sort": "newest", "page": "3"})
    assert len(titles(third)) == 5


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["relevance", "title", "oldest"])
def test_pages_follow_the_order_of_the_results(viewer_client, import_files, numbered_dump, sort):
    """A page is loaded as its ordered ids, then those articles: the page keeps the order."""
    import_files(
        numbered_dump("Report {i} on Misrata", "A Misrata report, number {i}, no title match.", 25),
        numbered_dump("Report {i}", "Another Misrata report, number {i}.", 20, name="more.txt"),
    )
    params = {"q": "Misrata", "sort": sort}
    shown = [
        article.pk
        for page in ("1", "2", "3")
        for article in viewer_client.get(SEARCH, {**params, "page": page}).context["articles"]
    ]
    results = ArticleFilter(params, queryset=Article.objects.all()).qs
    assert shown == list(results.values_list("pk", flat=True))
    assert len(shown) == 45
    if sort == "relevance":  # title matches first
        assert {a.title for a in Article.objects.filter(pk__in=shown[:25])} == {
            f"Report {i} on Misrata" for i in range(25)
        }


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_page_size(viewer_client, import_files, numbered_dump):
    import_files(
        numbered_dump(
            "Gaza Update {i}", "Aid reached Gaza City, told Reuters. Update {i} from Rafah.", 30
        )
    )
    region = Region.objects.get(slug="gaza")
    for article in Article.objects.all():
        RegionTag.objects.create(article=article, region=region)

    def queries_for(params) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as context:
            response = viewer_client.get(SEARCH, params)
        return len(context.captured_queries), len(titles(response))

    # The first search of a process loads the facet index (articles.search.facets): not counted.
    viewer_client.get(SEARCH)
    few = queries_for({"q": "Update 3"})
    many = queries_for({"q": "Gaza"})
    assert (few[1], many[1]) == (1, 20)
    assert many[0] == few[0]
    assert many[0] <= 20


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_server_worker_loads_the_facet_index_before_its_first_search(viewer_client, import_files):
    import_files(*SAMPLE_DUMPS)

    def loads_the_index() -> bool:
        with CaptureQueriesContext(connection) as context:
            assert viewer_client.get(SEARCH, {"q": "Gaza"}).status_code == 200
        pair_queries = set(facets.PAIR_SQL.values())
        return any(query["sql"] in pair_queries for query in context.captured_queries)

    facets._indexes.clear()
    assert loads_the_index()  # without the warm-up, the first search loads it
    facets._indexes.clear()
    hooks = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    try:
        hooks["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0  # the loaded objects are out of the collector's way
    finally:
        gc.unfreeze()
    assert not loads_the_index()


@pytest.mark.django_db
def test_export_csv_and_json_hold_every_match(viewer_client, archive):
    csv_response = viewer_client.get(reverse("articles:export", args=["csv"]), {"q": "Gaza"})
    assert csv_response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(csv_response.streaming_content).decode())))
    assert {row["title"] for row in rows} == set(
        Article.objects.exclude(title=LNA_TITLE).values_list("title", flat=True)
    )
    assert rows[0]["url"].startswith("http://testserver/articles/")
    assert rows[0]["publisher"] == "Asharq Al-Awsat"

    json_response = viewer_client.get(
        reverse("articles:export", args=["json"]), {"region": "libya"}
    )
    data = json.loads(b"".join(json_response.streaming_content))
    assert [item["title"] for item in data] == [LNA_TITLE]
    assert data[0]["regions"] == ["Libya"]
    assert "Bloomberg" in data[0]["sources"]
    assert viewer_client.get(reverse("articles:export", args=["xml"])).status_code == 404


@pytest.mark.django_db
def test_article_page_shows_captions_credits_sources_and_occurrences(viewer_client, archive):
    html = page_text(viewer_client.get(archive.get_absolute_url()))
    assert LNA_TITLE in html
    assert "agency <strong>AFP</strong>" in html
    assert "Bloomberg" in html
    assert "Libya" in html
    assert html.count("Raw block as read") == 2
    for path in SAMPLE_DUMPS:
        assert str(path) in html


@pytest.mark.django_db
def test_merged_article_url_redirects_to_the_survivor_through_a_chain(viewer_client, archive):
    a, b, c = Article.objects.order_by("pk")
    Article.objects.filter(pk=a.pk).update(status="merged", merged_into=b)
    Article.objects.filter(pk=b.pk).update(status="merged", merged_into=c)
    response = viewer_client.get(a.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == c.get_absolute_url()
    assert viewer_client.get("/articles/999999/").status_code == 404


@pytest.mark.django_db
def test_import_history_lists_runs_files_and_rejected_blocks(viewer_client, import_files, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("A Title Alone\n", encoding="utf-8")
    report = import_files(SAMPLE_DUMPS[0], bad)
    listing = page_text(viewer_client.get(reverse("articles:imports")))
    assert f"Import #{report.run_id}" in listing
    detail = page_text(viewer_client.get(reverse("articles:import-detail", args=[report.run_id])))
    assert str(bad) in detail
    assert "no body" in detail
    assert "A Title Alone" in detail
    assert ImportRun.objects.count() == 1
    assert viewer_client.get(reverse("articles:imports"), {"page": "x"}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"q": "Gaza OR Libya", "region": "libya"},
        {"q": "Gaza OR Libya", "source": "afp"},
        {"q": "Gaza OR Libya", "source": "bloomberg", "role": "cited"},
        {"q": "Gaza OR Libya", "source": ["ap", "bloomberg"], "role": "photo"},
        {"q": "Haftar", "source": "bloomberg", "role": "photo"},
        {
            "q": "Gaza OR Libya",
            "publisher": "asharq-al-awsat",
            "source": "afp",
            "role": "publisher",
        },
        {"source": "ap", "role": "photo"},
        {"region": ["libya", "gaza"], "status": "all"},
        {"q": "Gaza OR Libya", "run": "first"},
        {"q": "Gaza OR Libya", "imported_to": "2001-01-01", "source": "afp"},
        {"q": "Gaza OR Libya", "region": "nowhere"},
    ],
)
def test_stats_found_in_memory_equal_the_filtered_query(archive, params):
    """The search page counts its results from the search index and the facet pairs held in
    memory; the same filters in SQL must give the same articles and counts."""
    from django.http import QueryDict

    params = dict(params)
    if params.get("run") == "first":
        params["run"] = str(ImportRun.objects.order_by("pk").first().pk)
    data = QueryDict(mutable=True)
    for name, value in params.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    filterset = ArticleFilter(data)
    stats = filterset.result_stats()
    in_sql = filterset.unfiltered_by_status().result_stats(status=filterset.chosen_status)
    assert sorted(stats.ids.tolist()) == sorted(in_sql.ids.tolist())
    assert sorted(stats.ids.tolist()) == sorted(filterset.qs.values_list("pk", flat=True))
    assert (stats.count, stats.status_counts, stats.facets) == (
        in_sql.count,
        in_sql.status_counts,
        in_sql.facets,
    )


def test_every_source_role_can_be_filtered_in_memory():
    from articles.models import ArticleSource

    assert set(ArticleSource.Role.values) <= set(facets.PAIR_SQL)


@pytest.mark.django_db
def test_the_filter_form_shows_what_was_chosen(viewer_client, archive):
    html = page_text(
        viewer_client.get(
            SEARCH,
            {
                "q": "Gaza",
                "sort": "title",
                "role": "photo",
                "imported_from": "2020-01-01",
                "imported_to": "2030-12-31",
            },
        )
    )
    assert '<option value="title" selected>Title A–Z</option>' in html
    assert '<option value="photo" selected>Photo credit</option>' in html
    assert 'name="imported_from" id="id_imported_from" value="2020-01-01"' in html
    assert 'name="imported_to" id="id_imported_to" value="2030-12-31"' in html
    # With no choice, the sort shown is the one applied: best match for a search, else newest.
    assert '<option value="relevance" selected>' in page_text(viewer_client.get(SEARCH, {"q": "x"}))
    assert '<option value="newest" selected>' in page_text(viewer_client.get(SEARCH))
