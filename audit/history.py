"""An article's history of corrections, newest first: field changes made by editors
(``Correction``), region tags added and removed (``TagEvent``), merges and their undos
(``MergeRecord``), read side by side.

Values are returned as plain text in segments; the template escapes them (dump text is
untrusted). Long values are cut to the words around what changed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby

from django.db.models import Q
from django.utils.text import Truncator

from articles.models import Article
from audit.models import Correction

# Values longer than this, or with several lines, are shown as a compact diff.
SHORT_VALUE = 160
# Unchanged tokens (words, spaces, punctuation) kept on each side of a change.
CONTEXT_TOKENS = 12
# Beyond this many tokens, the two values are shown cut short instead of compared.
DIFF_TOKEN_LIMIT = 30_000
CUT_AT = 300
LIMIT = 200

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Segment:
    kind: str  # "same", "del", "ins" or "gap" (unchanged text left out)
    text: str = ""


@dataclass
class FieldChange:
    label: str
    before: list[Segment]
    after: list[Segment]


@dataclass
class HistoryEntry:
    at: datetime
    kind: str  # "correction", "tag", "merge", "undo"
    summary: str
    note: str = ""
    changes: list[FieldChange] = field(default_factory=list)
    url: str = ""


def article_history(article: Article, *, limit: int = LIMIT) -> list[HistoryEntry]:
    source_ids = list(article.source_links.values_list("source_id", flat=True).distinct())
    entries = [
        *_corrections(article, source_ids, limit),
        *_tag_events(article, limit),
        *_merges(article),
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def _corrections(article, source_ids, limit) -> list[HistoryEntry]:
    rows = list(
        Correction.objects.about_article(article, source_ids=source_ids)
        .select_related("user", "content_type")
        .newest_first()[: limit * 4]
    )
    entries = []
    # One entry per object saved: its fields share the moment, the editor and the action.
    key = lambda row: (row.at, row.user_id, row.content_type_id, row.object_id, row.action)  # noqa: E731
    for _key, group in groupby(rows, key=key):
        group = list(group)
        first = group[0]
        what = first.model_label
        if first.content_type.model != "article":
            what += f" “{Truncator(first.object_repr).chars(60)}”"
        action = first.get_action_display().lower()
        where = " in the admin" if first.via == "admin" else f" ({first.via})"
        by = f" by {first.user}" if first.user else ""
        entries.append(
            HistoryEntry(
                at=first.at,
                kind="correction",
                summary=f"{what[:1].upper()}{what[1:]} {action}{by}{where}",
                changes=[
                    FieldChange(row.field_label, *compact_diff(row.before, row.after))
                    for row in reversed(group)  # in the form's order
                ],
            )
        )
    return entries


def _tag_events(article, limit) -> list[HistoryEntry]:
    events = article.tag_events.select_related("region", "user")[:limit]
    return [
        HistoryEntry(
            at=event.at,
            kind="tag",
            summary=(
                f"{event.region.name} {event.get_action_display().lower()}"
                f"{f' by {event.user}' if event.user else ''}"
                f" ({event.get_method_display().lower()})"
            ),
            note=event.note,
        )
        for event in events
    ]


def _merges(article) -> list[HistoryEntry]:
    from duplicates.models import MergeRecord

    records = MergeRecord.objects.filter(Q(survivor=article) | Q(merged=article)).select_related(
        "survivor", "merged", "user", "undone_by"
    )
    entries = []
    for record in records:
        snap = record.snapshot or {}
        by = f" by {record.user}" if record.user else ""
        if record.survivor_id == article.pk:
            other = record.merged
            summary = f"#{other.pk} “{Truncator(other.title).chars(80)}” merged into this article"
            moved = _moved(snap, "moved in")
        else:
            other = record.survivor
            summary = f"Merged into #{other.pk} “{Truncator(other.title).chars(80)}”"
            moved = _moved(snap, "moved there")
        changes = []
        title_before = (snap.get("survivor") or {}).get("title")
        if record.survivor_id == article.pk and title_before and title_before != record.title_kept:
            changes.append(FieldChange("title", *compact_diff(title_before, record.title_kept)))
        url = record.get_absolute_url()
        entries.append(
            HistoryEntry(
                at=record.at,
                kind="merge",
                summary=f"{summary}{by}{moved}",
                note=record.reason,
                changes=changes,
                url=url,
            )
        )
        if record.undone_at:
            undone_by = f" by {record.undone_by}" if record.undone_by else ""
            entries.append(
                HistoryEntry(
                    at=record.undone_at,
                    kind="undo",
                    summary=(
                        f"Merge of #{record.merged_id} into #{record.survivor_id} undone"
                        f"{undone_by}: what it moved went back"
                    ),
                    note=record.undo_reason,
                    url=url,
                )
            )
    return entries


def _moved(snap: dict, where: str) -> str:
    counts = [
        (len((snap.get(key) or {}).get("moved", [])), one, many)
        for key, one, many in [
            ("captions", "caption", "captions"),
            ("sources", "source link", "source links"),
            ("region_tags", "region tag", "region tags"),
            ("occurrences", "occurrence", "occurrences"),
        ]
    ]
    parts = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
    return f"; {', '.join(parts)} {where}" if parts else ""


def compact_diff(before: str, after: str) -> tuple[list[Segment], list[Segment]]:
    """``before`` and ``after`` as segments: whole when short, otherwise the changed words with
    a few words of context on each side of every change."""
    if _is_short(before) and _is_short(after):
        return _whole(before), _whole(after)
    if not before or not after:
        return _cut(before, "del"), _cut(after, "ins")
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    if len(old) + len(new) > DIFF_TOKEN_LIMIT:
        return _cut(before, "del"), _cut(after, "ins")
    left: list[Segment] = []
    right: list[Segment] = []
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            same = _context(old[i1:i2], first=index == 0, last=index == len(opcodes) - 1)
            left += same
            right += same
            continue
        if i2 > i1:
            left.append(Segment("del", "".join(old[i1:i2])))
        if j2 > j1:
            right.append(Segment("ins", "".join(new[j1:j2])))
    return left, right


def _is_short(value: str) -> bool:
    return len(value) <= SHORT_VALUE and "\n" not in value


def _whole(value: str) -> list[Segment]:
    return [Segment("same", value)] if value else []


def _cut(value: str, kind: str) -> list[Segment]:
    if not value:
        return []
    if len(value) <= CUT_AT:
        return [Segment(kind, value)]
    return [Segment(kind, value[:CUT_AT].rstrip()), Segment("gap")]


def _context(tokens: list[str], *, first: bool, last: bool) -> list[Segment]:
    """An unchanged run: only its ends that touch a change are kept."""
    head = [] if first else tokens[:CONTEXT_TOKENS]
    tail = [] if last else tokens[-CONTEXT_TOKENS:]
    if len(tokens) <= len(head) + len(tail):
        return [Segment("same", "".join(tokens))]
    segments = []
    if head:
        segments.append(Segment("same", "".join(head)))
    segments.append(Segment("gap"))
    if tail:
        segments.append(Segment("same", "".join(tail)))
    return segments
