"""Near-duplicate detection: word shingles, MinHash signatures and LSH band keys.

Pure Python with numpy; no Django. The same story arrives again with edits (a wire story
republished by another outlet, an update with a new paragraph, a corrected title, another photo,
a shortened version); this module finds such pairs without comparing every pair of articles.

How a pair becomes a candidate
==============================

1. **What is compared**: :func:`article_text`, the title and the body paragraphs. Captions are
   left out: another photo must not hide a duplicate.
2. **Shingles**: :func:`shingles`, the set of every run of :data:`SHINGLE_SIZE` consecutive words
   of the text normalized as :func:`articles.dumps.normalize_text` does (NFKC, casefolded, one
   kind of quote and dash), punctuation dropped (:func:`words`), each run hashed to a stable
   64-bit integer (BLAKE2b per word, combined per position and finished with splitmix64; never
   Python's salted ``hash()``). A text shorter than one shingle is one shingle of all its words;
   a text without words has none.
3. **Signature**: :func:`signature`, MinHash over :data:`NUM_PERM` hash functions
   ``h_i(x) = xorshift16((a_i * x + b_i) mod 2**32)`` on the low 32 bits of each shingle hash,
   vectorized with numpy. The constants ``a_i, b_i`` come from BLAKE2b of fixed labels, so a
   signature is the same in every process, on every machine and with every numpy version.
   For two texts, a signature slot agrees with probability equal to their Jaccard similarity.
4. **Band keys**: :func:`band_keys`, the signature cut into :data:`BANDS` bands of :data:`ROWS`
   values, each band hashed to a signed 64-bit key (it fits a PostgreSQL ``bigint``). What the
   archive stores per article is :func:`article_band_keys`: those 64 keys plus the first
   :data:`LEAD_BANDS` band keys of the article's lead (its first :data:`LEAD_WORDS` words),
   at most 96 rows ``(band, key)``. With an index on ``(band, key)``, the articles that share a
   band with a new one come out of one indexed lookup ``WHERE (band, key) IN (...)``, whose cost
   follows the number of matching rows, not the size of the archive.
5. **Verification**: each article that shares a band is checked with the exact
   :func:`similarity` of the two shingle sets; the pair is a candidate when it reaches
   :data:`CANDIDATE_THRESHOLD`. :func:`shared_passages` then says why: the longest passages the
   two texts share (the very shingles the similarity counts).

The S-curve (``ROWS = 3``, ``BANDS = 64``: 192 permutations)
------------------------------------------------------------

Two texts of Jaccard similarity J share at least one of the 64 whole-text band keys with
probability ``P(J) = 1 - (1 - J**3)**64`` (:func:`band_probability`):

=============  ======  ======  =====  =====  =====  =====  =====  =====  =====  ======
Jaccard J       0.02    0.05    0.10   0.15   0.20   0.25   0.30   0.35   0.40   0.50
P(share band)  0.0005  0.0080  0.062  0.195  0.402  0.635  0.827  0.940  0.986  0.9998
=============  ======  ======  =====  =====  =====  =====  =====  =====  =====  ======

Pairs at J >= 0.4 share a band 98.6% of the time, at J >= 0.5 99.98%; below J = 0.05 under 1%,
at J = 0.1 6% (those are rejected by the exact check: one verification each). A sharper curve
costs many more rows per article (four rows by 128 bands still gives only 0.65 at J = 0.3).

The lead keys add the cases a Jaccard index misses: a version cut from the bottom (a brief, the
first half, an update with paragraphs added at the end) has the same lead as the whole, so
their lead keys match whatever the Jaccard similarity of the whole texts; a brief of about
:data:`LEAD_WORDS` words also meets the lead keys of the long version (bands share numbers).

Why these numbers
-----------------

- ``SHINGLE_SIZE = 9`` words. Five is the textbook size for news, but on the benchmark corpus
  (articles assembled from about 30 sentence templates, as wire copy reuses stock sentences)
  two unrelated articles have a median Jaccard of 0.048 with 5-word shingles, 0.020 with 7 and
  0.008 with 9. With 5-word shingles about 17 million pairs per 100,000 articles would share a
  band; with 9-word shingles, measured on the 100,000-article corpus (89,965 distinct
  articles): 268,000 pairs, six per article looked up. On the labelled set
  (``tests/duplicates_labelled``) 9-word shingles cost little: only heavily copy-edited pairs
  (a changed word every 20 words) fall to J = 0.3.
- Similarity is **containment**, ``|A & B| / min(|A|, |B|)``: the share of the smaller text's
  shingles that the other holds. It is the shingle counterpart of the target ("pairs that share
  at least half of their text", measured on the shorter) and it does not drop when one version
  is much longer: the first half of an article is contained 100% in the whole, at a Jaccard of
  only 0.5. On the labelled set duplicates have containment 0.45 to 1.0 (Jaccard 0.27 to 1.0);
  pairs that share less than a tenth of their words at most 0.05; follow-ups that repeat a
  background paragraph 0.06 to 0.19. ``CANDIDATE_THRESHOLD = 0.3`` sits between the two, with
  room for edits. (A Jaccard threshold would have to go down to about 0.2 to keep the briefs and
  shortened versions, close to the template background.) :func:`jaccard` is kept for reports.

Measured (CPU time, Python 3.11, numpy 2.4, on a 2-core machine busy with other work): a
600-word article takes 0.58 ms from text to the 64 whole-text keys, 0.66 ms with the lead
keys; :func:`sketch` (shingles and stored keys of a 750-word article) 0.8 ms;
:func:`shingle_array` 0.43 ms and an exact :func:`similarity` 0.03 ms, what verifying a
candidate costs. The 100,000-article benchmark corpus (89,965 distinct articles) in memory, one
process: 72 s to sketch every article (8.6 million rows), 15 s to group the rows by key into
268,070 pairs sharing a band, 12 s to verify them: 5,392 candidates, every one of the 5,082
near-duplicates the corpus generator planted among them (the 310 others pair two edited copies
of one original, similarity 0.80 or more); no rejected pair came above 0.15. A new article: 6
articles share a band with it on average. Word hashes are memoized (64k words), so the first
articles of a process are slower.

Changing any of the parameters, the tokenization or the hashing changes the keys: bump
:data:`SKETCH_VERSION` so that stored keys get recomputed.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = [
    "BANDS",
    "CANDIDATE_THRESHOLD",
    "LEAD_BANDS",
    "LEAD_WORDS",
    "NUM_PERM",
    "ROWS",
    "SHINGLE_SIZE",
    "SKETCH_VERSION",
    "SharedPassage",
    "article_band_keys",
    "article_text",
    "band_keys",
    "band_probability",
    "containment",
    "estimated_jaccard",
    "is_candidate",
    "jaccard",
    "shared_passages",
    "shingle_array",
    "shingles",
    "signature",
    "similarity",
    "sketch",
    "text_band_keys",
    "words",
]

SKETCH_VERSION = 1  # bump whenever stored band keys must be recomputed
SHINGLE_SIZE = 9  # words per shingle
ROWS = 3  # signature values per band
BANDS = 64  # whole-text band keys per article
NUM_PERM = BANDS * ROWS  # MinHash functions: 192
CANDIDATE_THRESHOLD = 0.3  # containment at or above which a pair sharing a band is a candidate
LEAD_WORDS = 100  # the lead: the first words of the text (title, first paragraph or two)
LEAD_BANDS = 32  # band keys of the lead's signature stored besides the whole text's

_WORD = re.compile(r"\w+")
_CHUNK = re.compile(r"\S+")
# The characters normalize_text deletes (soft hyphen, zero-width characters, byte-order mark):
# they join the letters around them into one word. The other characters it folds (quotes,
# dashes) are punctuation before and after, so they never change the words.
_DELETED = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_EMPTY = 0xFFFFFFFF  # every slot of the signature of a text without words
_MAX_POSITIONS = 16  # per shingle, in shared_passages: bounds the work on repetitive text


def _constant(label: str, index: int) -> int:
    digest = hashlib.blake2b(f"newsroom-neardup:{label}:{index}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "little")


def _constants(label: str, count: int, *, bits: int = 64, odd: bool = False) -> np.ndarray:
    values = [_constant(label, i) >> (64 - bits) | int(odd) for i in range(count)]
    return np.array(values, dtype=np.uint64 if bits == 64 else np.uint32)


_POSITION = _constants("position", SHINGLE_SIZE, odd=True)
_LENGTH = _constants("length", SHINGLE_SIZE + 1)
_A = _constants("a", NUM_PERM, bits=32, odd=True)
_B = _constants("b", NUM_PERM, bits=32)
_ROW = _constants("row", ROWS, odd=True)


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: a bijection of 64-bit words whose output bits all depend on
    every input bit."""
    with np.errstate(over="ignore"):
        z = z ^ (z >> np.uint64(30))
        z = z * np.uint64(0xBF58476D1CE4E5B9)
        z = z ^ (z >> np.uint64(27))
        z = z * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


@lru_cache(maxsize=1 << 16)
def _word_hash(word: str) -> int:
    data = word.encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


# ---------------------------------------------------------------------------------------------
# Text


def words(text: str) -> list[str]:
    """The words of ``normalize_text(text)``: runs of letters, digits and underscores.

    The same list as ``re.findall(r"\\w+", normalize_text(text))`` (a test checks every
    character), without normalize_text's per-character ``str.translate`` (half a millisecond on a
    750-word article): the quotes and dashes it folds are not word characters before or after,
    so only the characters it deletes need handling.
    """
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = _DELETED.sub("", text)
    return _WORD.findall(text.casefold())


def article_text(title: str, paragraphs: Sequence[str]) -> str:
    """What two articles are compared on: the title and the body, one line each; no captions."""
    return "\n".join((title, *paragraphs))


def _word_hashes(tokens: Sequence[str]) -> np.ndarray:
    return np.fromiter(map(_word_hash, tokens), dtype=np.uint64, count=len(tokens))


def _combine(hashes: np.ndarray) -> np.ndarray:
    """The hash of the shingle starting at each word, in text order, repeats kept."""
    if hashes.size == 0:
        return hashes
    size = min(SHINGLE_SIZE, hashes.size)
    count = hashes.size - size + 1
    with np.errstate(over="ignore"):
        combined = hashes[:count] * _POSITION[0]
        for j in range(1, size):
            combined += hashes[j : j + count] * _POSITION[j]
        combined ^= _LENGTH[size]  # a short text's one shingle never equals a full one
    return _mix(combined)


def _shingle_hashes(tokens: Sequence[str]) -> np.ndarray:
    return _combine(_word_hashes(tokens))


def shingle_array(text: str) -> np.ndarray:
    """:func:`shingles` as a sorted numpy array of distinct ``uint64``: the fast path."""
    return np.unique(_shingle_hashes(words(text)))


def shingles(text: str) -> set[int]:
    """The hashed word shingles of ``text`` (see the module notes); empty for a text without
    words, one shingle for a text shorter than :data:`SHINGLE_SIZE` words."""
    return set(shingle_array(text).tolist())


# ---------------------------------------------------------------------------------------------
# Sketches


def _as_array(shingle_set: Iterable[int] | np.ndarray) -> np.ndarray:
    if isinstance(shingle_set, np.ndarray):
        return shingle_set.astype(np.uint64, copy=False)
    values = shingle_set if isinstance(shingle_set, set | frozenset) else set(shingle_set)
    return np.fromiter(values, dtype=np.uint64, count=len(values))


def _minhash(values: np.ndarray, count: int = NUM_PERM) -> np.ndarray:
    """The first ``count`` MinHash values of 64-bit shingle hashes (repeats allowed)."""
    minimum = np.full(count, _EMPTY, dtype=np.uint32)
    low = values.astype(np.uint32)  # shingle hashes are uniform in every bit
    # In blocks, so that a book-length text does not build one huge matrix.
    for start in range(0, low.size, 4096):
        with np.errstate(over="ignore"):
            hashed = np.multiply.outer(low[start : start + 4096], _A[:count])
            hashed += _B[:count]
            shifted = hashed >> np.uint32(16)
            hashed ^= shifted  # (not ``hashed ^= hashed >> 16``: numpy is 20x slower on that)
        np.minimum(minimum, hashed.min(axis=0), out=minimum)
    return minimum


def _keys(sig: np.ndarray) -> list[tuple[int, int]]:
    rows = sig.reshape(-1, ROWS)
    with np.errstate(over="ignore"):
        combined = (rows.astype(np.uint64) * _ROW).sum(axis=1, dtype=np.uint64)
    keys = _mix(combined).view(np.int64).tolist()
    empty = (rows == _EMPTY).all(axis=1)
    if empty.any():
        return [(band, keys[band]) for band in np.flatnonzero(~empty).tolist()]
    return list(enumerate(keys))


def signature(shingle_set: Iterable[int] | np.ndarray) -> np.ndarray:
    """The MinHash signature of a shingle set: :data:`NUM_PERM` ``uint32`` values.

    Accepts what :func:`shingles` or :func:`shingle_array` return (any iterable of 64-bit
    unsigned integers). An empty set gives a signature of ``0xFFFFFFFF`` everywhere, which has
    no band keys.
    """
    return _minhash(_as_array(shingle_set))


def band_keys(sig: Sequence[int] | np.ndarray) -> list[tuple[int, int]]:
    """``(band, key)`` for every band of a signature: the band index (0 to ``BANDS - 1``) and a
    signed 64-bit key. A text without words has none."""
    values = np.asarray(sig, dtype=np.uint32)
    if values.shape != (NUM_PERM,):
        raise ValueError(f"a signature has {NUM_PERM} values, not {values.size}")
    return _keys(values)


def sketch(text: str) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """``(shingle_array(text), text_band_keys(text))`` in one pass over the text: for jobs that
    both store the keys of an article and verify its candidates."""
    hashes = _word_hashes(words(text))
    distinct = np.unique(_combine(hashes))
    keys = _keys(_minhash(distinct))
    if hashes.size > LEAD_WORDS:
        lead = _keys(_minhash(_combine(hashes[:LEAD_WORDS]), LEAD_BANDS * ROWS))
        present = set(keys)
        keys += [key for key in lead if key not in present]
    return distinct, keys


def text_band_keys(text: str) -> list[tuple[int, int]]:
    """The band keys to store for a text: the :data:`BANDS` keys of the whole text and the first
    :data:`LEAD_BANDS` keys of its lead (its first :data:`LEAD_WORDS` words), distinct.

    The lead keys catch a version cut from the bottom (a brief, a shortened version, an update
    with paragraphs added at the end), whose Jaccard similarity with the whole can be low while
    its lead is the same. They share band numbers with the whole-text keys, so a brief's keys
    meet the lead keys of the long version.
    """
    return sketch(text)[1]


def article_band_keys(title: str, paragraphs: Sequence[str]) -> list[tuple[int, int]]:
    """:func:`text_band_keys` of :func:`article_text`: what the archive stores per article."""
    return text_band_keys(article_text(title, paragraphs))


def band_probability(jaccard_similarity: float) -> float:
    """The chance that two texts of this Jaccard similarity share at least one band key."""
    return 1.0 - (1.0 - jaccard_similarity**ROWS) ** BANDS


def estimated_jaccard(sig_a: Sequence[int], sig_b: Sequence[int]) -> float:
    """The Jaccard similarity two signatures estimate (standard error about 0.036 at J = 0.5)."""
    a, b = np.asarray(sig_a, dtype=np.uint32), np.asarray(sig_b, dtype=np.uint32)
    if (a == _EMPTY).all() or (b == _EMPTY).all():
        return 0.0
    return float(np.count_nonzero(a == b)) / NUM_PERM


# ---------------------------------------------------------------------------------------------
# Similarity


def _sorted_distinct(values: Iterable[int] | np.ndarray) -> np.ndarray:
    array = _as_array(values)
    if array.size > 1 and not (array[1:] > array[:-1]).all():
        array = np.unique(array)
    return array


def _overlap(a: Iterable[int] | np.ndarray, b: Iterable[int] | np.ndarray) -> tuple[int, int, int]:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = _sorted_distinct(a), _sorted_distinct(b)
        if a.size == 0 or b.size == 0:
            return 0, a.size, b.size
        found = b[np.searchsorted(b, a).clip(max=b.size - 1)] == a
        return int(np.count_nonzero(found)), a.size, b.size
    a = a if isinstance(a, set | frozenset) else set(a)
    b = b if isinstance(b, set | frozenset) else set(b)
    return len(a & b), len(a), len(b)


def containment(a: Iterable[int], b: Iterable[int]) -> float:
    """``|A & B| / min(|A|, |B|)``, the larger of the two containments; 0 when either is empty."""
    shared, size_a, size_b = _overlap(a, b)
    return shared / min(size_a, size_b) if shared else 0.0


def jaccard(a: Iterable[int], b: Iterable[int]) -> float:
    """``|A & B| / |A | B|``; 0 when either is empty."""
    shared, size_a, size_b = _overlap(a, b)
    return shared / (size_a + size_b - shared) if shared else 0.0


def similarity(a: Iterable[int], b: Iterable[int]) -> float:
    """How a pair that shares a band is verified: :func:`containment` of the shingle sets
    (sets, or the arrays of :func:`shingle_array`). See the module notes for why not Jaccard."""
    return containment(a, b)


def is_candidate(a_text: str, b_text: str) -> tuple[bool, float]:
    """Whether two texts (each from :func:`article_text`) make a candidate pair, as the archive
    decides it: they share a band key and their similarity reaches the threshold. Also returns
    the similarity."""
    score = similarity(shingle_array(a_text), shingle_array(b_text))
    shared = not set(text_band_keys(a_text)).isdisjoint(text_band_keys(b_text))
    return shared and score >= CANDIDATE_THRESHOLD, score


# ---------------------------------------------------------------------------------------------
# Why: shared passages


@dataclass(frozen=True, slots=True)
class SharedPassage:
    """A passage two texts share: each side as printed, and where.

    Offsets are character offsets into ``"\\n".join(paragraphs)`` of each side (so into
    :func:`article_text` when the title is passed as the first paragraph); ``paragraph_a`` and
    ``paragraph_b`` are the indexes of the paragraphs the passage starts in; ``words`` its
    length in words. The two texts can differ in case, quotes, dashes and punctuation.
    """

    text_a: str
    text_b: str
    words: int
    start_a: int
    end_a: int
    start_b: int
    end_b: int
    paragraph_a: int
    paragraph_b: int


@dataclass(frozen=True, slots=True)
class _Tokens:
    text: str
    words: list[str]
    spans: list[tuple[int, int]]  # per word: the whitespace-separated chunk it comes from
    paragraph_starts: list[int]

    @classmethod
    def of(cls, paragraphs: Sequence[str]) -> _Tokens:
        text = "\n".join(paragraphs)
        starts, offset = [], 0
        for paragraph in paragraphs:
            starts.append(offset)
            offset += len(paragraph) + 1
        tokens: list[str] = []
        spans: list[tuple[int, int]] = []
        for chunk in _CHUNK.finditer(text):
            for word in words(chunk.group()):
                tokens.append(word)
                spans.append(chunk.span())
        return cls(text, tokens, spans, starts)

    def paragraph(self, offset: int) -> int:
        return max(bisect.bisect_right(self.paragraph_starts, offset) - 1, 0)


def _runs(a: np.ndarray, b: np.ndarray) -> list[tuple[int, int, int]]:
    """Maximal runs of consecutive shingles both sequences hold: (start in a, start in b,
    shingles)."""
    positions: dict[int, list[int]] = {}
    for j, value in enumerate(b.tolist()):
        found = positions.setdefault(value, [])
        if len(found) < _MAX_POSITIONS:
            found.append(j)
    runs: list[tuple[int, int, int]] = []
    open_runs: dict[int, int] = {}  # position in b of the last match -> start in a of its run
    for i, value in enumerate(a.tolist()):
        current: dict[int, int] = {}
        for j in positions.get(value, ()):
            current[j] = open_runs.pop(j - 1, i)
        for j, start in open_runs.items():  # runs not continued here end at i - 1
            runs.append((start, j - (i - 1 - start), i - start))
        open_runs = current
    for j, start in open_runs.items():
        runs.append((start, j - (a.size - 1 - start), a.size - start))
    return runs


def shared_passages(
    a_paragraphs: Sequence[str], b_paragraphs: Sequence[str], limit: int = 5
) -> list[SharedPassage]:
    """The longest passages the two texts share, longest first, at most ``limit``.

    A passage is a run of at least :data:`SHINGLE_SIZE` words (or a whole text shorter than
    that) that both hold, in whatever order: these are the shingles :func:`similarity` counts.
    Pass ``[title, *paragraphs]`` to explain a pair found on :func:`article_text`. Passages do
    not overlap on either side.
    """
    if limit <= 0:
        return []
    ta, tb = _Tokens.of(a_paragraphs), _Tokens.of(b_paragraphs)
    ha, hb = _shingle_hashes(ta.words), _shingle_hashes(tb.words)
    if ha.size == 0 or hb.size == 0:
        return []
    span = min(SHINGLE_SIZE, len(ta.words))  # words per shingle (a short text: all of them)
    if span != min(SHINGLE_SIZE, len(tb.words)):
        return []  # a short text's one shingle matches only the same short text
    runs = sorted(_runs(ha, hb), key=lambda run: (-run[2], run[0], run[1]))
    taken_a: list[tuple[int, int]] = []
    taken_b: list[tuple[int, int]] = []
    passages: list[SharedPassage] = []
    for start_a, start_b, count in runs:
        end_a, end_b = start_a + count + span - 1, start_b + count + span - 1  # in words
        if any(s < end_a and start_a < e for s, e in taken_a) or any(
            s < end_b and start_b < e for s, e in taken_b
        ):
            continue
        taken_a.append((start_a, end_a))
        taken_b.append((start_b, end_b))
        first_a, last_a = ta.spans[start_a][0], ta.spans[end_a - 1][1]
        first_b, last_b = tb.spans[start_b][0], tb.spans[end_b - 1][1]
        passages.append(
            SharedPassage(
                text_a=ta.text[first_a:last_a],
                text_b=tb.text[first_b:last_b],
                words=end_a - start_a,
                start_a=first_a,
                end_a=last_a,
                start_b=first_b,
                end_b=last_b,
                paragraph_a=ta.paragraph(first_a),
                paragraph_b=tb.paragraph(first_b),
            )
        )
        if len(passages) == limit:
            break
    return passages
