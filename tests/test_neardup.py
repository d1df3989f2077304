"""The near-duplicate engine (articles.neardup): determinism, the LSH path, quality on the
labelled pairs of tests/duplicates_labelled, and robustness on arbitrary text.

Pure: runs without Django (``pytest -p no:django --noconftest tests/test_neardup.py``).
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles import neardup as nd
from articles.dumps import normalize_text
from tests.duplicates_labelled import (
    ARTICLES,
    MIN_RUN,
    Article,
    load_article,
    load_pairs,
    word_share,
)

ROOT = Path(__file__).resolve().parent.parent
PAIRS = load_pairs()


@cache
def article(name: str) -> Article:
    return load_article(name)


def text_of(name: str) -> str:
    a = article(name)
    return nd.article_text(a.title, a.paragraphs)


@cache
def sketch(name: str) -> tuple[frozenset[int], frozenset[tuple[int, int]]]:
    """The shingles and the band keys the archive stores (whole text and lead)."""
    a = article(name)
    keys = nd.article_band_keys(a.title, a.paragraphs)
    return frozenset(nd.shingles(text_of(name))), frozenset(keys)


def keys_of(text: str) -> list[tuple[int, int]]:
    return nd.band_keys(nd.signature(nd.shingles(text)))


def detected(a: str, b: str) -> tuple[bool, float, float]:
    """Through the LSH path, as the archive finds a pair: (shares a band key and reaches the
    threshold, similarity, Jaccard)."""
    (shingles_a, keys_a), (shingles_b, keys_b) = sketch(a), sketch(b)
    score = nd.similarity(shingles_a, shingles_b)
    found = bool(keys_a & keys_b) and score >= nd.CANDIDATE_THRESHOLD
    return found, score, nd.jaccard(shingles_a, shingles_b)


# ---------------------------------------------------------------------------------------------
# Parameters and determinism


def test_parameters_are_consistent():
    assert nd.NUM_PERM == nd.BANDS * nd.ROWS
    assert nd.SHINGLE_SIZE >= 5
    # The S-curve the module docstring shows.
    assert nd.band_probability(0.05) < 0.01
    assert nd.band_probability(0.1) < 0.07
    assert nd.band_probability(0.35) > 0.93
    assert nd.band_probability(0.4) > 0.98
    assert nd.band_probability(0.5) > 0.999
    assert 0.1 < nd.CANDIDATE_THRESHOLD < 0.5


def test_same_text_same_sketch():
    text = text_of("lna")
    assert nd.shingles(text) == nd.shingles(text)
    sig = nd.signature(nd.shingles(text))
    assert sig.dtype == np.uint32 and sig.shape == (nd.NUM_PERM,)
    assert np.array_equal(sig, nd.signature(nd.shingle_array(text)))
    assert np.array_equal(sig, nd.signature(list(nd.shingles(text))))
    keys = nd.band_keys(sig)
    assert keys == nd.band_keys(sig.tolist()) == keys_of(text)
    assert [band for band, _ in keys] == list(range(nd.BANDS))
    assert all(-(2**63) <= key < 2**63 and isinstance(key, int) for _, key in keys)
    assert all(0 <= value < 2**64 for value in nd.shingles(text))


def test_sketch_is_the_same_in_another_process():
    """No salted hash() anywhere: another interpreter, with another hash seed, agrees."""
    text = text_of("gaza-food")
    script = (
        "import json, sys\n"
        "from articles import neardup as nd\n"
        "text = sys.stdin.read()\n"
        "shingles = nd.shingles(text)\n"
        "print(json.dumps({'shingles': sorted(shingles),\n"
        "    'signature': nd.signature(shingles).tolist(),\n"
        "    'keys': nd.band_keys(nd.signature(shingles)),\n"
        "    'stored': nd.text_band_keys(text)}))\n"
    )
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONIOENCODING": "utf-8"}
        done = subprocess.run(
            [sys.executable, "-c", script],
            input=text,
            capture_output=True,
            cwd=ROOT,
            env=env,
            check=True,
            encoding="utf-8",
        )
        other = json.loads(done.stdout)
        assert other["shingles"] == sorted(nd.shingles(text))
        assert other["signature"] == nd.signature(nd.shingles(text)).tolist()
        assert [tuple(pair) for pair in other["keys"]] == keys_of(text)
        assert [tuple(pair) for pair in other["stored"]] == nd.text_band_keys(text)


def test_stored_keys_do_not_change_silently():
    """Band keys are stored in the database: if this fails, the sketch changed. Bump
    SKETCH_VERSION (so stored keys get recomputed) and update the expected values."""
    assert nd.SKETCH_VERSION == 1
    text = "The head of the UN agency supporting Palestinian refugees said Friday it is determined"
    assert sorted(nd.shingles(text))[:2] == [2282917054957171720, 2290277583124790686]
    assert nd.band_keys(nd.signature(nd.shingles(text)))[:3] == [
        (0, -3666975971942785839),
        (1, 9020101152524415573),
        (2, -7864754728071141393),
    ]
    lna = article("lna")
    assert nd.article_band_keys(lna.title, lna.paragraphs)[64:66] == [
        (0, -385147493819910538),
        (1, 5437998385287102161),
    ]


def test_words_are_those_of_normalize_text():
    """words() skips normalize_text's folding of quotes and dashes (they are not word
    characters either way): checked on every Unicode character, between two letters."""
    every = "".join(f"a{chr(c)}b " for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert nd.words(every) == re.findall(r"\w+", normalize_text(every))
    text = "Co\u00adoperation, \u201cT\u00fcrkiye\u2019s\u201d AIR\u2013DEFENSE \ufb01le"
    assert " ".join(nd.words(text)) == "cooperation türkiye s air defense file"


@given(st.text())
@settings(max_examples=300)
def test_words_match_normalize_text_on_any_text(text):
    assert nd.words(text) == re.findall(r"\w+", normalize_text(text))


# ---------------------------------------------------------------------------------------------
# Shingles, signatures and keys


def test_shingles_ignore_case_quotes_dashes_and_spacing():
    a = "He said: “The ceasefire — if it holds — will   be tested in Rafah.”"
    b = 'he said "the ceasefire - if it holds - will be tested in rafah"'
    assert nd.shingles(a) == nd.shingles(b)


def test_short_texts():
    assert nd.shingles("") == set() == nd.shingles("  — … ")
    assert nd.band_keys(nd.signature(set())) == []
    assert nd.signature(set()).tolist() == [0xFFFFFFFF] * nd.NUM_PERM
    one = nd.shingles("Gaza ceasefire talks resume")
    assert len(one) == 1
    assert one == nd.shingles("GAZA: ceasefire talks resume!")
    assert one != nd.shingles("Gaza ceasefire talks resume in Cairo")
    assert len(keys_of("Gaza ceasefire talks resume")) == nd.BANDS
    # A short text's one shingle never matches a run inside a longer text.
    longer = (
        "Gaza ceasefire talks resume in Cairo on Monday after a week of deadlock, mediators said"
    )
    assert not nd.shingles("Gaza ceasefire talks resume") & nd.shingles(longer)
    assert nd.is_candidate("", "") == (False, 0.0)
    assert nd.is_candidate("Gaza talks", "Gaza talks") == (True, 1.0)


def test_signature_estimates_jaccard_and_bands_follow_the_s_curve():
    """On random sets of known Jaccard similarity: slots agree at rate J, and a pair shares a
    band at the rate band_probability(J) says (seeded, so the outcome is fixed)."""
    rng = random.Random(20250101)
    trials = 300
    for target in (0.1, 0.3, 0.5):
        size = 400
        common = round(2 * size * target / (1 + target))
        true_j = common / (2 * size - common)
        estimates, shared = [], 0
        for _ in range(trials):
            both = {rng.getrandbits(64) for _ in range(common)}
            a = both | {rng.getrandbits(64) for _ in range(size - common)}
            b = both | {rng.getrandbits(64) for _ in range(size - common)}
            sig_a, sig_b = nd.signature(a), nd.signature(b)
            estimates.append(nd.estimated_jaccard(sig_a, sig_b))
            shared += not set(nd.band_keys(sig_a)).isdisjoint(nd.band_keys(sig_b))
        assert abs(np.mean(estimates) - true_j) < 0.01
        expected = nd.band_probability(true_j)
        spread = 4 * (expected * (1 - expected) / trials) ** 0.5 + 0.01
        assert abs(shared / trials - expected) < spread, (target, shared / trials, expected)


def lead_keys(text: str) -> set[tuple[int, int]]:
    return set(keys_of(" ".join(nd.words(text)[: nd.LEAD_WORDS]))[: nd.LEAD_BANDS])


def test_stored_keys_are_the_whole_text_and_the_lead():
    short = "Gaza ceasefire talks resume in Cairo on Monday after a week of deadlock"
    assert nd.text_band_keys(short) == keys_of(short)
    assert nd.text_band_keys("") == []
    text = text_of("lebanon")
    stored = nd.text_band_keys(text)
    assert stored[: nd.BANDS] == keys_of(text)
    assert nd.BANDS < len(stored) <= nd.BANDS + nd.LEAD_BANDS
    assert len(set(stored)) == len(stored)
    assert all(band < nd.LEAD_BANDS for band, _ in stored[nd.BANDS :])
    assert set(stored[nd.BANDS :]) <= lead_keys(text) <= set(stored)
    a = article("lebanon")
    assert nd.article_band_keys(a.title, a.paragraphs) == stored
    array, keys = nd.sketch(text)
    assert keys == stored and np.array_equal(array, nd.shingle_array(text))


def test_lead_keys_find_versions_cut_from_the_bottom():
    """A shortened version has the lead of the whole: all its lead keys match, whatever the
    Jaccard similarity of the whole texts."""
    for whole, part in (("sudan", "sudan-shortened"), ("unrwa", "unrwa-update")):
        lead = lead_keys(text_of(whole))
        assert lead == lead_keys(text_of(part))
        assert lead <= set(nd.text_band_keys(text_of(whole)))
        assert lead <= set(nd.text_band_keys(text_of(part)))
    # A brief about as long as a lead meets the lead keys of the long version.
    brief = set(nd.text_band_keys(text_of("unrwa-brief")))
    assert brief & set(nd.text_band_keys(text_of("unrwa"))[nd.BANDS :])


def test_band_keys_overlap_for_a_duplicate_and_not_for_unrelated_texts():
    _, republished = sketch("lna-republished")
    _, original = sketch("lna")
    assert len(original & republished) > nd.BANDS // 2
    for other in ("sudan", "unrwa", "gaza-food", "lebanon", "yemen", "iraq", "lna-turkey"):
        assert not original & sketch(other)[1], other


def test_unrelated_generated_texts_share_no_band():
    vocabulary = normalize_text(text_of("lna") + " " + text_of("sudan")).split()
    rng = random.Random(7)
    texts = [" ".join(rng.choices(vocabulary, k=300)) for _ in range(40)]
    seen: dict[tuple[int, int], int] = {}
    for n, text in enumerate(texts):
        for key in keys_of(text):
            assert seen.setdefault(key, n) == n, "two unrelated texts share a band key"


def test_similarity_is_containment():
    whole = nd.shingles(text_of("sudan"))
    half = nd.shingles(text_of("sudan-shortened"))
    assert nd.similarity(half, whole) == nd.similarity(whole, half) == 1.0
    assert nd.jaccard(half, whole) == pytest.approx(len(half) / len(whole))
    assert nd.similarity(set(), whole) == nd.jaccard(set(), whole) == 0.0
    arrays = nd.shingle_array(text_of("sudan")), nd.shingle_array(text_of("sudan-update"))
    assert nd.similarity(*arrays) == nd.similarity(*(set(a.tolist()) for a in arrays))


def test_captions_do_not_count():
    a, b = article("sudan"), article("sudan-photo")
    assert a.captions != b.captions
    assert nd.is_candidate(text_of("sudan"), text_of("sudan-photo")) == (True, 1.0)


# ---------------------------------------------------------------------------------------------
# Shared passages


def test_shared_passages_explain_a_republication():
    a, b = article("lna"), article("lna-republished")
    passages = nd.shared_passages(a.paragraphs, b.paragraphs)
    assert 1 <= len(passages) <= 5
    assert [p.words for p in passages] == sorted((p.words for p in passages), reverse=True)
    text_a, text_b = "\n".join(a.paragraphs), "\n".join(b.paragraphs)
    for p in passages:
        assert p.words >= nd.SHINGLE_SIZE
        assert text_a[p.start_a : p.end_a] == p.text_a
        assert text_b[p.start_b : p.end_b] == p.text_b
        assert nd.words(p.text_a) == nd.words(p.text_b)
        paragraph_start = len("\n".join(a.paragraphs[: p.paragraph_a])) + (p.paragraph_a > 0)
        assert paragraph_start <= p.start_a < paragraph_start + len(a.paragraphs[p.paragraph_a])
    # Curly quotes in one, straight in the other: the same passage all the same.
    quote = [p for p in passages if "air-defense systems" in p.text_a]
    assert quote and "\u201c" not in quote[0].text_b
    assert nd.shared_passages(a.paragraphs, b.paragraphs, limit=2) == passages[:2]


def test_shared_passages_in_another_order():
    a, b = article("unrwa"), article("unrwa-reordered")
    passages = nd.shared_passages([a.title, *a.paragraphs], [b.title, *b.paragraphs], limit=10)
    assert len(passages) >= 3  # the paragraphs before, at and after the swap
    found = " ".join(p.text_a for p in passages)
    for paragraph in a.paragraphs:
        assert paragraph in found
    # Starting offsets point into article_text when the title goes first.
    text = nd.article_text(a.title, a.paragraphs)
    assert all(text[p.start_a : p.end_a] == p.text_a for p in passages)


def test_shared_passages_of_a_shared_quote_only():
    a, b = article("gaza-food"), article("gaza-food-westbank")
    passages = nd.shared_passages(a.paragraphs, b.paragraphs)
    assert [" ".join(nd.words(p.text_a)) for p in passages] == [
        "the legal qualification needs to be made by a court of law"
    ]
    assert nd.shared_passages(article("lna").paragraphs, article("iraq").paragraphs) == []


def test_shared_passages_of_short_and_empty_texts():
    assert nd.shared_passages([], []) == []
    assert nd.shared_passages([""], ["Gaza"]) == []
    [whole] = nd.shared_passages(["Gaza talks resume"], ["GAZA TALKS: resume."])
    assert (whole.text_a, whole.text_b, whole.words) == (
        "Gaza talks resume",
        "GAZA TALKS: resume.",
        3,
    )
    assert nd.shared_passages(["Gaza talks resume"], ["Gaza talks resume in Cairo today"]) == []
    assert nd.shared_passages(["a b c d e f g h i j"], ["a b c d e f g h i j"], limit=0) == []


# ---------------------------------------------------------------------------------------------
# Never raises on arbitrary text

TEXT = st.text(max_size=400)
WORDY = st.lists(
    st.sampled_from(["gaza", "aid", "the", "UN", "said", "Rafah", "“truce”", "—", "2025", "é"]),
    max_size=60,
).map(" ".join)


@given(TEXT)
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_sketch_never_raises(text):
    shingle_set = nd.shingles(text)
    sig = nd.signature(shingle_set)
    keys = nd.band_keys(sig)
    assert len(keys) == (nd.BANDS if shingle_set else 0)
    assert all(0 <= band < nd.BANDS and -(2**63) <= key < 2**63 for band, key in keys)
    assert nd.is_candidate(text, text) == (bool(shingle_set), 1.0 if shingle_set else 0.0)


@given(st.lists(st.one_of(TEXT, WORDY), max_size=6), st.lists(st.one_of(TEXT, WORDY), max_size=6))
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_shared_passages_never_raise(a, b):
    passages = nd.shared_passages(a, b)
    assert len(passages) <= 5
    text_a, text_b = "\n".join(a), "\n".join(b)
    for p in passages:
        assert text_a[p.start_a : p.end_a] == p.text_a and text_b[p.start_b : p.end_b] == p.text_b
        assert 0 <= p.paragraph_a < len(a) and 0 <= p.paragraph_b < len(b)
    same = nd.shared_passages(a, a, limit=1)
    count = len(nd.words(text_a))
    # The whole text, unless it repeats itself so much that a run is cut short.
    assert (same[0].words >= min(count, nd.SHINGLE_SIZE)) if count else same == []


def test_shared_passages_of_identical_texts_cover_them():
    a = article("lebanon")
    [whole] = nd.shared_passages(a.paragraphs, list(a.paragraphs))
    assert whole.text_a == whole.text_b == "\n".join(a.paragraphs)
    assert (whole.start_a, whole.paragraph_a, whole.paragraph_b) == (0, 0, 0)


# ---------------------------------------------------------------------------------------------
# The labelled set and quality through the LSH path


def test_labelled_set_is_complete_and_its_shares_are_right():
    names = {path.stem for path in ARTICLES.glob("*.txt")}
    assert len(PAIRS) >= 40
    used = {name for pair in PAIRS for name in (pair.a, pair.b)}
    assert used <= names and len(set(map(lambda p: (p.a, p.b), PAIRS))) == len(PAIRS)
    kinds = Counter((pair.duplicate, pair.kind) for pair in PAIRS)
    for kind in ("republication", "update", "corrected title", "different photo", "shortened"):
        assert kinds[True, kind] >= 3, kind
    for kind in ("same event", "follow-up", "shared statement"):
        assert kinds[False, kind] >= 3, kind
    for pair in PAIRS:
        # The recorded share is the objective measure, recomputed.
        share = round(word_share(article(pair.a), article(pair.b)), 3)
        assert share == pair.share, f"{pair.a} / {pair.b}: share {share}, recorded {pair.share}"
    assert MIN_RUN >= 2
    assert all(pair.share >= 0.5 for pair in PAIRS if pair.duplicate)
    assert sum(pair.share < 0.1 for pair in PAIRS) >= 15


def test_quality_on_the_labelled_set(capsys):
    rows = [(pair, *detected(pair.a, pair.b)) for pair in PAIRS]
    whole_only = [
        bool(set(keys_of(text_of(pair.a))) & set(keys_of(text_of(pair.b))))
        and detected(pair.a, pair.b)[1] >= nd.CANDIDATE_THRESHOLD
        for pair in PAIRS
        if pair.share >= 0.5
    ]
    half = [row for row in rows if row[0].share >= 0.5]
    tenth = [row for row in rows if row[0].share < 0.1]
    recall_half = sum(row[1] for row in half) / len(half)
    found = [row for row in rows if row[1]]
    duplicates = [row for row in rows if row[0].duplicate]
    precision = sum(row[0].duplicate for row in found) / len(found)
    recall = sum(row[1] for row in duplicates) / len(duplicates)
    # What the S-curve promises for these pairs, whatever the hash constants.
    expected_half = sum(nd.band_probability(row[3]) for row in half) / len(half)
    report = [
        f"labelled pairs: {len(rows)} ({len(duplicates)} duplicates)",
        f"precision {precision:.3f}, recall {recall:.3f} (candidates {len(found)})",
        f"pairs sharing >= 1/2: {len(half)}, recall {recall_half:.3f} (whole-text keys alone "
        f"{sum(whole_only) / len(half):.3f}, their S-curve expectation {expected_half:.3f})",
        f"pairs sharing < 1/10: {len(tenth)}, candidates {sum(row[1] for row in tenth)}, "
        f"max similarity {max(row[2] for row in tenth):.3f}",
    ]
    for pair, found_it, score, jaccard in rows:
        if found_it != pair.duplicate or (pair.duplicate and jaccard < 0.4):
            report.append(
                f"  {'dup' if pair.duplicate else 'not'} share {pair.share:.2f} "
                f"containment {score:.2f} jaccard {jaccard:.2f} found {found_it}: "
                f"{pair.a} / {pair.b} ({pair.kind})"
            )
    with capsys.disabled():  # the numbers are the point: show them even when the test passes
        print("\n" + "\n".join(report))
    assert recall_half >= 0.95
    assert not any(row[1] for row in tenth)
    assert precision >= 0.95
    assert not any(row[1] for row in rows if row[0].kind == "same event")
