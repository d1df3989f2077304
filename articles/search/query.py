"""The search query syntax: one syntax for every database, parsed here in pure Python.

What an editor can type in the search box:

- ``Haftar Russia``: every word must match (AND), in the title, the captions or the body.
- ``"air base"``: an exact phrase, the words next to each other in this order.
- ``Libya OR Sudan``: either word. ``OR`` is an operator only in capitals and between two words
  or phrases (``Haftar Libya OR Sudan``: Haftar, and Libya or Sudan); a lower-case "or" is a
  common word, not an operator.
- ``Gaza -Rafah``, ``Gaza -"Rafah crossing"``: exclude articles with that word or phrase.
- ``Tripol*``: words that start with "Tripol" (Tripoli, Tripolitania). At least two letters
  before the ``*``.

Matching ignores case and accents (``Turkiye`` finds "Türkiye" and the other way round), treats
curly and straight apostrophes and quotes alike (``Haftar’s`` finds "Haftar's"; a possessive
finds the word itself), and matches other forms of the same English word (``negotiations``
finds "negotiate" and "negotiating").
Common English words ("the", "of", "and", "or"...) are left out of searches, except inside a
quoted phrase. Punctuation between words separates them; a word with an apostrophe, a hyphen
or a dot inside it ("Haftar's", "al-Sharaa", "U.S.") is matched as written.

Results are ranked: an article whose title matches comes before one where only a caption
matches, which comes before one where only the body matches; then newest first.

A search never fails on bad input: a missing closing quote makes the phrase run to the end, a
query longer than 500 characters is cut, control characters are dropped, a stray ``OR``, ``-``
or ``*`` is ignored, each with a warning saying so. A search of only excluded words, or only
common words or punctuation, finds nothing and says why.

:func:`parse_query` turns text into a :class:`SearchQuery`; the backends in
``articles.search.backends`` turn that into each database's own query language, quoting every
word, so nothing the editor types reaches the database as syntax.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_LENGTH = 500
MAX_TERMS = 32
MIN_PREFIX_LETTERS = 2

# PostgreSQL's "english" stop-word list (Snowball), which the newsroom_english configuration
# drops from documents and queries; SQLite's FTS5 keeps every word, so leaving these out of the
# query here makes both databases answer alike.
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against between
    into through during before after above below to from up down in out on off over under again
    further then once here there when where why how all any both each few more most other some
    such no nor not only own same so than too very s t can will just don should now
    """.split()  # noqa: SIM905
)

_QUOTES = '"“”„‟«»＂'
_APOSTROPHES = "’‘‛ʼ′`´＇"
_HYPHENS = "‐‑−－"
_STARS = "＊∗"
_TRANSLATION = {
    **{ord(c): '"' for c in _QUOTES},
    **{ord(c): "'" for c in _APOSTROPHES},
    **{ord(c): "-" for c in _HYPHENS},
    **{ord(c): "*" for c in _STARS},
}
# Inside a word, between two letters or digits: Haftar's, al-Sharaa, U.S, 3.5.
_CONNECTORS = "'-."
_SUB_TOKEN = re.compile(r"[^\W_]+")
_POSSESSIVE = re.compile(r"(?<=\w\w)'s$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Term:
    """One word, or the words of a quoted phrase, lower-cased as typed (not stemmed)."""

    words: tuple[str, ...]
    prefix: bool = False
    negated: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    def __str__(self) -> str:
        text = " ".join(self.words)
        text = f'"{text}"' if self.is_phrase else text
        return f"{'-' if self.negated else ''}{text}{'*' if self.prefix else ''}"


@dataclass(frozen=True)
class SearchQuery:
    """A parsed search: an AND of OR-groups of terms, minus the excluded terms."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()
    warnings: tuple[str, ...] = ()
    text: str = ""

    @property
    def is_empty(self) -> bool:
        """Nothing positive to search for: such a search matches no article."""
        return not self.groups

    @property
    def terms(self) -> tuple[Term, ...]:
        """The positive terms, in order."""
        return tuple(term for group in self.groups for term in group)

    def highlight_words(self) -> set[str]:
        """The words (and prefixes) worth marking in a text, lower-cased, common words left out."""
        words = set()
        for term in self.terms:
            for word in term.words:
                words.update(t for t in _SUB_TOKEN.findall(word) if t not in STOP_WORDS)
        return words

    def __str__(self) -> str:
        parts = [" OR ".join(str(term) for term in group) for group in self.groups]
        return " ".join(parts + [str(term) for term in self.excluded])


def parse_query(text: str) -> SearchQuery:
    """Parse what an editor typed. Never raises: whatever cannot be used is left out, and the
    warnings say what and why."""
    return _Parser(text).parse()


# --- Parsing ---------------------------------------------------------------------------------


def _is_word_char(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char) in ("Mn", "Mc")


def _quoted(text: str) -> str:
    return f"“{text}”"


def _clean(text: str) -> tuple[str, bool]:
    """NFC, quotes/apostrophes/dashes made plain, control characters dropped, single spaces;
    cut to MAX_LENGTH. Returns the text and whether it was cut."""
    # Only the first few MAX_LENGTHs can survive the cut: never clean megabytes.
    cut = len(text) > 4 * MAX_LENGTH
    text = unicodedata.normalize("NFC", text[: 4 * MAX_LENGTH]).translate(_TRANSLATION)
    chars = []
    for char in text:
        if char.isspace():
            chars.append(" ")
        elif unicodedata.category(char) not in ("Cc", "Cf", "Cs"):
            chars.append(char)
    text = _SPACES.sub(" ", "".join(chars)).strip()
    if len(text) > MAX_LENGTH:
        cut = True
        # End on a whole word when a space is close to the limit.
        space = text.rfind(" ", MAX_LENGTH - 50, MAX_LENGTH + 1)
        text = text[: space if space > 0 else MAX_LENGTH].rstrip()
    return text, cut


@dataclass
class _Token:
    kind: str  # "term" or "or"
    term: Term | None = None


class _Parser:
    def __init__(self, text) -> None:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        self.raw = text
        self.warnings: list[str] = []
        self.stop_words_left_out: list[str] = []

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    # The scanner: characters to tokens.

    def _read_word(self, text: str, start: int) -> int:
        """The end of the word that starts at ``start`` (a word character)."""
        end, length = start, len(text)
        while end < length:
            char = text[end]
            if _is_word_char(char) or (
                char in _CONNECTORS
                and end > start
                and end + 1 < length
                and _is_word_char(text[end + 1])
            ):
                end += 1
            else:
                break
        return end

    def _phrase_words(self, content: str) -> list[str]:
        words, position = [], 0
        while position < len(content):
            if _is_word_char(content[position]):
                end = self._read_word(content, position)
                words.append(content[position:end])
                position = end
            else:
                position += 1
        return words

    def _scan(self, text: str) -> list[_Token]:
        tokens: list[_Token] = []
        position, length = 0, len(text)
        while position < length:
            char = text[position]
            negated = False
            if char == "-":
                end = position
                while end < length and text[end] == "-":
                    end += 1
                if end < length and (text[end] == '"' or _is_word_char(text[end])):
                    if end - position > 1:
                        self.warn(
                            f"{_quoted(text[position:end])} was read as one “-”: the word or "
                            "phrase after it is excluded."
                        )
                    negated, position, char = True, end, text[end]
                else:
                    self.warn(
                        "A “-” excludes the word or phrase written right after it (-Rafah); "
                        "a “-” with nothing after it was ignored."
                    )
                    position = end
                    continue
            if char == '"':
                close = text.find('"', position + 1)
                if close < 0:
                    self.warn(
                        "A quoted phrase had no closing quote, so it was read to the end of "
                        "the search."
                    )
                    close = length
                content = text[position + 1 : close]
                position = close + 1
                words = self._phrase_words(content)
                if not words:
                    if content.strip():
                        self.warn(f"The quoted phrase {_quoted(content.strip())} has no words.")
                    continue
                term = Term(tuple(word.lower() for word in words), negated=negated)
                tokens.append(_Token("term", term))
            elif _is_word_char(char):
                end = self._read_word(text, position)
                word = text[position:end]
                prefix = False
                if end < length and text[end] == "*":
                    prefix = True
                    while end < length and text[end] == "*":
                        end += 1
                position = end
                if word == "OR" and not prefix and not negated:
                    tokens.append(_Token("or"))
                    continue
                if prefix and sum(c.isalnum() for c in word) < MIN_PREFIX_LETTERS:
                    self.warn(
                        f"{_quoted(word + '*')} was left out: a “*” needs at least "
                        f"{MIN_PREFIX_LETTERS} letters before it (Tripol*)."
                    )
                    continue
                if not prefix:
                    # A possessive is the word itself (PostgreSQL drops the "s" as a common word).
                    word = _POSSESSIVE.sub("", word)
                tokens.append(_Token("term", Term((word.lower(),), prefix=prefix, negated=negated)))
            elif char == "*":
                while position < length and text[position] == "*":
                    position += 1
                self.warn(
                    "A “*” finds words that start with the letters right before it (Tripol*); "
                    "a “*” on its own was ignored."
                )
            else:
                position += 1  # a space or punctuation: separates words
        return tokens

    # Terms to groups.

    def _keep(self, term: Term) -> bool:
        tokens = [t for word in term.words for t in _SUB_TOKEN.findall(word)]
        if tokens and not all(t in STOP_WORDS for t in tokens):
            return True
        if tokens:
            self.stop_words_left_out.append(str(Term(term.words, term.prefix)))
        return False

    def parse(self) -> SearchQuery:
        text, cut = _clean(self.raw)
        if cut:
            self.warn(
                f"The search was longer than {MAX_LENGTH} characters: only its first "
                f"{MAX_LENGTH} were used."
            )
        tokens = self._scan(text)

        groups: list[list[Term]] = []
        excluded: list[Term] = []
        previous = None  # the last token read: "positive", "negative" or "or"
        stray_or = False
        for token in tokens:
            if token.kind == "or":
                stray_or = stray_or or previous != "positive"
                previous = "or" if previous == "positive" else None
                continue
            term = token.term
            if term.negated:
                stray_or = stray_or or previous == "or"
                if self._keep(term) and term not in excluded:
                    excluded.append(term)
                previous = "negative"
                continue
            if previous != "or":
                groups.append([])
            # A common word left out of an OR leaves the other side: "the OR Gaza" is Gaza.
            if self._keep(term) and term not in groups[-1]:
                groups[-1].append(term)
            previous = "positive"
        stray_or = stray_or or previous == "or"
        if stray_or:
            self.warn(
                "“OR” finds either of the words or phrases on each side of it (Libya OR "
                "Sudan); an “OR” without a word on each side was ignored."
            )

        unique_groups: list[tuple[Term, ...]] = []
        for group in groups:
            if group and tuple(group) not in unique_groups:
                unique_groups.append(tuple(group))
        if sum(len(g) for g in unique_groups) + len(excluded) > MAX_TERMS:
            unique_groups, excluded = self._limit(unique_groups, excluded)

        if self.stop_words_left_out:
            left_out = ", ".join(_quoted(w) for w in dict.fromkeys(self.stop_words_left_out))
            hint = ""
            if "or" in self.stop_words_left_out:
                hint = " (“OR” in capitals finds either word)"
            self.warn(f"Common words are not searched for: {left_out} left out{hint}.")
        if not unique_groups and text:
            if excluded:
                self.warn(
                    "Excluded words alone match nothing: add at least one word to search for."
                )
            elif self.stop_words_left_out:
                self.warn("Only common words were given: add a more specific word to search for.")
            else:
                self.warn("There is nothing to search for: type at least one word.")
        return SearchQuery(
            groups=tuple(unique_groups),
            excluded=tuple(excluded),
            warnings=tuple(self.warnings),
            text=text,
        )

    def _limit(self, groups, excluded):
        budget = MAX_TERMS
        kept_groups = []
        for group in groups:
            if budget <= 0:
                break
            kept_groups.append(group[:budget])
            budget -= len(kept_groups[-1])
        kept_excluded = excluded[: max(budget, 0)]
        self.warn(f"Only the first {MAX_TERMS} words or phrases of the search were used.")
        return kept_groups, kept_excluded
