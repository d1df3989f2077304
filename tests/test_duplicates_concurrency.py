"""Two editors at once, with real threads and real transactions on PostgreSQL: of two merges of
the same articles (the same way, or A into B against B into A), one succeeds and the other gets a
clear message; nothing is corrupted.

Each test holds one transaction open on purpose, after its merge has locked the rows, and starts
the competing one meanwhile, so that the two really overlap: the second waits for the first's
locks, then finds the articles changed."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections, transaction

from articles.models import Article, Caption, Occurrence
from duplicates.models import DuplicateCandidate, MergeRecord
from duplicates.services import MergeError, mark_not_duplicate, merge_articles, undo_merge
from tests.test_duplicates import import_labelled

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HOLD = 0.6  # seconds the first transaction keeps its locks


class Run(threading.Thread):
    """A call in a thread of its own (its own database connection), with what came of it."""

    def __init__(self, call, *, after: threading.Event | None = None) -> None:
        super().__init__(daemon=True)
        self.call, self.after = call, after
        self.result = self.error = None
        self.seconds = 0.0

    def run(self) -> None:
        try:
            if self.after is not None:
                assert self.after.wait(10)
            started = time.perf_counter()
            try:
                self.result = self.call()
            except Exception as error:  # reported to the test
                self.error = error
            self.seconds = time.perf_counter() - started
        finally:
            connections.close_all()


def holding(call, locked: threading.Event):
    """``call`` inside a transaction that stays open ``HOLD`` seconds after it returns."""

    def run():
        with transaction.atomic():
            result = call()
            locked.set()
            time.sleep(HOLD)
        return result

    return run


@pytest.fixture
def trio(import_files, tmp_path):
    return import_labelled(import_files, tmp_path, "unrwa", "unrwa-republished", "unrwa-update")


def assert_consistent() -> None:
    """The invariants a lost race must not break."""
    for article in Article.objects.all():
        records = MergeRecord.objects.in_effect().filter(merged=article)
        if article.status == Article.Status.MERGED:
            (record,) = records
            assert record.survivor_id == article.merged_into_id
            kept = set(record.snapshot["captions"]["kept"])
            assert set(article.captions.values_list("pk", flat=True)) == kept
            assert not Occurrence.objects.filter(article=article).exists()
        else:
            assert not records.exists()
            assert article.merged_into_id is None
    assert Occurrence.objects.filter(article__isnull=False).count() == 3
    assert Caption.objects.count() >= 3


def test_two_editors_merge_the_same_pair(trio, editor):
    a, b = trio["unrwa"], trio["unrwa-republished"]
    locked = threading.Event()
    first = Run(holding(lambda: merge_articles(survivor=a, merged=b, user=editor), locked))
    second = Run(lambda: merge_articles(survivor=a, merged=b, user=editor), after=locked)
    first.start()
    second.start()
    first.join(15)
    second.join(15)
    assert first.error is None and isinstance(first.result, MergeRecord)
    assert isinstance(second.error, MergeError)
    assert "has already been merged into" in str(second.error)
    assert second.seconds >= HOLD * 0.6  # it waited for the first editor's locks
    assert MergeRecord.objects.count() == 1
    assert DuplicateCandidate.objects.pair(a, b).get().status == "merged"
    assert_consistent()


def test_a_into_b_while_b_into_a(trio, editor, django_user_model):
    a, b = trio["unrwa"], trio["unrwa-update"]
    other = django_user_model.objects.create_user("omar")
    locked = threading.Event()
    first = Run(holding(lambda: merge_articles(survivor=b, merged=a, user=editor), locked))
    second = Run(lambda: merge_articles(survivor=a, merged=b, user=other), after=locked)
    first.start()
    second.start()
    first.join(15)
    second.join(15)
    assert first.error is None
    assert isinstance(second.error, MergeError)
    assert f"(#{a.pk}) has already been merged into #{b.pk}" in str(second.error)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.merged_into_id, b.status) == ("merged", b.pk, "active")
    assert MergeRecord.objects.get().user == editor
    assert_consistent()


def test_a_race_without_a_head_start(trio, editor):
    """Both at the same instant, many times over: exactly one of each race wins."""
    a, b = trio["unrwa"], trio["unrwa-republished"]
    for _ in range(5):
        start = threading.Barrier(2)

        def attempt(survivor, merged, start=start):
            def call():
                start.wait(5)
                return merge_articles(survivor=survivor, merged=merged, user=editor)

            return call

        runs = [Run(attempt(a, b)), Run(attempt(b, a))]
        for run in runs:
            run.start()
        for run in runs:
            run.join(15)
        winners = [run for run in runs if run.error is None]
        losers = [run for run in runs if isinstance(run.error, MergeError)]
        assert len(winners) == 1 and len(losers) == 1, [run.error for run in runs]
        assert_consistent()
        undo_merge(record=winners[0].result, user=editor)
    assert MergeRecord.objects.count() == 5
    assert not MergeRecord.objects.in_effect().exists()


def test_a_merge_while_another_editor_closes_the_pair(trio, editor):
    a, b = trio["unrwa"], trio["unrwa-update"]
    pair = DuplicateCandidate.objects.pair(a, b).get()
    locked = threading.Event()
    first = Run(holding(lambda: mark_not_duplicate(candidate=pair, user=editor), locked))
    second = Run(lambda: merge_articles(survivor=a, merged=b, user=editor), after=locked)
    first.start()
    second.start()
    first.join(15)
    second.join(15)
    assert first.error is None
    assert isinstance(second.error, MergeError)
    assert "marked as not duplicates" in str(second.error)
    pair.refresh_from_db()
    assert pair.status == "not_duplicate"
    assert not MergeRecord.objects.exists()
    assert_consistent()


def test_two_editors_undo_the_same_merge(trio, editor):
    record = merge_articles(survivor=trio["unrwa"], merged=trio["unrwa-update"], user=editor)
    locked = threading.Event()
    first = Run(holding(lambda: undo_merge(record=record, user=editor), locked))
    second = Run(lambda: undo_merge(record=record, user=editor), after=locked)
    first.start()
    second.start()
    first.join(15)
    second.join(15)
    assert first.error is None
    assert isinstance(second.error, MergeError) and "already undone" in str(second.error)
    assert_consistent()


def test_merging_into_an_article_that_is_being_merged_away(trio, editor):
    """B into A, while another editor merges C into B: the second finds B merged."""
    a, b, c = trio["unrwa"], trio["unrwa-republished"], trio["unrwa-update"]
    locked = threading.Event()
    first = Run(holding(lambda: merge_articles(survivor=a, merged=b, user=editor), locked))
    second = Run(lambda: merge_articles(survivor=b, merged=c, user=editor), after=locked)
    first.start()
    second.start()
    first.join(15)
    second.join(15)
    assert first.error is None
    assert isinstance(second.error, MergeError)
    assert f"(#{b.pk}) has already been merged into #{a.pk}" in str(second.error)
    assert_consistent()
