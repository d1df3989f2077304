"""Region suggestions: which regions of the vocabulary an article is about, how sure, and why.

Pure Python, no Django. The importer and the pages build a :class:`Gazetteer` from the database's
region -> place names mapping (:meth:`Gazetteer.from_mapping`, cached per distinct mapping) and
call :meth:`Gazetteer.suggest`. Suggestions are shown to editors; they never become tags alone.

Matching
    Names match on word boundaries regardless of case, accents and apostrophes ("Sana'a",
    "Sana\u2019a", "SANA'A"; "T\u00fcrkiye", "Turkiye"; a name written with an apostrophe also
    matches without it, "Sanaa"). Names written in capitals (LNA, IDF, RSF, UAE) match only in
    capitals; names that are also English words ("Turkey", "Tyre", "Mecca": the
    :data:`~articles.gazetteer.CAPITALIZED` table) only capitalized. The words of a name may be
    separated by any one non-letter ("Deir al-Balah", "Deir al Balah"), not by a line break.
    Overlapping names: the leftmost, then the longest wins, so "Gaza City" is one match and "West
    Bank" never counts for anything else; :data:`~articles.gazetteer.EXCLUSIONS` ("Gaza
    Humanitarian Foundation", "Mount Sinai") and :data:`~articles.gazetteer.PEOPLE` ("Jim
    Jordan") swallow the names inside them and count for nothing. One sense per article: a name
    that is also a given name or surname (:data:`~articles.gazetteer.ALSO_PERSON`) and is used for
    a person anywhere ("Rep. Jordan", "said Jim Jordan", "Tyre Nichols", or a person from PEOPLE)
    counts nowhere in that article; so does a name used for an American place ("Lebanon,
    Pennsylvania", "Lebanon County").

Scoring (constants below; chosen on the tuning part of ``tests/regions_labelled/``)
    Each match weighs field x kind. Field: title 3, caption 1.5, body 1, the lead paragraph 1.5.
    Kind: place names 1, country names 0.8 (often the actor: "Israel said"), people, armed groups
    and institutions 0.5, demonyms ("Libyan", "Israeli strikes") 0.3. A title mention that no
    caption or body mention of the region confirms counts as a body mention. Repeats of one name
    fade, each counting half the one before, so distinct names count more than one name repeated.
    A region's evidence ``e`` is the sum over its names. A name of several regions (Tripoli:
    Libya and Lebanon) is shared out in proportion to what the rest of the article gives each
    (plus 0.25 each), so Tripoli with Benghazi goes to Libya, with Beirut to Lebanon, and alone
    half to each; a region with no evidence but shared names scores at most 0.3. Then::

        score = (1 - exp(-e / 2.5)) * min(1, e / (0.5 * top))

    where ``top`` is the evidence of the article's strongest region. The first factor grows with
    the evidence (a single body mention: 0.33; a title mention confirmed in the body: about 0.8);
    the second keeps a region with less than half the evidence of the strongest one down, so a
    passing mention in a story about elsewhere (Egypt once in the 9th paragraph of a Sudan
    story) stays well below :data:`DEFAULT_THRESHOLD`, 0.6: the middle of the gap between the
    weakest right and the strongest wrong suggestion on the tuning set (0.77 and 0.44).

Speed
    The fields are scanned once, together, with no regular expression over the text: folded in C
    to lowercase ASCII bytes, one per character (``str.encode`` and ``bytes.translate``, so
    offsets stay those of the text), split into words, filtered against the set of words names
    are looked up by, and each word found located with ``bytes.find`` from the one before.
    Longer names are looked up from a distinctive word of theirs, not from "al" or "government".
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from articles import gazetteer

__all__ = [
    "DEFAULT_THRESHOLD",
    "Evidence",
    "Gazetteer",
    "Suggestion",
    "default_gazetteer",
]

TITLE, CAPTION, BODY = "title", "caption", "body"

#: Suggestions scoring below this are not shown by default.
DEFAULT_THRESHOLD: float = 0.6

FIELD_WEIGHT = {TITLE: 3.0, CAPTION: 1.5, BODY: 1.0}
LEAD_WEIGHT = 1.5  # the first body paragraph
PLACE, COUNTRY, ACTOR, DEMONYM, EXCLUDED = "place", "country", "actor", "demonym", "excluded"
KIND_WEIGHT = {PLACE: 1.0, COUNTRY: 0.8, ACTOR: 0.5, DEMONYM: 0.3, EXCLUDED: 0.0}
REPEAT_FADE = 0.5  # the n-th mention of one name counts REPEAT_FADE ** (n - 1)
SHARED_PRIOR = 0.25  # evidence every candidate of a shared name starts with
SHARED_ONLY_CAP = 0.3  # best score of a region supported by shared names only
SATURATION = 2.5  # evidence at which the first factor reaches 1 - 1/e
RELATIVE = 0.5  # share of the strongest region's evidence needed to escape the second factor


@dataclass(frozen=True, slots=True)
class Evidence:
    """One match of a gazetteer name in one field of an article.

    ``start``/``end`` are offsets in that field's text: the title; the captions joined with
    "\\n"; the body paragraphs joined with "\\n\\n".
    """

    name: str
    field: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Suggestion:
    region: str
    score: float
    evidence: tuple[Evidence, ...]

    def counts(self) -> dict[str, int]:
        """How often each name matched, in order of first appearance."""
        counts: dict[str, int] = {}
        for item in self.evidence:
            counts[item.name] = counts.get(item.name, 0) + 1
        return counts


# ---------------------------------------------------------------------------------------------
# Folding text to lowercase ASCII bytes, one byte per character

# Word bytes are 0-9 and a-z; every other byte becomes a space, so that in the folded text every
# word, the first and the last included, has a space on each side.
_TABLE = bytes(
    c if 48 <= c <= 57 or 97 <= c <= 122 else c + 32 if 65 <= c <= 90 else 32 for c in range(256)
)
_APOSTROPHES = "'\u2018\u2019\u02bc\u02bb`\u00b4\u2032"
_SPECIAL = {
    "\u0131": "i",
    "\u00df": "s",
    "\u00f8": "o",
    "\u00d8": "o",
    "\u0142": "l",
    "\u0141": "l",
}
_fold_bytes: dict[str, int] = {}


def _fold_char(char: str) -> int:
    """The byte a non-ASCII character folds to: its base letter, 48 for other letters and
    digits (word characters that never start a name), else a space."""
    byte = _fold_bytes.get(char)
    if byte is None:
        base = _SPECIAL.get(char) or unicodedata.normalize("NFKD", char)[:1]
        if base.isascii() and base.isalpha():
            byte = ord(base.lower())
        elif char.isalnum():
            byte = 48
        else:
            byte = 32
        if len(_fold_bytes) < 4096:
            _fold_bytes[char] = byte
    return byte


def _fold(text: str) -> bytes:
    """``text`` as lowercase ASCII bytes, one per character, between two spaces: the character
    at ``i`` is at ``i + 1``."""
    raw = text.encode("ascii", "replace")
    if b"?" in raw:
        buffer = bytearray(raw)
        i = raw.find(b"?")
        while i >= 0:
            char = text[i]
            if char != "?":
                buffer[i] = _fold_char(char)
            i = raw.find(b"?", i + 1)
        raw = bytes(buffer)
    return b" " + raw.translate(_TABLE) + b" "


def _needles(name: str) -> set[bytes]:
    """How ``name`` reads in folded text: its words separated by single spaces; a name with an
    apostrophe also without it ("Sana'a": "sana a", "sanaa")."""
    found = set()
    for variant in {name, "".join(c for c in name if c not in _APOSTROPHES)}:
        words = _fold(variant).split()
        if words:
            found.add(b" ".join(words))
    return found


def _key(name: str) -> bytes:
    """What identifies a name: "Sana'a", its curly-apostrophe spelling and "sanaa" are one."""
    return b" ".join(_fold("".join(c for c in name if c not in _APOSTROPHES)).split())


# ---------------------------------------------------------------------------------------------
# Context rules


# A name used for a person: a title ("Rep.", "Mr.") right before it, or in captions and body a
# capitalized word right before it in mid-sentence ("said Jim Jordan") or right after it ("Tyre
# Nichols"). Titles capitalize every word, so only the first test holds there.
# fmt: off
_HONORIFICS = frozenset({
    "Mr", "Mrs", "Ms", "Dr", "Rep", "Sen", "Gov", "Gen", "Coach", "Rev", "Sir",
})
_NOT_GIVEN_NAMES = frozenset({
    "King", "Queen", "Emir", "Crown", "Prince", "Princess", "Sultan", "Kingdom", "Hashemite",
    "Northern", "Southern", "Eastern", "Western", "Central", "North", "South", "East", "West",
    "Upper", "Lower", "Greater", "Occupied", "Neighboring", "Neighbouring", "Israeli", "Syrian",
    "Iraqi", "Saudi", "Egyptian", "Lebanese", "Palestinian", "Arab", "Gulf", "Red", "Dead",
    "Mediterranean", "The", "In", "From", "To", "Of", "And", "For", "With", "At", "On", "By",
    "Into", "Across", "Via", "Including", "Both", "While",
})
_NOT_SURNAMES = frozenset({
    "Times", "News", "Valley", "River", "Rift", "Armed", "Airlines", "Airways", "Army", "Radio",
    "Television", "Government", "Kingdom", "Ministry", "Foreign", "Says", "Said",
})
# fmt: on
_CAPITALIZED_WORD = re.compile(r"[A-Z][a-z]+")
_PERSON_AFTER = re.compile(r"[^\S\n]+(?P<word>[A-Z][a-z]+)\b")
_SENTENCE_END = tuple('.!?:"\u201c\u201d')
_QUOTES = "\"'\u201c\u201d\u2018\u2019(["
_US_STATES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Hawaii|"
    "Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|"
    "Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|"
    "New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|"
    "Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|"
    "West Virginia|Wisconsin|Wyoming|Ala|Ariz|Ark|Calif|Colo|Conn|Fla|Ill|Ind|Kan|Ky|La|Md|"
    "Mass|Mich|Minn|Miss|Mo|Mont|Neb|Nev|N\\.H|N\\.J|N\\.M|N\\.Y|N\\.C|Okla|Ore|Pa|Tenn|Va|"
    "Vt|Wash|Wis|Wyo"
)
_US_PLACE = re.compile(rf"(?:,[^\S\n]*(?:{_US_STATES})\b|[^\S\n]+(?:County|Township)\b)")
# The last word of each state and abbreviation, folded: the rule runs only if one is present.
_US_WORDS = frozenset(
    word.split()[-1].replace("\\.", " ").split()[-1].lower().encode()
    for word in [*_US_STATES.split("|"), "county", "township"]
)


def _used_for_person(text: str, start: int, end: int, in_title: bool) -> bool:
    window = text[max(0, start - 60) : start]
    words = window.split() if window[-1:] in (" ", "\xa0") else []
    if words and words[-1].strip(_QUOTES).rstrip(".") in _HONORIFICS:
        return True
    if in_title:
        return False
    if (
        len(words) >= 2
        and _CAPITALIZED_WORD.fullmatch(words[-1])
        and words[-1] not in _NOT_GIVEN_NAMES
        and (
            not words[-2].endswith(_SENTENCE_END)
            or words[-2].strip(_QUOTES).rstrip(".") in _HONORIFICS
        )
    ):
        return True
    after = _PERSON_AFTER.match(text, end)
    return bool(after and after["word"] not in _NOT_SURNAMES)


# ---------------------------------------------------------------------------------------------
# The gazetteer

_ANY_CASE, _CAPITALIZED, _CAPITALS = 0, 1, 2
_PERSON_RULE, _US_RULE = 1, 2  # context rules to apply, as flags
# Words too common in news to look a longer name up from (see _build).
_COMMON_WORDS = frozenset(
    b"""al el ibn bin bint abu ben ras port north south east west northern southern eastern
    western upper lower central united arab government national islamic presidential
    palestinian king kingdom queen mount river dead new old gulf red the of and city strip forces
    force army party council front support popular guard guards corps defense defence regional
    region republic sheikh prince crown emir sultan president minister hospital airport base camp
    street square said allah ii mohammed mohamed muhammad ahmed ahmad abdullah abdel abdul khalid
    faisal hassan hussein ali omar""".split()
)


@dataclass(frozen=True, slots=True, eq=False)  # identity: one object per name
class _Name:
    name: str  # as first listed, shown as evidence
    regions: tuple[str, ...]  # none: an exclusion or a person
    kind: str
    case: int
    person: bool = False  # may also be a person's name
    hides: tuple[_Name, ...] = ()  # a person's name: the names inside it mean the person
    weight: float = field(init=False)
    shared: bool = field(init=False)
    check: bool = field(init=False)  # a context rule applies

    def __post_init__(self) -> None:
        object.__setattr__(self, "weight", KIND_WEIGHT[self.kind])
        object.__setattr__(self, "shared", len(self.regions) > 1)
        object.__setattr__(self, "check", self.person or bool(self.hides))


# anchor word -> (the word between spaces, the one-word name or None, the longer names anchored
# on it as (name between spaces, name, where the word starts in it), longest first)
_Entry = tuple[bytes, "_Name | None", tuple[tuple[bytes, _Name, int], ...]]


class Gazetteer:
    """Region names compiled for matching; build with :meth:`from_mapping` or
    :func:`default_gazetteer`, then call :meth:`suggest` for each article."""

    __slots__ = ("_plain", "_wanted", "_words", "regions")

    def __init__(self, words: Mapping[bytes, _Entry], regions: Sequence[str]) -> None:
        self._words = dict(words)
        # The words to look for: those names are looked up by, and those that turn on the rule
        # for American places (so that one pass over the text finds both).
        self._wanted = frozenset(self._words) | _US_WORDS
        # Words that are one name on their own and anchor no longer one, matched in any case
        # and with no context rule: the word between spaces, its length less the spaces, the
        # name.
        self._plain = {
            word: (spaced, len(spaced) - 2, single)
            for word, (spaced, single, longer) in self._words.items()
            if single is not None
            and not longer
            and single.case == _ANY_CASE
            and not single.check
            and word not in _US_WORDS
        }
        self.regions: tuple[str, ...] = tuple(regions)

    @classmethod
    def from_mapping(cls, place_names: Mapping[str, Iterable[str]]) -> Gazetteer:
        """A gazetteer from region -> names (the region's own name counts as one of them),
        qualified by the tables of :mod:`articles.gazetteer`. Built once per distinct mapping."""
        frozen = tuple(
            (str(region), tuple(str(name) for name in names))
            for region, names in place_names.items()
        )
        return _build(frozen)

    def suggest(
        self,
        *,
        title: str,
        captions: Sequence[str],
        body: str,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> list[Suggestion]:
        """The regions the article is about, best first, each with its score (0..1) and every
        match supporting it; only those scoring at least ``threshold``."""
        caption_text = "\n".join(captions)
        caption_start = len(title) + 1
        body_start = caption_start + len(caption_text) + 1
        text = f"{title}\n{caption_text}\n{body}"
        matches, check = self._scan(text)
        if not matches:
            return []

        # Context rules: one sense per article for a name used for a person or a US place.
        dropped: set[_Name] = set()
        if check:
            us_places = check & _US_RULE
            for start, end, name in matches:
                if name.check:
                    dropped.update(name.hides)
                    if name.person and _used_for_person(text, start, end, start < caption_start):
                        dropped.add(name)
                if us_places and _US_PLACE.match(text, end):
                    dropped.add(name)

        # Weigh every match: name -> weights, and where each match is.
        lead_end = body.find("\n\n")
        lead_end = body_start + (len(body) if lead_end < 0 else lead_end)
        title_weight, caption_weight = FIELD_WEIGHT[TITLE], FIELD_WEIGHT[CAPTION]
        body_weight, lead_weight = FIELD_WEIGHT[BODY], LEAD_WEIGHT
        weights: dict[_Name, list[float]] = {}
        hits: list[tuple[_Name, str, int, int]] = []
        append = hits.append
        titled = 0  # matches in the title
        for start, end, name in matches:
            if not name.regions or (dropped and name in dropped):
                continue
            if start >= body_start:
                weight = lead_weight if start < lead_end else body_weight
                append((name, BODY, start - body_start, end - body_start))
            elif start >= caption_start:
                weight = caption_weight
                append((name, CAPTION, start - caption_start, end - caption_start))
            else:
                weight = title_weight
                append((name, TITLE, start, end))
                titled += 1
            found = weights.get(name)
            if found is None:
                weights[name] = [weight * name.weight]
            else:
                found.append(weight * name.weight)
        if not hits:
            return []
        if titled:
            # A title mention no caption or body mention of the region confirms counts as a
            # body mention.
            confirmed = {region for name, *_ in hits[titled:] for region in name.regions}
            in_title: dict[_Name, int] = {}
            for name, *_ in hits[:titled]:
                in_title[name] = in_title.get(name, 0) + 1
            for name, count in in_title.items():
                if confirmed.isdisjoint(name.regions):
                    found = weights[name]
                    found.sort(reverse=True)
                    found[:count] = [w * body_weight / title_weight for w in found[:count]]

        evidence: dict[str, float] = {}
        for name, found in weights.items():
            if not name.shared:
                region = name.regions[0]
                evidence[region] = evidence.get(region, 0.0) + _fade(found)
        total = dict(evidence)
        for name, found in weights.items():
            if name.shared:
                support = [evidence.get(region, 0.0) + SHARED_PRIOR for region in name.regions]
                value = _fade(found) / sum(support)
                for region, part in zip(name.regions, support, strict=True):
                    total[region] = total.get(region, 0.0) + value * part

        top = max(total.values())
        suggestions = []
        for region, value in total.items():
            score = (1.0 - math.exp(-value / SATURATION)) * min(1.0, value / (RELATIVE * top))
            if region not in evidence:
                score = min(score, SHARED_ONLY_CAP)
            score = round(score, 3)
            if score >= threshold and score > 0:
                items = tuple(
                    Evidence(name.name, where, start, end)
                    for name, where, start, end in hits
                    if region in name.regions
                )
                suggestions.append(Suggestion(region, score, items))
        suggestions.sort(key=lambda suggestion: (-suggestion.score, suggestion.region))
        return suggestions

    def _scan(self, text: str) -> tuple[list[tuple[int, int, _Name]], int]:
        """Every name in ``text`` as (start, end, name), the longest where they overlap, in text
        order; and which context rules may apply (:data:`_PERSON_RULE`, :data:`_US_RULE`)."""
        folded = _fold(text)
        words = folded.split()
        # Which words may start a name, found in C; then where each is, searching on from the
        # one before: no name-starting word lies between two of them.
        hits = list(filter(self._wanted.__contains__, words))
        found: list[tuple[int, int, _Name]] = []
        check = 0
        if not hits:
            return found, check
        find = folded.find
        plain = self._plain.get
        lookup = self._words.get
        longest = False  # whether a longer name matched: names may overlap
        i = 0
        for word in hits:
            # folded[i] is the space before the word, text[i] its first character.
            simple = plain(word)
            if simple is not None:
                i = find(simple[0], i)
                found.append((i, i + simple[1], simple[2]))
                i += 1
                continue
            if word in _US_WORDS:  # a word of an American place ("Pennsylvania", "County")
                check |= _US_RULE
            entry = lookup(word)
            if entry is None:
                continue
            spaced, single, longer = entry
            i = find(spaced, i)
            for needle, name, offset in longer:
                start = i - offset
                if start >= 0 and folded.startswith(needle, start):
                    end = start + len(needle) - 2
                    if "\n" not in text[start:end] and (
                        name.case == _ANY_CASE or _case_fits(text, start, end, name)
                    ):
                        found.append((start, end, name))
                        longest = True
                        if name.check:
                            check |= _PERSON_RULE
                        break
            else:
                if single is not None:
                    end = i + len(spaced) - 2
                    if single.case == _ANY_CASE or _case_fits(text, i, end, single):
                        found.append((i, end, single))
                        if single.check:
                            check |= _PERSON_RULE
            i += 1
        if longest:  # leftmost first, then longest; drop what overlaps a kept name
            found.sort(key=_leftmost_longest)
            kept = []
            last_end = -1
            for match in found:
                if match[0] >= last_end:
                    kept.append(match)
                    last_end = match[1]
            found = kept
        return found, check


def _leftmost_longest(match: tuple[int, int, _Name]) -> tuple[int, int]:
    return match[0], -match[1]


def _case_fits(text: str, start: int, end: int, name: _Name) -> bool:
    if name.case == _CAPITALS:
        return text[start:end].isupper()
    return text[start].isupper()


def _fade(weights: list[float]) -> float:
    """Repeated mentions of one name: the strongest counts fully, each next one half as much."""
    if len(weights) == 1:
        return weights[0]
    total = 0.0
    factor = 1.0
    for weight in sorted(weights, reverse=True):
        total += weight * factor
        factor *= REPEAT_FADE
    return total


@lru_cache(maxsize=8)
def _build(mapping: tuple[tuple[str, tuple[str, ...]], ...]) -> Gazetteer:
    kinds: dict[bytes, str] = {}
    for table, kind in (
        (gazetteer.COUNTRIES, COUNTRY),
        (gazetteer.ACTORS, ACTOR),
        (gazetteer.DEMONYMS, DEMONYM),
    ):
        kinds.update((_key(name), kind) for name in table)
    capitalized = {_key(name) for name in gazetteer.CAPITALIZED}
    person = {_key(name) for name in gazetteer.ALSO_PERSON}

    # key -> [shown name, regions, case, needles]
    entries: dict[bytes, list] = {}
    for region, names in mapping:
        for raw in (region, *names):
            name = " ".join(raw.split())
            key = _key(name)
            if not key:
                continue
            letters = [c for c in name if c.isalpha()]
            if len(letters) >= 2 and all(c.isupper() for c in letters):
                case = _CAPITALS
            elif key in capitalized:
                case = _CAPITALIZED
            else:
                case = _ANY_CASE
            entry = entries.setdefault(key, [name, [], case, set()])
            if region not in entry[1]:
                entry[1].append(region)
            entry[2] = min(entry[2], case)
            entry[3] |= _needles(name)
    for phrase in gazetteer.EXCLUSIONS:
        key = _key(phrase)
        if key and key not in entries:
            entries[key] = [phrase, [], _ANY_CASE, _needles(phrase)]

    needles: list[tuple[bytes, _Name]] = []  # every needle, as it reads in folded text
    for key, (name, regions, case, found) in entries.items():
        kind = kinds.get(key, PLACE) if regions else EXCLUDED
        item = _Name(name, tuple(regions), kind, case, key in person)
        needles.extend((b" " + needle + b" ", item) for needle in found)
    for phrase in gazetteer.PEOPLE:
        key = _key(phrase)
        if key and key not in entries:
            found = {b" " + needle + b" " for needle in _needles(phrase)}
            hides = {item for needle, item in needles if any(needle in whole for whole in found)}
            item = _Name(phrase, (), EXCLUDED, _ANY_CASE, hides=tuple(hides))
            needles.extend((needle, item) for needle in found)

    # A longer name is looked for from one of its words, its anchor: a word that is a name on
    # its own if there is one (it is looked for anyway), else its last distinctive word ("Rapid
    # Support Forces": "rapid"), so that common words ("al", "government") are not.
    single_words = {needle[1:-1] for needle, _ in needles if b" " not in needle[1:-1]}
    words: dict[bytes, list] = {}
    for needle, item in needles:
        parts = needle[1:-1].split(b" ")
        if len(parts) == 1:
            words.setdefault(parts[0], [needle, None, []])[1] = item
            continue
        named = [k for k, part in enumerate(parts) if part in single_words]
        distinct = [
            k for k, part in enumerate(parts) if len(part) > 2 and part not in _COMMON_WORDS
        ]
        k = named[0] if named else distinct[-1] if distinct else 0
        offset = sum(len(part) + 1 for part in parts[:k])
        anchor = parts[k]
        words.setdefault(anchor, [b" " + anchor + b" ", None, []])[2].append((needle, item, offset))
    compiled = {
        word: (spaced, single, tuple(sorted(longer, key=lambda entry: -len(entry[0]))))
        for word, (spaced, single, longer) in words.items()
    }
    return Gazetteer(compiled, [region for region, _ in mapping])


def default_gazetteer() -> Gazetteer:
    """The seeded gazetteer, :data:`articles.gazetteer.REGIONS`."""
    return Gazetteer.from_mapping(gazetteer.REGIONS)
