"""Marking passages of untrusted text: every piece is escaped first, then wrapped in <mark>."""

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


def mark_spans(text: str, spans: list[tuple[int, int, str]]) -> SafeString:
    """``text`` escaped, with each (start, end, label) span wrapped in a titled <mark>.
    Overlapping or out-of-range spans are skipped."""
    pieces: list[str] = []
    position = 0
    for start, end, label in sorted(spans):
        if start < position or end > len(text) or start >= end:
            continue
        pieces.append(escape(text[position:start]))
        pieces.append(
            format_html('<mark class="evidence" title="{}">{}</mark>', label, text[start:end])
        )
        position = end
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))


def evidence_spans(suggestions) -> dict[str, list[tuple[int, int, str]]]:
    """Spans per field ("title", "caption", "body") from the evidence of suggestions."""
    spans: dict[str, list[tuple[int, int, str]]] = {"title": [], "caption": [], "body": []}
    for suggestion in suggestions:
        for item in suggestion.evidence:
            if item.get("field") in spans:
                label = f"{item['name']}: evidence for {suggestion.region.name}"
                spans[item["field"]].append((item["start"], item["end"], label))
    return spans
