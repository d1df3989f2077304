"""``python -m bench floor``: what it measures is really derived and really stored."""

import os
import sqlite3

import pytest

from bench import corpus
from bench.floor import (
    best_rate,
    derive_costs,
    postgres_store_costs,
    sample_raw_blocks,
    sqlite_store_costs,
)
from bench.importing import _parse, _postgres_admin

STEPS = {
    "parse",
    "fingerprint",
    "caption credits",
    "cited outlets",
    "region suggestions",
    "near-duplicate sketch",
    "whole (Preparer.prepare)",
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    directory = tmp_path_factory.mktemp("corpus")
    corpus.ensure(directory, articles=40, repeat_share=0.25, near_share=0.0)
    raws = sample_raw_blocks(directory, 30)
    costs, articles = derive_costs(raws)
    return raws, costs, articles


def test_best_rate_is_the_cores_shared_by_the_costs():
    assert best_rate(2, 1.0, 1 / 3) == pytest.approx(1500)
    assert best_rate(2, 2.0) == pytest.approx(1000)


def test_sample_takes_the_first_blocks_in_order(sample):
    raws, _, _ = sample
    assert len(raws) == 30
    assert [raw.position for raw in raws[:3]] == [0, 1, 2]


def test_derive_costs_every_step_and_keeps_each_article_once(sample):
    raws, costs, articles = sample
    assert set(costs) == STEPS
    assert all(ms > 0 for ms in costs.values())
    # A quarter of the corpus repeats earlier articles: they are stored once.
    assert 0 < len(articles) < len(raws)
    assert len({a.fingerprint for a in articles}) == len(articles)
    assert all(a.title and a.body and a.raw and len(a.keys) > 64 for a in articles)


def test_sqlite_floor_stores_rows_search_index_and_band_keys(sample, tmp_path):
    _, _, articles = sample
    path = tmp_path / "floor.sqlite3"
    costs = sqlite_store_costs(articles, path)

    assert list(costs) == ["rows", "rows + search index", "rows + search index + band keys"]
    assert all(ms > 0 for ms in costs.values())
    # The last part's file is left: everything it timed is there.
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM articles_article").fetchone() == (len(articles),)
    assert db.execute("SELECT count(*) FROM occurrence").fetchone() == (len(articles),)
    word = articles[0].title.split()[0]
    matches = db.execute(
        "SELECT count(*) FROM article_fts WHERE article_fts MATCH ?", [f'"{word}"']
    ).fetchone()[0]
    assert matches >= 1
    keys = {(n, band, key) for n, a in enumerate(articles, 1) for band, key in a.keys}
    assert db.execute("SELECT count(*) FROM band_key").fetchone() == (len(keys),)
    db.close()


@pytest.mark.postgres
def test_postgres_floor_stores_vectors_and_band_keys_then_drops_its_database(sample):
    _, _, articles = sample
    url = os.environ["DATABASE_URL"]
    costs, stored = postgres_store_costs(articles, url)

    parts = ["rows", "rows + search vectors", "rows + search vectors + band keys"]
    assert list(costs) == list(stored) == parts
    assert all(ms > 0 for ms in costs.values())
    keys = len({(n, band, key) for n, a in enumerate(articles, 1) for band, key in a.keys})
    count = len(articles)
    assert stored == {
        parts[0]: (count, 0, 0),
        parts[1]: (count, count, 0),
        parts[2]: (count, count, keys),
    }
    with _postgres_admin(_parse(url)) as admin:
        left = admin.execute("SELECT 1 FROM pg_database WHERE datname = 'newsroom_bench_floor'")
        assert left.fetchone() is None
