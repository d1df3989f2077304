"""Pure functions around the near-duplicate engine (``articles.neardup``): no Django, so that
``find_duplicates`` can run them in worker processes."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

import numpy as np

from articles import neardup

PASSAGE_LIMIT = 5  # shared passages kept per pair
PASSAGE_CHARS = 400  # characters kept of each side of a passage

# (article id, title, body, hash of the text its stored keys were computed from, or None)
Item = tuple[int, str, str, int | None]
# (article id, hash of its text, its shingles, its band keys when they must be stored anew)
Result = tuple[int, int, np.ndarray, list[tuple[int, int]] | None]


@dataclass(frozen=True, slots=True)
class Sketch:
    """What is stored and compared of an article's text: its shingles, its band keys and a hash
    of the text they were computed from."""

    shingles: np.ndarray
    keys: list[tuple[int, int]]
    text_hash: int


def paragraphs_of(body: str) -> list[str]:
    return [p for p in body.split("\n\n") if p.strip()]


def text_of(title: str, body: str) -> str:
    return neardup.article_text(title, paragraphs_of(body))


def text_hash(text: str) -> int:
    """A signed 64-bit BLAKE2b of the compared text: it fits a bigint column."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def sketch_of(title: str, body: str) -> Sketch:
    text = text_of(title, body)
    shingles, keys = neardup.sketch(text)
    return Sketch(shingles, keys, text_hash(text))


def sketch_items(items: list[Item]) -> list[Result]:
    """Shingles of every article, and band keys for those whose stored keys are not of this
    text (a hash of ``None`` means none are stored, or of another engine version)."""
    results: list[Result] = []
    for pk, title, body, stored in items:
        text = text_of(title, body)
        digest = text_hash(text)
        if stored is not None and stored == digest:
            results.append((pk, digest, neardup.shingle_array(text), None))
        else:
            shingles, keys = neardup.sketch(text)
            results.append((pk, digest, shingles, keys))
    return results


def passages(a_title: str, a_body: str, b_title: str, b_body: str) -> list[dict]:
    """Why two articles make a pair: the longest passages they share (``neardup.SharedPassage``
    as a dict, each side shortened to ``PASSAGE_CHARS``); offsets count the title as line 0."""
    found = neardup.shared_passages(
        [a_title, *paragraphs_of(a_body)], [b_title, *paragraphs_of(b_body)], PASSAGE_LIMIT
    )
    out = []
    for passage in found:
        item = asdict(passage)
        for side in ("text_a", "text_b"):
            if len(item[side]) > PASSAGE_CHARS:
                item[side] = item[side][: PASSAGE_CHARS - 1].rstrip() + "…"
        out.append(item)
    return out


def explain_pairs(
    items: list[tuple[int, str, str, int, str, str, float]],
) -> list[tuple[int, int, float, list[dict]]]:
    """``(a, b, similarity, passages)`` for pairs given with both texts."""
    return [
        (a, b, round(score, 4), passages(a_title, a_body, b_title, b_body))
        for a, a_title, a_body, b, b_title, b_body, score in items
    ]
