"""Bad input, fuzzed: generated values sent to every page that takes parameters, and generated
dump files through the real importer. Never a 500, never a traceback, never a lost block.

The pages are requested through the Django test client as an editor, with query strings and
form bodies built from raw bytes (so NUL bytes, lone surrogates as UTF-8 bytes, invalid UTF-8,
huge strings and numbers reach the app as a browser or a script could send them), known keys
mixed with unknown ones, and keys repeated. The test client re-raises a view's exception, so a
500 fails the test with the example that caused it.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import quote_from_bytes

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from articles.dumps import ArticleRecord, iter_raw_blocks, render_dump
from articles.models import Article, DumpFile, Occurrence, Region, RegionTag
from articles.services import tagging
from articles.services.importing import import_dump_files
from duplicates.models import DuplicateCandidate
from duplicates.services import merge_articles
from tests.conftest import SAMPLE_DUMPS
from tests.test_duplicates import import_labelled

pytestmark = pytest.mark.django_db

# Each test gets one fixture (one database state) for all of its examples: that is intended,
# the pages only read it, or write what a real editor could.
fuzz = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# ---------------------------------------------------------------------------------------------
# Values, as the raw bytes of a query string or form body

NASTY = [
    b"",
    b"\x00",
    b"a\x00b",
    b"\xed\xa0\x80",  # a lone surrogate (U+D800) as UTF-8 bytes
    b"\xed\xbf\xbf\xed\xa0\x80",
    b"\xff\xfe",
    b"\xc3",  # a truncated UTF-8 sequence
    b"-1",
    b"0",
    b"-0",
    b"1.5",
    b"1e309",
    b"NaN",
    b"inf",
    b"-9223372036854775809",
    b"9223372036854775807",
    b"9223372036854775808",
    b"9" * 5000,  # more digits than int() converts
    "٣".encode(),  # an Arabic-Indic digit
    "²".encode(),
    b" 1 ",
    b"0x10",
    b"2026-02-30",
    b"9999-12-31",
    b"0001-01-01",
    b"-2026-01-01",
    b"\xef\xbb\xbf1",
    b'"',
    b"OR",
    b"-",
    b"*",
    b"(",
    "Türkiye".encode(),
    "غزة".encode(),
    b"<script>alert(1)</script>",
    b"%00",
    b"../../etc/passwd",
]

any_text = st.lists(st.integers(0, 0x10FFFF), max_size=30).map(
    lambda points: "".join(map(chr, points)).encode("utf-8", "surrogatepass")
)
values = st.one_of(
    st.sampled_from(NASTY),
    any_text,
    st.text(max_size=30).map(str.encode),
    st.binary(max_size=30),
    st.integers().map(lambda n: str(n).encode()),
    st.integers(1_000, 300_000).map(lambda n: b"A" * n),
)


def pairs_of(keys: list[str], extra: dict[str, list[str]] | None = None):
    """Lists of (key, value): known keys with valid or nasty values, unknown keys, repeats."""
    valid = st.sampled_from(
        [(key.encode(), value.encode()) for key, vs in (extra or {}).items() for value in vs]
        or [(b"x", b"y")]
    )
    key = st.one_of(st.sampled_from([k.encode() for k in keys]), st.binary(max_size=10), any_text)
    return st.lists(st.one_of(st.tuples(key, values), valid), max_size=8)


def encode(pairs) -> str:
    return "&".join(
        f"{quote_from_bytes(k, safe='')}={quote_from_bytes(v, safe='')}" for k, v in pairs
    )


def get(client, path: str, pairs):
    response = client.get(f"{path}?{encode(pairs)}")
    assert response.status_code < 500
    return response


def post(client, path: str, pairs):
    response = client.post(
        path, data=encode(pairs), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code < 500
    return response


def assert_renders(response) -> None:
    assert response.status_code in (200, 302, 404, 405), response.status_code
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        page = response.content.decode()
        assert "</html>" in page
        assert "Traceback" not in page


# ---------------------------------------------------------------------------------------------
# An archive to search: sample dumps, a pair of duplicates, tags, a merge


@pytest.fixture
def archive(import_files, tmp_path, editor):
    import_files(*SAMPLE_DUMPS)
    articles = import_labelled(
        import_files, tmp_path, "lna-republished", "unrwa", "unrwa-update", "yemen",
        "yemen-shortened-third",
    )  # fmt: skip
    gaza = Region.objects.get(slug="gaza")
    tagging.add_region_tag(article=articles["unrwa"], region=gaza, user=editor)
    record = merge_articles(
        survivor=articles["yemen"], merged=articles["yemen-shortened-third"], user=editor
    )
    pair = DuplicateCandidate.objects.pair(articles["unrwa"], articles["unrwa-update"]).get()
    return articles, pair, record


SEARCH_KEYS = ["q", "region", "source", "role", "publisher", "run", "imported_from",
               "imported_to", "status", "sort", "page"]  # fmt: skip
SEARCH_VALID = {
    "q": ["Haftar", '"air base"', "Libya OR Sudan", "Gaza -Rafah", "Tripol*"],
    "region": ["libya", "gaza"],
    "source": ["afp", "reuters", "asharq-al-awsat"],
    "role": ["publisher", "photo", "cited"],
    "status": ["active", "merged", "all"],
    "sort": ["relevance", "newest", "oldest", "title"],
    "page": ["1", "2"],
    "imported_from": ["2020-01-01"],
}


# ---------------------------------------------------------------------------------------------
# The pages


@fuzz
@given(pairs=pairs_of(SEARCH_KEYS, SEARCH_VALID))
def test_search_page(editor_client, archive, pairs):
    assert_renders(get(editor_client, reverse("articles:search"), pairs))


@fuzz
@given(pairs=pairs_of(SEARCH_KEYS, SEARCH_VALID), fmt=st.sampled_from(["csv", "json"]))
def test_exports(editor_client, archive, pairs, fmt):
    response = get(editor_client, reverse("articles:export", args=[fmt]), pairs)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[0][0] == "id"
    else:
        assert isinstance(json.loads(body), list)


@fuzz
@given(
    pairs=pairs_of(SEARCH_KEYS, SEARCH_VALID),
    slug=st.one_of(st.sampled_from([b"libya", b"gaza", b"atlantis"]), any_text),
    feed=st.booleans(),
)
def test_region_pages(editor_client, archive, pairs, slug, feed):
    path = f"/regions/{quote_from_bytes(slug, safe='')}/" + ("feed/" if feed else "")
    response = get(editor_client, path, pairs)
    if not feed:
        assert_renders(response)


@fuzz
@given(pairs=pairs_of(["region", "source", "page"], {"region": ["gaza"], "source": ["afp"]}))
def test_duplicates_queue(editor_client, archive, pairs):
    assert_renders(get(editor_client, reverse("duplicates:queue"), pairs))


@fuzz
@given(pairs=pairs_of(["kind", "page"], {"kind": ["merge", "undo", "not_duplicate"]}))
def test_duplicates_history(editor_client, archive, pairs):
    assert_renders(get(editor_client, reverse("duplicates:history"), pairs))


@fuzz
@given(pairs=pairs_of(["page"]))
def test_imports_list(editor_client, archive, pairs):
    assert_renders(get(editor_client, reverse("articles:imports"), pairs))


BULK_KEYS = ["region", "scope", "article", "query", "next", "confirmed"]


@fuzz
@given(pairs=pairs_of(BULK_KEYS), confirmed=st.booleans())
def test_bulk_tag_confirmation_and_post(editor_client, archive, pairs, confirmed):
    articles, _, _ = archive
    region = str(Region.objects.get(slug="libya").pk).encode()
    valid = [(b"region", region), (b"scope", b"all"), (b"query", b"q=UNRWA")]
    valid += [(b"article", str(articles["unrwa"].pk).encode())]
    if confirmed:
        valid.append((b"confirmed", b"on"))
    # The fuzzed values come after the valid ones: a repeated key's last value wins.
    assert_renders(post(editor_client, reverse("articles:bulk-tag"), valid + pairs))


@fuzz
@given(pairs=pairs_of(["region"]))
def test_add_tag_form(editor_client, archive, pairs):
    articles, _, _ = archive
    before = RegionTag.objects.count()
    response = post(
        editor_client, reverse("articles:add-tag", args=[articles["lna-republished"].pk]), pairs
    )
    assert response.status_code == 302
    assert RegionTag.objects.count() in (before, before + 1)


@fuzz
@given(
    pairs=pairs_of(["survivor", "keep_title_from", "reason"]),
    action=st.sampled_from(["merge", "not-duplicate"]),
)
def test_merge_and_not_duplicate_forms(editor_client, archive, pairs, action):
    _, pair, _ = archive
    response = post(editor_client, reverse(f"duplicates:{action}", args=[pair.pk]), pairs)
    assert response.status_code == 302


@fuzz
@given(pairs=pairs_of(["reason", "next"]))
def test_undo_form(editor_client, archive, pairs):
    _, _, record = archive
    response = post(editor_client, reverse("duplicates:undo", args=[record.pk]), pairs)
    assert response.status_code == 302


ID_PATHS = [
    ("get", "/articles/{}/"),
    ("get", "/imports/{}/"),
    ("get", "/duplicates/{}/"),
    ("get", "/duplicates/merges/{}/"),
    ("post", "/articles/{}/regions/"),
    ("post", "/articles/{}/regions/gaza/remove/"),
    ("post", "/suggestions/{}/accept/"),
    ("post", "/duplicates/{}/merge/"),
    ("post", "/duplicates/merges/{}/undo/"),
]


@fuzz
@given(
    number=st.one_of(
        st.integers(min_value=0).map(str),
        st.integers(1, 6000).map(lambda n: "9" * n),
        st.sampled_from(["0", "00001", "9223372036854775807", "9223372036854775808"]),
    ),
    target=st.sampled_from(ID_PATHS),
)
def test_ids_in_paths(editor_client, archive, number, target):
    method, path = target
    response = getattr(editor_client, method)(path.format(number))
    assert response.status_code in (200, 302, 404)


def test_a_suggestion_id_of_5000_digits_is_a_404(editor_client, archive):
    """The suggestion URL took any run of digits, and int() refuses more than 4,300: a 500."""
    assert editor_client.post(f"/suggestions/{'9' * 5000}/accept/").status_code == 404


# ---------------------------------------------------------------------------------------------
# Every nasty value in every known key at once, page by page: what a random walk may miss


NASTY_PAGES = {
    "articles:search": SEARCH_KEYS,
    "articles:export": SEARCH_KEYS,
    "articles:region": SEARCH_KEYS,
    "articles:imports": ["page"],
    "duplicates:queue": ["region", "source", "page"],
    "duplicates:history": ["kind", "page"],
}


@pytest.mark.parametrize("name", NASTY_PAGES)
def test_every_nasty_value_in_every_key(editor_client, archive, name):
    args = {"articles:export": ["json"], "articles:region": ["gaza"]}.get(name, [])
    path = reverse(name, args=args)
    for value in NASTY:
        pairs = [(key.encode(), value) for key in NASTY_PAGES[name]]
        response = get(editor_client, path, pairs)
        if name == "articles:export":
            assert isinstance(json.loads(b"".join(response.streaming_content)), list)
        else:
            assert_renders(response)
            assert response.status_code == 200, value


def test_nasty_values_in_the_forms(editor_client, archive):
    articles, pair, _ = archive
    libya = str(Region.objects.get(slug="libya").pk).encode()
    bulk = [(b"region", libya), (b"scope", b"selected"), (b"query", b"q=UNRWA")]
    forms = [
        (reverse("articles:add-tag", args=[articles["unrwa"].pk]), ["region"]),
        (reverse("duplicates:merge", args=[pair.pk]), ["survivor", "keep_title_from", "reason"]),
    ]
    for value in NASTY:
        for key in BULK_KEYS:
            pairs = [*bulk, (key.encode(), value)]
            assert_renders(post(editor_client, reverse("articles:bulk-tag"), pairs))
        for url, keys in forms:
            assert post(editor_client, url, [(k.encode(), value) for k in keys]).status_code == 302
    assert DuplicateCandidate.objects.get(pk=pair.pk).is_open  # no value was a valid choice
    for value in NASTY:  # the first valid reason closes the pair; the rest get a message
        url = reverse("duplicates:not-duplicate", args=[pair.pk])
        assert post(editor_client, url, [(b"reason", value)]).status_code == 302


# ---------------------------------------------------------------------------------------------
# Regressions the fuzzer found


def test_a_posted_next_that_is_not_a_path_here_is_ignored(editor_client, archive):
    """``redirect()`` took a ``next`` without a slash for a URL pattern name: a 500."""
    for next_value in ["foo", "a\x00b", "search", "//evil.example/", "/a\nb"]:
        check_next(editor_client, archive, next_value)


def check_next(editor_client, archive, next_value):
    _, _, record = archive
    libya = Region.objects.get(slug="libya")
    data = {"region": libya.pk, "scope": "all", "query": "q=UNRWA", "next": next_value}
    # The confirmation (a NUL byte makes the form invalid: back to the search, with a message).
    response = editor_client.post(reverse("articles:bulk-tag"), data)
    assert response.status_code in (200, 302)
    response = editor_client.post(reverse("articles:bulk-tag"), {**data, "confirmed": "on"})
    assert response.status_code == 302
    expected = "/a%0Ab" if next_value == "/a\nb" else "/?q=UNRWA"
    assert response["Location"] == expected
    undo = editor_client.post(reverse("duplicates:undo", args=[record.pk]), {"next": next_value})
    assert undo.status_code == 302
    assert undo["Location"] in ("/a%0Ab", record.get_absolute_url())


def test_a_bulk_tag_article_id_of_5000_digits_gets_a_message(editor_client, archive):
    """int() raises ValueError past 4,300 digits: the id check let it escape, a 500."""
    libya = Region.objects.get(slug="libya")
    data = {"region": libya.pk, "scope": "selected", "query": "", "article": ["9" * 5000]}
    response = editor_client.post(reverse("articles:bulk-tag"), data, follow=True)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not RegionTag.objects.filter(region=libya).exists()


# ---------------------------------------------------------------------------------------------
# Dump files through the real importer

SEPARATOR = b"\n\n\n\n"
words = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=40
)
records = st.builds(
    ArticleRecord,
    title=words,
    captions=st.lists(words.map(lambda c: c + " (AFP)"), max_size=2).map(tuple),
    paragraphs=st.lists(
        words.map(lambda p: p + " said the ministry on Monday."), min_size=1, max_size=3
    ).map(tuple),
)
good_block = records.map(lambda r: "".join(render_dump([r])).encode())
blocks = st.one_of(
    good_block,
    st.binary(max_size=300),
    st.tuples(records, st.sampled_from(["latin-1", "cp1256", "utf-16", "utf-16-le"])).map(
        lambda r: "".join(render_dump([r[0]])).encode(r[1], "replace")
    ),
    st.tuples(good_block, st.integers(0, 400)).map(lambda b: b[0][: b[1]]),  # truncated
    good_block.map(lambda b: b.replace(b"said", b"sa\x00id")),
    st.integers(1, 6).map(lambda n: b"\r\n \t\n" * n),  # only separators
    st.sampled_from([b"TT\n", b"\xef\xbb\xbf", b"\n" * 50, b"\xed\xa0\x80 title\n\nbody\n"]),
)
dumps = st.lists(blocks, max_size=6).map(SEPARATOR.join)


def check_import(path: Path, report) -> None:
    """Every block read is stored: as an article's occurrence, or rejected with a reason and a
    line. The counts agree with an independent split of the file into blocks."""
    assert len(report.files) == 1
    file_report = report.files[0]
    dump_file = DumpFile.objects.get(run_id=report.run_id)
    assert (dump_file.status, dump_file.blocks_read) == (
        file_report.status,
        file_report.blocks_read,
    )
    data = path.read_bytes()
    if file_report.status == DumpFile.Status.UNREADABLE:
        assert b"\x00" in data[:8192] and "NUL" in dump_file.message
        return
    if file_report.status == DumpFile.Status.EMPTY:
        assert not data.strip(b" \t\r\n\xef\xbb\xbf")
        return
    if file_report.status == DumpFile.Status.ALREADY_IMPORTED:
        assert dump_file.same_as is not None
        return
    assert file_report.status == DumpFile.Status.IMPORTED
    with path.open("rb") as handle:
        expected = sum(1 for _ in iter_raw_blocks(handle))
    occurrences = list(Occurrence.objects.filter(file=dump_file).order_by("position"))
    assert file_report.blocks_read == expected == len(occurrences)
    assert [o.position for o in occurrences] == list(range(expected))
    rejected = [o for o in occurrences if o.rejection_reason]
    assert len(rejected) == file_report.blocks_rejected == dump_file.blocks_rejected
    assert (
        file_report.articles_created + file_report.articles_seen_again + len(rejected) == expected
    )
    lines = data.count(b"\n") + 1
    for occurrence in occurrences:
        assert occurrence.raw.strip()
        assert 1 <= occurrence.line <= lines
        if occurrence.rejection_reason:
            assert occurrence.article_id is None
            assert 1 <= occurrence.rejection_line <= lines
        else:
            assert occurrence.article_id is not None


@settings(fuzz, max_examples=30)
@given(data=dumps)
@example(data=b"\x00" * 10)
@example(data=SEPARATOR * 5)
@example(data="Título\n\nEl cuerpo del artículo dice algo.\n".encode("latin-1"))
def test_generated_dumps_through_the_importer(db, tmp_path, data):
    path = tmp_path / "fuzzed.txt"
    path.write_bytes(data)
    report = import_dump_files(paths=[path], publisher="Asharq Al-Awsat")
    check_import(path, report)


def article_bytes(n: int) -> bytes:
    record = ArticleRecord(
        title=f"Ceasefire Talks Resume in Cairo, round {n}",
        captions=("Delegates arrive in Cairo. (AFP)",),
        paragraphs=(f"Negotiators met in Cairo on Monday for round {n}, officials said.",),
    )
    return "".join(render_dump([record])).encode()


NASTY_DUMPS = {
    # NUL bytes past the first 8 KiB, where the binary sniff does not look.
    "nul-late.txt": SEPARATOR.join([*(article_bytes(n) for n in range(40)),
                                    article_bytes(99).replace(b"Monday", b"Mon\x00day")]),
    "megabyte-line.txt": SEPARATOR.join([article_bytes(1), b"Title\n\n" + b"word " * 600_000,
                                         article_bytes(2)]),
    "cp1256.txt": SEPARATOR.join([article_bytes(3), "عنوان\n\nنص المقال".encode("cp1256")]),
    "utf-16.txt": article_bytes(4).decode().encode("utf-16"),
    "truncated.txt": article_bytes(5) + SEPARATOR + article_bytes(6)[:37],
    "separators.txt": b"\r\n" * 20,
    "random.txt": bytes(range(1, 256)) * 40,
}  # fmt: skip


def test_nasty_dumps_through_the_importer(db, tmp_path):
    for name, data in NASTY_DUMPS.items():
        path = tmp_path / name
        path.write_bytes(data)
        check_import(path, import_dump_files(paths=[path], publisher="Asharq Al-Awsat"))


def test_the_import_command_on_nasty_dumps(db, tmp_path):
    """The command itself: a summary and a rejection line per bad block, never a traceback;
    exit status 1 because something was rejected, everything good still imported."""
    for name, data in NASTY_DUMPS.items():
        (tmp_path / name).write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_dumps", str(tmp_path), stdout=out, stderr=err)
    assert failure.value.returncode == 1
    output = out.getvalue() + err.getvalue()
    assert "Traceback" not in output
    assert f"files read:                  {len(NASTY_DUMPS)}" in output
    assert "megabyte-line.txt:" in output and "cp1256.txt:" in output
    assert "utf-16.txt: unreadable" in output
    assert Article.objects.filter(title__startswith="Ceasefire Talks Resume").count() >= 40
    again = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_dumps", str(tmp_path), stdout=again, stderr=again)
    assert "articles created:            0" in again.getvalue()


@pytest.mark.parametrize("key", ["source", "publisher"])
@pytest.mark.parametrize("page", ["articles:search", "articles:region"])
def test_a_nul_byte_in_the_source_or_publisher_filter(editor_client, archive, key, page):
    path = reverse(page, args=["gaza"] if page == "articles:region" else [])
    response = editor_client.get(path, {key: "afp\x00"})
    assert response.status_code == 200
    assert "This filter was left out" in response.content.decode()


def test_a_nul_byte_past_the_binary_sniff_rejects_its_block_only(db, tmp_path):
    """A NUL byte past the first 8 KiB reached the database: PostgreSQL refused the text and the
    whole file was rolled back with a traceback. Now its block is rejected and kept, escaped."""
    path = tmp_path / "nul-late.txt"
    path.write_bytes(NASTY_DUMPS["nul-late.txt"])
    report = import_dump_files(paths=[path], publisher="Asharq Al-Awsat")
    assert (report.total("articles_created"), report.total("blocks_rejected")) == (40, 1)
    rejected = Occurrence.objects.get(file__run_id=report.run_id, article=None)
    assert rejected.rejection_reason.startswith("the text contains a NUL byte at line ")
    assert "Mon\\x00day" in rejected.raw
    assert b"\x00" in path.read_bytes().split(b"\n")[rejected.rejection_line - 1]
