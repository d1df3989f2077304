"""What differs between two versions of a story: titles, captions and paragraphs side by side.

difflib aligns the two lists of lines (captions, paragraphs); lines that differ are paired up
when they are mostly the same text ("changed", with the words marked), otherwise they are lines
only one side has. Text from dumps is untrusted: every piece is escaped before it is wrapped in
``<ins>`` or ``<del>``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SAME, CHANGED, REMOVED, ADDED = "same", "changed", "removed", "added"
# Two differing lines count as one line changed when this much of their words match.
CHANGED_RATIO = 0.5
# Beyond this many tokens a changed line is shown whole on both sides, not word by word.
WORD_DIFF_LIMIT = 4000
# Runs of this many unchanged paragraphs or more are folded away.
FOLD_AT = 3

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Row:
    """One line of the comparison: the left (first article) and right (second article) sides,
    either of which may be missing."""

    kind: str
    left: SafeString | None
    right: SafeString | None

    @property
    def is_same(self) -> bool:
        return self.kind == SAME


@dataclass(frozen=True)
class Fold:
    """Unchanged lines folded into one row."""

    rows: list[Row]
    kind: str = "fold"

    @property
    def count(self) -> int:
        return len(self.rows)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def word_diff(a: str, b: str) -> tuple[SafeString, SafeString]:
    """``a`` with the words ``b`` lacks in ``<del>``, and ``b`` with its new words in
    ``<ins>``; both escaped."""
    ta, tb = _TOKEN.findall(a), _TOKEN.findall(b)
    if len(ta) + len(tb) > WORD_DIFF_LIMIT:
        return mark_safe(f"<del>{escape(a)}</del>"), mark_safe(f"<ins>{escape(b)}</ins>")
    left: list[str] = []
    right: list[str] = []
    for equal, old, new in _segments(ta, tb):
        if equal:
            left.append(escape(old))
            right.append(escape(new))
            continue
        if old:
            left.append(_wrap("del", old))
        if new:
            right.append(_wrap("ins", new))
    return mark_safe("".join(left)), mark_safe("".join(right))


def _segments(ta: list[str], tb: list[str]) -> list[tuple[bool, str, str]]:
    """``(equal, old text, new text)`` runs; a change, a space, then a change are one change
    ("<del>strike kills 5</del>", not three marks)."""
    segments: list[list] = []
    matcher = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = "".join(ta[i1:i2]), "".join(tb[j1:j2])
        equal = op == "equal"
        if segments and not equal and not segments[-1][0]:
            segments[-1][1] += old
            segments[-1][2] += new
            continue
        if (
            not equal
            and len(segments) >= 2
            and segments[-1][0]
            and not segments[-1][1].strip()
            and not segments[-2][0]
        ):
            space = segments.pop()
            segments[-1][1] += space[1] + old
            segments[-1][2] += space[2] + new
            continue
        segments.append([equal, old, new])
    return [(equal, old, new) for equal, old, new in segments]


def _wrap(tag: str, text: str) -> str:
    # Keep the spaces around a change outside the mark, so that only words are marked.
    stripped = text.strip()
    if not stripped:
        return escape(text)
    start = len(text) - len(text.lstrip())
    end = start + len(stripped)
    return f"{escape(text[:start])}<{tag}>{escape(stripped)}</{tag}>{escape(text[end:])}"


def _similar(a: str, b: str) -> bool:
    matcher = difflib.SequenceMatcher(None, _words(a), _words(b), autojunk=False)
    return matcher.quick_ratio() >= CHANGED_RATIO and matcher.ratio() >= CHANGED_RATIO


def diff_lines(a: Sequence[str], b: Sequence[str]) -> list[Row]:
    """Align two lists of lines (paragraphs, captions) into rows."""
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(
        None, [_squash(x) for x in a], [_squash(y) for y in b], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += [
                Row(SAME, escape(x), escape(y)) for x, y in zip(a[i1:i2], b[j1:j2], strict=True)
            ]
        elif op == "delete":
            rows += [Row(REMOVED, escape(x), None) for x in a[i1:i2]]
        elif op == "insert":
            rows += [Row(ADDED, None, escape(y)) for y in b[j1:j2]]
        else:
            rows += _pair_up(a[i1:i2], b[j1:j2])
    return rows


def _pair_up(a: Sequence[str], b: Sequence[str]) -> list[Row]:
    """Lines replaced by others: each line of ``a`` is paired, in order, with the first line of
    ``b`` still unpaired that is mostly the same text."""
    rows: list[Row] = []
    j = 0
    for x in a:
        match = next((k for k in range(j, len(b)) if _similar(x, b[k])), None)
        if match is None:
            rows.append(Row(REMOVED, escape(x), None))
            continue
        rows += [Row(ADDED, None, escape(y)) for y in b[j:match]]
        left, right = word_diff(x, b[match])
        rows.append(Row(CHANGED, left, right))
        j = match + 1
    rows += [Row(ADDED, None, escape(y)) for y in b[j:]]
    return rows


def diff_title(a: str, b: str) -> Row:
    if _squash(a) == _squash(b):
        return Row(SAME, escape(a), escape(b))
    left, right = word_diff(a, b)
    return Row(CHANGED, left, right)


def fold_unchanged(rows: list[Row], at: int = FOLD_AT) -> list[Row | Fold]:
    """Runs of ``at`` or more unchanged rows become one ``Fold``: the differences stand out."""
    out: list[Row | Fold] = []
    run: list[Row] = []
    for row in [*rows, None]:
        if row is not None and row.is_same:
            run.append(row)
            continue
        if len(run) >= at:
            out.append(Fold(run))
        else:
            out.extend(run)
        run = []
        if row is not None:
            out.append(row)
    return out


def summary(rows: Sequence[Row]) -> dict[str, int]:
    counts = {SAME: 0, CHANGED: 0, REMOVED: 0, ADDED: 0}
    for row in rows:
        counts[row.kind] += 1
    return counts
