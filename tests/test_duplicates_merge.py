"""Merging duplicates and undoing merges: what moves, what stays, what is recorded, and that an
undo puts every row back exactly as it was."""

from __future__ import annotations

import time

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from articles.models import (
    Article,
    ArticleSource,
    Caption,
    Occurrence,
    Region,
    RegionSuggestion,
    RegionTag,
    Source,
    TagEvent,
)
from articles.services import tagging
from duplicates.models import DuplicateCandidate, MergeRecord
from duplicates.services import MergeError, mark_not_duplicate, merge_articles, undo_merge
from tests.test_duplicates import import_labelled, labelled_record, pair_of, write_dump

pytestmark = pytest.mark.django_db


def region(slug: str) -> Region:
    return Region.objects.get(slug=slug)


@pytest.fixture
def lna(import_files, tmp_path, editor):
    """The LNA story and its republication (another title and photo), tagged differently; and
    the Sudan story, which is not a duplicate of either."""
    articles = import_labelled(import_files, tmp_path, "lna", "lna-republished", "sudan")
    original, republished = articles["lna"], articles["lna-republished"]
    tagging.add_region_tag(article=original, region=region("libya"), user=editor)
    tagging.add_region_tag(
        article=republished, region=region("libya"), user=editor, method=RegionTag.Method.BULK
    )
    tagging.add_region_tag(
        article=republished,
        region=region("egypt"),
        user=editor,
        method=RegionTag.Method.SUGGESTION,
        note="suggested with score 0.80",
    )
    assert DuplicateCandidate.objects.count() == 1
    return articles


def snapshot_rows(*articles: Article) -> dict:
    """Every row that a merge may touch, as plain values: the articles and everything that
    hangs off them, and every candidate pair."""
    ids = [a.pk for a in articles]
    rows = {"article": [model_to_dict(a) for a in Article.objects.filter(pk__in=ids)]}
    rows["article_times"] = list(
        Article.objects.filter(pk__in=ids).values_list("pk", "updated_at", "caption_text")
    )
    for name, model in [
        ("caption", Caption),
        ("source", ArticleSource),
        ("tag", RegionTag),
        ("event", TagEvent),
        ("occurrence", Occurrence),
        ("suggestion", RegionSuggestion),
    ]:
        rows[name] = list(model.objects.filter(article__in=ids).order_by("pk").values())
    rows["candidate"] = list(DuplicateCandidate.objects.order_by("pk").values())
    return rows


def test_merge_moves_everything_to_the_survivor(lna, editor, client):
    original, republished = lna["lna"], lna["lna-republished"]
    moving_captions = list(republished.captions.values_list("pk", flat=True))
    moving_occurrences = list(republished.occurrences.values_list("pk", flat=True))
    egypt_tag = RegionTag.objects.get(article=republished, region__slug="egypt")
    libya_on_merged = RegionTag.objects.get(article=republished, region__slug="libya")

    record = merge_articles(
        survivor=original, merged=republished, user=editor, reason="AP republication"
    )

    republished.refresh_from_db()
    original.refresh_from_db()
    assert republished.status == Article.Status.MERGED
    assert republished.merged_into == original
    assert original.status == Article.Status.ACTIVE
    # Captions follow the survivor's own, in their order.
    captions = list(original.captions.order_by("position"))
    assert [c.pk for c in captions][-len(moving_captions) :] == moving_captions
    assert [c.position for c in captions] == list(range(len(captions)))
    assert republished.captions.count() == 0
    assert original.caption_text == "\n".join(c.text for c in captions)
    # Occurrences: all of them.
    assert set(moving_occurrences) <= set(original.occurrences.values_list("pk", flat=True))
    assert not republished.occurrences.exists()
    # Tags: the one the survivor lacked moves with its provenance; the other stays.
    egypt_tag.refresh_from_db()
    assert egypt_tag.article == original
    assert egypt_tag.method == RegionTag.Method.SUGGESTION
    assert egypt_tag.note == "suggested with score 0.80"
    libya_on_merged.refresh_from_db()
    assert libya_on_merged.article == republished
    event = TagEvent.objects.get(article=original, region__slug="egypt")
    assert event.user == editor
    assert event.method == RegionTag.Method.SUGGESTION
    assert event.note.startswith(f"from merge of #{republished.pk}")
    # Sources: the publisher link the survivor already has stays; the others move.
    publisher = Source.objects.get(name="Asharq Al-Awsat")
    assert ArticleSource.objects.filter(article=republished, source=publisher).exists()
    assert set(record.snapshot["sources"]["kept"]) == set(
        republished.source_links.values_list("pk", flat=True)
    )
    # The pair and the record.
    pair = DuplicateCandidate.objects.get()
    assert pair.status == DuplicateCandidate.Status.MERGED
    assert pair.decided_by == editor
    assert pair.reason == "AP republication"
    assert record.candidate == pair
    assert record.user == editor
    assert record.reason == "AP republication"
    assert record.title_kept == original.title
    assert not record.kept_merged_title
    # The merged article leaves search results and its address leads to the survivor.
    client.force_login(editor)
    found = client.get(reverse("articles:search"), {"q": "Haftar"}).context["articles"]
    assert original in found and republished not in found
    response = client.get(republished.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == original.get_absolute_url()


def test_undo_puts_every_row_back_exactly(lna, editor):
    original, republished = lna["lna"], lna["lna-republished"]
    sudan = lna["sudan"]
    # A pair to carry over, and a not-duplicate decision on another.
    carried = DuplicateCandidate.objects.create(
        article_a=min(republished, sudan, key=lambda a: a.pk),
        article_b=max(republished, sudan, key=lambda a: a.pk),
        similarity=0.35,
        passages=[{"text_a": "x", "text_b": "x", "words": 9}],
    )
    before = snapshot_rows(original, republished, sudan)

    record = merge_articles(
        survivor=original, merged=republished, user=editor, keep_title_from=republished
    )
    original.refresh_from_db()
    assert original.title == republished.title
    assert record.kept_merged_title
    carried.refresh_from_db()
    assert pair_of(carried.article_a, carried.article_b) == pair_of(original, sudan)
    assert carried.similarity < 0.3  # recomputed with the survivor's text
    assert snapshot_rows(original, republished, sudan) != before

    undo_merge(record=record, user=editor, reason="Wrong pair")
    assert snapshot_rows(original, republished, sudan) == before
    record.refresh_from_db()
    assert record.undone_by == editor
    assert record.undo_reason == "Wrong pair"
    assert record.undone_at is not None
    assert MergeRecord.objects.count() == 1  # the history keeps the merge and its undo


def test_a_second_merge_after_an_undo(lna, editor):
    original, republished = lna["lna"], lna["lna-republished"]
    first = merge_articles(survivor=original, merged=republished, user=editor)
    undo_merge(record=first, user=editor)
    second = merge_articles(survivor=republished, merged=original, user=editor)
    assert second.pk != first.pk
    original.refresh_from_db()
    assert original.merged_into == republished
    with pytest.raises(MergeError, match="already undone"):
        undo_merge(record=first, user=editor)


def test_merge_refusals(lna, editor):
    original, republished, sudan = lna["lna"], lna["lna-republished"], lna["sudan"]
    with pytest.raises(MergeError, match="into itself"):
        merge_articles(survivor=original, merged=original, user=editor)
    with pytest.raises(MergeError, match="title to keep"):
        merge_articles(survivor=original, merged=republished, user=editor, keep_title_from=sudan)
    merge_articles(survivor=original, merged=republished, user=editor)
    with pytest.raises(MergeError, match="already been merged into"):
        merge_articles(survivor=original, merged=republished, user=editor)
    with pytest.raises(MergeError, match="already been merged into"):
        merge_articles(survivor=republished, merged=sudan, user=editor)
    ghost = Article(pk=10**12, title="x", body="y")
    with pytest.raises(MergeError, match="does not exist"):
        merge_articles(survivor=original, merged=ghost, user=editor)
    assert MergeRecord.objects.count() == 1


def test_a_pair_marked_not_duplicate_cannot_be_merged(lna, editor):
    pair = DuplicateCandidate.objects.get()
    mark_not_duplicate(candidate=pair, user=editor, reason="")
    with pytest.raises(MergeError, match="not duplicates"):
        merge_articles(survivor=pair.article_a, merged=pair.article_b, user=editor)
    with pytest.raises(MergeError, match="already decided"):
        mark_not_duplicate(candidate=pair, user=editor)


def test_groups_merge_one_pair_at_a_time_and_chains_resolve(import_files, tmp_path, editor, client):
    articles = import_labelled(
        import_files, tmp_path, "unrwa", "unrwa-republished", "unrwa-reordered"
    )
    a, b, c = articles["unrwa"], articles["unrwa-republished"], articles["unrwa-reordered"]
    assert DuplicateCandidate.objects.count() == 3
    first = merge_articles(survivor=b, merged=a, user=editor)
    # a's pair with c is now b's: b already had one with c, so a's stays behind, hidden.
    open_pairs = DuplicateCandidate.objects.to_review()
    assert [pair_of(p.article_a, p.article_b) for p in open_pairs] == [pair_of(b, c)]
    assert first.snapshot["candidates"]["kept"]
    second = merge_articles(survivor=c, merged=b, user=editor)
    assert not DuplicateCandidate.objects.to_review().exists()

    client.force_login(editor)
    response = client.get(a.get_absolute_url())
    assert response["Location"] == c.get_absolute_url()  # A into B, then B into C: A leads to C
    a.refresh_from_db()
    assert a.survivor() == c
    # Everything of A and B is on C now.
    assert not Occurrence.objects.filter(article__in=[a, b]).exists()
    assert Occurrence.objects.filter(article=c).count() == 3

    with pytest.raises(MergeError, match=f"undo merge #{second.pk}"):
        undo_merge(record=first, user=editor)
    undo_merge(record=second, user=editor)
    undo_merge(record=first, user=editor)
    assert all(
        x.status == Article.Status.ACTIVE for x in Article.objects.filter(pk__in=[a.pk, b.pk, c.pk])
    )
    assert DuplicateCandidate.objects.to_review().count() == 3
    assert {o.article_id for o in Occurrence.objects.all()} == {a.pk, b.pk, c.pk}


def test_a_later_merge_into_the_same_survivor_is_undone_first(import_files, tmp_path, editor):
    names = ["yemen", "yemen-republished", "yemen-shortened"]
    articles = import_labelled(import_files, tmp_path, *names)
    base = articles["yemen"]
    first = merge_articles(survivor=base, merged=articles["yemen-republished"], user=editor)
    second = merge_articles(survivor=base, merged=articles["yemen-shortened"], user=editor)
    with pytest.raises(MergeError, match=f"undo merge #{second.pk}"):
        undo_merge(record=first, user=editor)
    undo_merge(record=second, user=editor)
    undo_merge(record=first, user=editor)


def test_reimported_blocks_of_a_merged_article_go_back_with_the_undo(
    import_files, tmp_path, editor
):
    articles = import_labelled(import_files, tmp_path, "iraq", "iraq-corrected-title")
    survivor, merged = articles["iraq"], articles["iraq-corrected-title"]
    record = merge_articles(survivor=survivor, merged=merged, user=editor)
    # The merged article's text comes again in another dump: the importer follows the merge.
    report = import_files(
        write_dump(tmp_path / "again.txt", [labelled_record("iraq-corrected-title")])
    )
    assert report.total("articles_seen_again") == 1
    again = Occurrence.objects.order_by("-pk").first()
    assert again.article_id == survivor.pk
    undo_merge(record=record, user=editor)
    again.refresh_from_db()
    assert again.article_id == merged.pk
    assert survivor.occurrences.count() == 1


def test_undo_after_an_editor_changed_the_survivor(lna, editor):
    """Rows the merge moved are moved back; an editor's later changes are left alone."""
    original, republished = lna["lna"], lna["lna-republished"]
    record = merge_articles(
        survivor=original, merged=republished, user=editor, keep_title_from=republished
    )
    tagging.add_region_tag(article=original, region=region("sudan"), user=editor)
    Article.objects.filter(pk=original.pk).update(title="Corrected by an editor")
    undo_merge(record=record, user=editor)
    original.refresh_from_db()
    assert original.title == "Corrected by an editor"
    assert original.region_tags.filter(region__slug="sudan").exists()
    assert not original.region_tags.filter(region__slug="egypt").exists()
    assert republished.region_tags.filter(region__slug="egypt").exists()


def test_suggestions_move_unless_the_survivor_has_one_for_the_region(lna, editor):
    original, republished = lna["lna"], lna["lna-republished"]
    libya = region("libya")
    RegionSuggestion.objects.filter(article__in=[original, republished]).delete()
    theirs = RegionSuggestion.objects.create(article=republished, region=libya, score=0.9)
    mine = RegionSuggestion.objects.create(article=original, region=libya, score=0.8)
    other = RegionSuggestion.objects.create(
        article=republished, region=region("egypt"), score=0.5, status="rejected"
    )
    record = merge_articles(survivor=original, merged=republished, user=editor)
    assert record.snapshot["suggestions"] == {"moved": [other.pk], "kept": [theirs.pk]}
    other.refresh_from_db()
    assert other.article == original and other.status == "rejected"
    mine.refresh_from_db()
    assert mine.article == original


def test_merge_and_undo_are_fast(import_files, tmp_path, editor):
    """The target is 200 ms; on a test database with a few rows it is far below."""
    articles = import_labelled(import_files, tmp_path, "gaza-food", "gaza-food-expanded")
    started = time.perf_counter()
    record = merge_articles(
        survivor=articles["gaza-food-expanded"], merged=articles["gaza-food"], user=editor
    )
    merged_in = time.perf_counter() - started
    started = time.perf_counter()
    undo_merge(record=record, user=editor)
    undone_in = time.perf_counter() - started
    assert merged_in < 0.2 and undone_in < 0.2, (merged_in, undone_in)
