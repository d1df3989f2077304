"""A labelled set of article pairs for the near-duplicate engine (``articles.neardup``).

``articles/<name>.txt`` holds one article each, in a plain layout::

    Title
    Photo: caption with its credit          (none, one or several)

    First paragraph

    Second paragraph ...

``pairs.jsonl`` holds one pair a line: the two article names, whether they are duplicates, the
kind of pair, a note on what differs and ``share``, the fraction of the shorter text that the
other one also holds (:func:`word_share`). See ``README.md`` beside this file.

The originals ``lna``, ``unrwa`` and ``gaza-food`` are the real articles of the sample dumps;
every other article was written for this set (the events are plausible, not reported facts).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = HERE / "articles"
PAIRS = HERE / "pairs.jsonl"

# A shared run must be at least this many words to count: a passage, not a two- or three-word
# name or stock phrase ("Gaza City", "it did not", "in the south") that independent texts share.
MIN_RUN = 4
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Article:
    name: str
    title: str
    captions: tuple[str, ...]
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    duplicate: bool
    kind: str
    note: str
    share: float


def load_article(name: str) -> Article:
    text = (ARTICLES / f"{name}.txt").read_text(encoding="utf-8")
    chunks = [chunk.strip() for chunk in re.split(r"\n[ \t]*\n", text) if chunk.strip()]
    head = chunks[0].split("\n")
    captions = tuple(line.removeprefix("Photo: ").strip() for line in head[1:])
    return Article(name, head[0].strip(), captions, tuple(chunks[1:]))


def load_pairs() -> list[Pair]:
    with PAIRS.open(encoding="utf-8") as lines:
        return [Pair(**json.loads(line)) for line in lines if line.strip()]


def words(article: Article) -> list[str]:
    """Title and body (no captions) as casefolded words, punctuation dropped."""
    return _WORD.findall("\n".join((article.title, *article.paragraphs)).casefold())


def word_share(a: Article, b: Article) -> float:
    """The fraction of the shorter text's words that the other text holds in the same order.

    difflib's word-level matching blocks of at least :data:`MIN_RUN` words, over the words of the
    shorter text: an objective measure independent of the engine's shingles and hashes.
    """
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return 0.0
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    shared = sum(block.size for block in matcher.get_matching_blocks() if block.size >= MIN_RUN)
    return shared / min(len(wa), len(wb))
