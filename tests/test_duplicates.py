"""Near-duplicate candidates: found at import and by ``find_duplicates``, through the stored band
keys and one indexed lookup, verified with the engine's exact similarity; "not a duplicate"
sticks.

Everything runs through the real import of dumps written here from the labelled articles of
``tests/duplicates_labelled`` (the helpers below are shared by the other duplicates tests)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import neardup
from articles.dumps import ArticleRecord, fingerprint, render_dump
from articles.models import Article
from duplicates.models import ArticleSketch, BandKey, DuplicateCandidate
from duplicates.services import find_candidates_for, mark_not_duplicate
from duplicates.services.sketches import pairs_sharing_keys
from tests.duplicates_labelled import load_article, load_pairs

QUEUE = reverse("duplicates:queue")


# ---------------------------------------------------------------------------------------------
# Helpers shared by the duplicates tests


def labelled_record(name: str) -> ArticleRecord:
    article = load_article(name)
    return ArticleRecord(article.title, article.captions, article.paragraphs)


def write_dump(path: Path, records) -> Path:
    path.write_text("".join(render_dump(records)), encoding="utf-8")
    return path


def import_labelled(import_files, directory: Path, *names: str, file_name: str = "dump.txt"):
    """Import the labelled articles ``names`` as one dump; returns ``{name: Article}``."""
    report = import_files(
        write_dump(directory / file_name, [labelled_record(name) for name in names])
    )
    assert report.succeeded, report.rejections
    fingerprints = {name: fingerprint(labelled_record(name)) for name in names}
    stored = Article.objects.in_bulk(fingerprints.values(), field_name="fingerprint")
    # Versions that differ only in their photo are one article: the importer's exact duplicates.
    return {name: stored[fp] for name, fp in fingerprints.items()}


def stored_pairs(status=None) -> set[frozenset[int]]:
    pairs = DuplicateCandidate.objects.all()
    if status:
        pairs = pairs.filter(status=status)
    return {frozenset(p) for p in pairs.values_list("article_a_id", "article_b_id")}


def pair_of(*articles) -> frozenset[int]:
    return frozenset(a.pk for a in articles)


# ---------------------------------------------------------------------------------------------
# At import


@pytest.mark.django_db
def test_the_queue_shows_exactly_the_true_pair(import_files, tmp_path, editor_client):
    """The same story twice with edits, and two different stories about one event: one pair."""
    articles = import_labelled(
        import_files, tmp_path, "lna", "sudan", "lna-copyedited", "sudan-other-outlet"
    )
    assert stored_pairs() == {pair_of(articles["lna"], articles["lna-copyedited"])}

    response = editor_client.get(QUEUE)
    assert response.status_code == 200
    pairs = response.context["pairs"]
    assert [set(p.articles) for p in pairs] == [{articles["lna"], articles["lna-copyedited"]}]
    html = response.content.decode()
    assert "1 open pair to review" in html
    assert articles["sudan"].title not in html
    pair = pairs[0]
    assert neardup.CANDIDATE_THRESHOLD <= pair.similarity < 1
    assert pair.passages and pair.passages[0]["words"] >= neardup.SHINGLE_SIZE


@pytest.mark.django_db
def test_import_stores_band_keys_with_the_engine_version(import_files, tmp_path):
    articles = import_labelled(import_files, tmp_path, "lna", "unrwa")
    for article in articles.values():
        sketch = ArticleSketch.objects.get(article=article)
        assert sketch.version == neardup.SKETCH_VERSION
        expected = neardup.article_band_keys(article.title, article.paragraphs)
        stored = set(BandKey.objects.filter(article=article).values_list("band", "key"))
        assert stored == set(expected)
        assert 64 <= len(stored) <= 96


@pytest.mark.django_db
def test_a_later_import_is_paired_with_the_archive(import_files, tmp_path):
    first = import_labelled(import_files, tmp_path, "unrwa", "gaza-food", file_name="one.txt")
    assert stored_pairs() == set()
    later = import_labelled(
        import_files, tmp_path, "unrwa-update", "gaza-food-other-outlet", file_name="two.txt"
    )
    assert stored_pairs() == {pair_of(first["unrwa"], later["unrwa-update"])}
    pair = DuplicateCandidate.objects.get()
    assert pair.similarity == 1.0  # the update holds all of the original
    assert (pair.article_a_id, pair.article_b_id) == (first["unrwa"].pk, later["unrwa-update"].pk)
    assert pair.status == DuplicateCandidate.Status.OPEN


@pytest.mark.django_db
def test_a_dry_run_import_stores_nothing(import_files, tmp_path):
    records = [labelled_record("lna"), labelled_record("lna-republished")]
    path = write_dump(tmp_path / "d.txt", records)
    import_files(path, dry_run=True)
    assert not ArticleSketch.objects.exists()
    assert not BandKey.objects.exists()
    assert not DuplicateCandidate.objects.exists()


@pytest.mark.django_db
def test_the_labelled_set_through_the_archive(import_files, tmp_path):
    """Every labelled article imported through the real import: the stored pairs are the
    labelled duplicates, and no labelled non-duplicate; any other pair found joins two versions
    of one story (say, the republication and the update of one original)."""
    pairs = load_pairs()
    names = sorted({name for pair in pairs for name in (pair.a, pair.b)} - {"lna-identical"})
    articles = import_labelled(import_files, tmp_path, *names)
    found = stored_pairs()
    exact = {name for name in names if name.endswith("-photo")}
    assert len({a.pk for a in articles.values()}) == len(names) - len(exact)

    story: dict[str, str] = {name: name for name in names}  # union-find over duplicate labels

    def root(name: str) -> str:
        while story[name] != name:
            name = story[name]
        return name

    for pair in pairs:
        if "lna-identical" in (pair.a, pair.b) or articles[pair.a] == articles[pair.b]:
            continue  # exact duplicates: one article
        if pair.duplicate:
            story[root(pair.a)] = root(pair.b)
            assert pair_of(articles[pair.a], articles[pair.b]) in found, (pair.a, pair.b)
        elif not pair.duplicate:
            assert pair_of(articles[pair.a], articles[pair.b]) not in found, (pair.a, pair.b)
    by_pk = {article.pk: name for name, article in articles.items() if name not in exact}
    for pair in found:
        a, b = (by_pk[pk] for pk in pair)
        assert root(a) == root(b), (a, b)


@pytest.mark.django_db
def test_finding_a_new_articles_pairs_is_one_indexed_lookup(import_files, tmp_path):
    """The queries for one new article do not grow with the archive; the lookup uses the
    (band, key) index."""
    import_labelled(import_files, tmp_path, "lna", "unrwa", file_name="one.txt")
    new = Article.objects.get(fingerprint=fingerprint(labelled_record("unrwa")))

    def queries() -> int:
        DuplicateCandidate.objects.all().delete()
        with CaptureQueriesContext(connection) as context:
            find_candidates_for(articles=[new])
        return len(context.captured_queries)

    small = queries()
    more = ["sudan", "yemen", "iraq", "lebanon", "gaza-food"]
    import_labelled(import_files, tmp_path, *more, file_name="two.txt")
    assert queries() == small

    import_labelled(import_files, tmp_path, "unrwa-republished", file_name="three.txt")
    again = Article.objects.get(fingerprint=fingerprint(labelled_record("unrwa-republished")))
    with CaptureQueriesContext(connection) as context:
        pairs = pairs_sharing_keys([new.pk])
    assert pairs == {(new.pk, again.pk)}  # not the six other stories
    (lookup,) = context.captured_queries
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is too small
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN " + lookup["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + lookup["sql"])
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "dup_bandkey_lookup_idx" in plan, plan


# ---------------------------------------------------------------------------------------------
# find_duplicates


def find_duplicates(*args) -> str:
    out = io.StringIO()
    call_command("find_duplicates", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def archive_without_pairs(import_files, tmp_path):
    """An archive imported before the duplicates feature: no band keys, no pairs."""
    articles = import_labelled(
        import_files,
        tmp_path,
        "lna",
        "lna-republished",
        "unrwa",
        "unrwa-brief",
        "sudan",
        "sudan-other-outlet",
    )
    expected = stored_pairs()
    assert expected == {
        pair_of(articles["lna"], articles["lna-republished"]),
        pair_of(articles["unrwa"], articles["unrwa-brief"]),
    }
    DuplicateCandidate.objects.all().delete()
    BandKey.objects.all().delete()
    ArticleSketch.objects.all().delete()
    return articles, expected


@pytest.mark.django_db
def test_find_duplicates_over_the_whole_archive(archive_without_pairs):
    articles, expected = archive_without_pairs
    output = find_duplicates()
    assert stored_pairs() == expected
    assert "articles in the archive:  6" in output
    assert "band keys computed:  6 articles" in output
    assert "new candidate pairs:  2" in output
    assert ArticleSketch.objects.count() == 6
    for article in articles.values():
        stored = set(BandKey.objects.filter(article=article).values_list("band", "key"))
        assert stored == set(neardup.article_band_keys(article.title, article.paragraphs))
    # Found the same way as at import: the same similarity and passages.
    pair = DuplicateCandidate.objects.get(article_a=articles["lna"])
    assert pair.similarity == pytest.approx(0.9, abs=0.1)
    assert pair.passages[0]["words"] > 50

    again = find_duplicates()
    assert "band keys computed:  0 articles" in again
    assert "new candidate pairs:  0" in again
    assert stored_pairs() == expected


@pytest.mark.django_db
def test_find_duplicates_since_a_date(archive_without_pairs):
    articles, expected = archive_without_pairs
    old = timezone.now() - timedelta(days=30)
    Article.objects.exclude(pk=articles["unrwa-brief"].pk).update(created_at=old)
    today = timezone.now().date().isoformat()
    output = find_duplicates("--since", today)
    assert "articles imported since" in output
    # The recent brief found its original among the older articles, whose keys were computed
    # first; the older pair (lna) is left to a whole-archive run.
    assert stored_pairs() == {pair_of(articles["unrwa"], articles["unrwa-brief"])}
    assert ArticleSketch.objects.count() == 6
    find_duplicates()
    assert stored_pairs() == expected


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["2025-02-30", "yesterday", "2025-13-01", ""])
def test_find_duplicates_refuses_a_bad_date(value, archive_without_pairs):
    if value == "":
        find_duplicates("--since", value)  # empty: the whole archive
        return
    with pytest.raises(CommandError, match="--since takes a date as YYYY-MM-DD"):
        find_duplicates("--since", value)


@pytest.mark.django_db
def test_find_duplicates_refuses_a_bad_batch_size(archive_without_pairs):
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        find_duplicates("--batch-size", "0")


@pytest.mark.django_db
def test_find_duplicates_recomputes_outdated_and_corrected_articles(archive_without_pairs):
    articles, expected = archive_without_pairs
    find_duplicates()
    sudan = articles["sudan"]
    # An engine change: keys of another version are recomputed.
    ArticleSketch.objects.filter(article=sudan).update(version=0)
    BandKey.objects.filter(article=sudan).delete()
    assert "band keys computed:  1 articles" in find_duplicates()
    assert BandKey.objects.filter(article=sudan).count() >= 64
    # An editor's correction: the other outlet's text pasted in by mistake. The keys follow the
    # new text, and the two now make a pair.
    other = articles["sudan-other-outlet"]
    Article.objects.filter(pk=sudan.pk).update(body=other.body)
    output = find_duplicates()
    assert "band keys computed:  1 articles" in output
    assert stored_pairs() == expected | {pair_of(sudan, other)}


@pytest.mark.django_db
def test_rebuild_recomputes_every_key(archive_without_pairs):
    find_duplicates()
    assert "band keys computed:  6 articles" in find_duplicates("--rebuild")


@pytest.mark.django_db
def test_not_a_duplicate_sticks(import_files, tmp_path, editor):
    articles = import_labelled(import_files, tmp_path, "lebanon", "lebanon-rewritten-half")
    pair = DuplicateCandidate.objects.get()
    mark_not_duplicate(candidate=pair, user=editor, reason="Different angle")

    find_duplicates("--rebuild")
    find_candidates_for(articles=list(articles.values()))
    import_labelled(import_files, tmp_path, "lebanon-update-top", file_name="later.txt")
    pair.refresh_from_db()
    assert pair.status == DuplicateCandidate.Status.NOT_DUPLICATE
    assert pair.reason == "Different angle"
    assert DuplicateCandidate.objects.filter(pk=pair.pk).count() == 1
    # The queue shows the pairs of the new version, never the closed one.
    queue = DuplicateCandidate.objects.to_review()
    assert pair not in queue
    assert queue.count() == 2


@pytest.mark.django_db
def test_merged_articles_are_not_paired_again(import_files, tmp_path, editor):
    from duplicates.services import merge_articles

    articles = import_labelled(import_files, tmp_path, "yemen", "yemen-republished")
    merge_articles(survivor=articles["yemen"], merged=articles["yemen-republished"], user=editor)
    later = import_labelled(import_files, tmp_path, "yemen-shortened", file_name="later.txt")
    # The brief is paired with the survivor only.
    assert stored_pairs(status="open") == {pair_of(articles["yemen"], later["yemen-shortened"])}


@pytest.mark.django_db
def test_the_command_prints_timings_when_verbose(archive_without_pairs):
    output = find_duplicates("-v", "2")
    assert re.search(r"checking: \d+\.\d s", output)


@pytest.mark.django_db
def test_find_duplicates_in_worker_processes(archive_without_pairs, monkeypatch):
    """Large archives are sketched in worker processes: the same keys and pairs."""
    articles, expected = archive_without_pairs
    monkeypatch.setattr("duplicates.services.candidates.PARALLEL_MIN_ARTICLES", 0)
    output = find_duplicates("--workers", "2")
    assert "new candidate pairs:  2" in output
    assert stored_pairs() == expected
    for article in articles.values():
        stored = set(BandKey.objects.filter(article=article).values_list("band", "key"))
        assert stored == set(neardup.article_band_keys(article.title, article.paragraphs))
    pair = DuplicateCandidate.objects.get(article_a=articles["lna"])
    assert pair.passages[0]["words"] > 50
    with pytest.raises(CommandError, match="--workers must be at least 1"):
        find_duplicates("--workers", "0")


@pytest.mark.django_db
def test_an_undone_merge_brings_back_the_keys_a_rebuild_dropped(import_files, tmp_path, editor):
    from duplicates.services import merge_articles, undo_merge

    articles = import_labelled(import_files, tmp_path, "iraq", "iraq-shortened")
    merged = articles["iraq-shortened"]
    record = merge_articles(survivor=articles["iraq"], merged=merged, user=editor)
    find_duplicates("--rebuild")  # only active articles get keys again
    assert not BandKey.objects.filter(article=merged).exists()
    undo_merge(record=record, user=editor)
    assert BandKey.objects.filter(article=merged).count() >= 64
    assert ArticleSketch.objects.get(article=merged).version == neardup.SKETCH_VERSION


@pytest.mark.django_db
def test_a_failure_in_detection_never_fails_the_import(import_files, tmp_path, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("engine bug")

    monkeypatch.setattr("duplicates.services.candidates.find_candidates_for", broken)
    articles = import_labelled(import_files, tmp_path, "lna", "lna-republished")
    assert len({a.pk for a in articles.values()}) == 2
    assert "Near-duplicate detection failed for 2 new articles" in caplog.text
    assert not DuplicateCandidate.objects.exists()
    monkeypatch.undo()
    find_duplicates("--since", timezone.now().date().isoformat())
    assert stored_pairs() == {pair_of(articles["lna"], articles["lna-republished"])}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_bulk_rebuild_loads_keys_without_the_index_then_builds_it(
    import_files, tmp_path, monkeypatch, caplog
):
    """Most keys to compute: the lookup index is dropped for the load and built once after;
    an import meanwhile stores its keys and leaves its pairs to find_duplicates --since."""
    from duplicates.services import candidates, sketches

    articles = import_labelled(import_files, tmp_path, "lna", "lna-republished", "sudan")
    expected = stored_pairs()
    keys_before = set(BandKey.objects.values_list("article_id", "band", "key"))
    DuplicateCandidate.objects.all().delete()
    monkeypatch.setattr("duplicates.services.candidates.BULK_MIN_ARTICLES", 0)
    seen = []
    real = candidates._store_in_bulk

    def spy(*args, **kwargs):
        seen.append(sketches.lookup_index_exists())
        return real(*args, **kwargs)

    monkeypatch.setattr(candidates, "_store_in_bulk", spy)
    find_duplicates("--rebuild")
    assert seen == [False]
    assert sketches.lookup_index_exists()
    assert set(BandKey.objects.values_list("article_id", "band", "key")) == keys_before
    if connection.vendor == "postgresql":  # dropped for the load, validated again after it
        assert candidates._foreign_key_names()
    assert stored_pairs() == expected

    # An import while the index is away: keys stored, pairing left for later.
    with connection.schema_editor(atomic=False) as editor:
        editor.remove_index(BandKey, sketches._lookup_index())
    later = import_labelled(import_files, tmp_path, "sudan-update", file_name="later.txt")
    assert "find_duplicates is rebuilding the band keys" in caplog.text
    assert BandKey.objects.filter(article=later["sudan-update"]).exists()
    assert stored_pairs() == expected
    find_duplicates("--since", timezone.now().date().isoformat())  # puts the index back first
    assert sketches.lookup_index_exists()
    assert pair_of(articles["sudan"], later["sudan-update"]) in stored_pairs()
