"""Photo credits, the news organizations editors know, and the outlets an article cites.

A caption ends with its credit, in one of many house styles: ``(AFP)``, ``(AP Photo/Jehad
Alshrafi)``, ``Heiko Junge/NTB/via REUTERS``, ``REUTERS/Ahmed Saad``, ``AFP file photo``,
``(File - Reuters)`` (or with an en dash), ``(SANA via AP)``, ``(Photo: AFP)``...
:func:`split_caption` finds it: either a trailing parenthesised group that reads as a credit, or
the text after the caption's last sentence end when that text is credit-shaped (slash-separated
names among which a known source or a ``via X``; a known source alone; ``<source> file photo``).
Anything else, such as ``(left)`` or ``(2nd R)``, is not a credit: no credit is ever invented.
In a credit, "via X" is the distributor, the first known source the agency (a second one, as in
``AFP/Getty Images``, the distributor), other names the photographer; of two unknown names
``A/B``, A is the photographer and B the agency.

:func:`cited_sources` finds the known outlets a body *cites*. A mention counts only in a
citation context: a cue just before the name ("according to", "told", "denied to", "said in a
statement to", "quoted by", "cited by", "reported", "in an interview with") or just after it
("had reported", "said", "quoted", "learned", "tally", "report", also after "news agency" or
"'s correspondent"), or a dateline such as "(Reuters) -". Short acronyms (AP, AA, EPA, AFP...)
and names that are ordinary words (Guardian, Financial Times) match only as capitalized; a name
followed by another capitalized word ("Guardian Council", "Reuters Institute") is a different
name and does not count.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "KNOWN_SOURCES",
    "Credit",
    "KnownSource",
    "cited_sources",
    "known_source",
    "parse_credit",
    "source_key",
    "split_caption",
]


@dataclass(frozen=True, slots=True)
class KnownSource:
    name: str
    full_name: str
    kind: str  # "agency" (wire or photo agency) or "outlet" (newspaper, broadcaster, site)
    aliases: tuple[str, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, self.full_name, *self.aliases)


def _agency(name: str, full_name: str, *aliases: str) -> KnownSource:
    return KnownSource(name, full_name, "agency", aliases)


def _outlet(name: str, full_name: str, *aliases: str) -> KnownSource:
    return KnownSource(name, full_name, "outlet", aliases)


# Seeded into the database by a migration: change names with care, add freely.
KNOWN_SOURCES: tuple[KnownSource, ...] = (
    _agency(
        "AFP",
        "Agence France-Presse",
        "Agence France Presse",
        "AFP Photo",
        "France-Presse",
    ),
    _agency("AP", "Associated Press", "The Associated Press", "AP Photo", "AP Images"),
    _agency("Reuters", "Reuters", "REUTERS", "Thomson Reuters", "Reuters News"),
    _agency("Bloomberg", "Bloomberg News", "Bloomberg LP"),
    _outlet(
        "Asharq Al-Awsat",
        "Asharq Al-Awsat",
        "Asharq Al Awsat",
        "Asharq Alawsat",
        "Aawsat",
        "Asharq Al-Awsat newspaper",
    ),
    _agency("EPA", "European Pressphoto Agency", "EPA-EFE", "EPA Images"),
    _agency("EFE", "Agencia EFE"),
    _agency("NTB", "Norsk Telegrambyrå", "Norsk Telegrambyra", "NTB Scanpix"),
    _agency("Getty Images", "Getty Images", "Getty"),
    _agency("Anadolu", "Anadolu Agency", "AA", "Anadolu Ajansi", "Anadolu News Agency"),
    _agency("Xinhua", "Xinhua News Agency", "New China News Agency"),
    _agency("dpa", "Deutsche Presse-Agentur", "DPA"),
    _agency("ANSA", "Agenzia Nazionale Stampa Associata"),
    _agency("SANA", "Syrian Arab News Agency"),
    _agency("WAFA", "Palestinian News and Information Agency", "Wafa", "WAFA news agency"),
    _agency("KUNA", "Kuwait News Agency"),
    _agency("SPA", "Saudi Press Agency"),
    _agency("WAM", "Emirates News Agency"),
    _agency("MENA", "Middle East News Agency"),
    _agency("QNA", "Qatar News Agency"),
    _agency("BNA", "Bahrain News Agency"),
    _agency("NNA", "National News Agency", "Lebanon's National News Agency"),
    _agency("IRNA", "Islamic Republic News Agency"),
    _agency("Tasnim", "Tasnim News Agency"),
    _agency("Fars", "Fars News Agency"),
    _agency("ISNA", "Iranian Students' News Agency"),
    _agency("TASS", "TASS Russian News Agency", "Tass", "ITAR-TASS"),
    _agency("RIA Novosti", "RIA Novosti", "RIA"),
    _agency("Kyodo", "Kyodo News"),
    _agency("Yonhap", "Yonhap News Agency"),
    _agency("UPI", "United Press International"),
    _outlet("Sputnik", "Sputnik", "Sputnik News"),
    _outlet("Al Jazeera", "Al Jazeera", "Al-Jazeera", "Aljazeera"),
    _outlet("Al Arabiya", "Al Arabiya", "Al-Arabiya", "Alarabiya"),
    _outlet("Al Hadath", "Al Hadath", "Al-Hadath"),
    _outlet("Sky News Arabia", "Sky News Arabia"),
    _outlet("Sky News", "Sky News"),
    _outlet("Asharq News", "Asharq News", "Asharq Business"),
    _outlet("Al Mayadeen", "Al Mayadeen", "Al-Mayadeen"),
    _outlet("Al-Manar", "Al-Manar", "Al Manar"),
    _outlet("Press TV", "Press TV", "PressTV"),
    _outlet("BBC", "British Broadcasting Corporation", "BBC News", "BBC Arabic"),
    _outlet("CNN", "Cable News Network"),
    _outlet("The New York Times", "The New York Times", "New York Times", "NYT"),
    _outlet("The Washington Post", "The Washington Post", "Washington Post"),
    _outlet("The Wall Street Journal", "The Wall Street Journal", "Wall Street Journal", "WSJ"),
    _outlet("Financial Times", "Financial Times", "The Financial Times"),
    _outlet("The Guardian", "The Guardian"),
    _outlet("Axios", "Axios"),
    _outlet("Politico", "Politico"),
    _outlet("Haaretz", "Haaretz"),
    _outlet("The Times of Israel", "The Times of Israel", "Times of Israel"),
    _outlet("The Jerusalem Post", "The Jerusalem Post", "Jerusalem Post"),
    _outlet("Israel Hayom", "Israel Hayom"),
    _outlet("Yedioth Ahronoth", "Yedioth Ahronoth", "Yediot Ahronot", "Ynet"),
    _outlet("Al-Monitor", "Al-Monitor", "Al Monitor"),
    _outlet("Middle East Eye", "Middle East Eye"),
    _outlet("Al-Ahram", "Al-Ahram", "Al Ahram"),
)

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
    }
)


def source_key(name: str) -> str:
    """The lookup key of a source name: "The Associated Press" and "associated press" agree."""
    text = unicodedata.normalize("NFKC", name).translate(_QUOTES).casefold()
    text = text.replace("'", "")
    text = " ".join(re.sub(r"[\W_]+", " ", text).split())
    return text.removeprefix("the ")


_BY_KEY: dict[str, KnownSource] = {}
for _source in KNOWN_SOURCES:
    for _spelling in _source.spellings:
        _BY_KEY.setdefault(source_key(_spelling), _source)


def known_source(name: str) -> KnownSource | None:
    """The known source one of whose names (display name, full name, alias) is ``name``."""
    return _BY_KEY.get(source_key(name))


# ---------------------------------------------------------------------------------------------
# Photo credits


@dataclass(frozen=True, slots=True)
class Credit:
    printed: str  # exactly as printed in the caption
    agency: str  # display name when known, else as printed; "" when only a distributor is named
    photographer: str = ""
    distributor: str = ""
    file_photo: bool = False


_FILE_WORDS = r"(?:file|archive)(?:\s+(?:photo|photos|picture|image|pic))?"
_FILE_PREFIX = re.compile(rf"^{_FILE_WORDS}\s*[-\u2013\u2014:/,|]\s*(?P<rest>\S.*)$", re.I)
_FILE_SUFFIX = re.compile(rf"^(?P<rest>.*?\S)(?:\s*[-\u2013\u2014:/,|]\s*|\s+){_FILE_WORDS}$", re.I)
_PHOTO_PREFIX = re.compile(
    r"^(?:(?:photos?|photograph|picture|image|credit)\s*(?::|-|\u2013|\u2014|\bby\b:?)"
    r"|courtesy(?:\s+of)?\b:?)\s*(?=\S)",
    re.I,
)
_VIA = re.compile(r"^via\s+(?P<rest>\S.*)$", re.I)
_MARKERS = frozenset({"handout", "pool", "courtesy", "photo", "photos", "file", "file photo"})
_FILE_MARKERS = frozenset({"file", "file photo", "archive", "archive photo"})
# Lowercase words that may appear inside a person's or an organization's name.
_NAME_PARTICLES = frozenset(
    {
        *("al", "el", "ad", "as", "an", "ash", "at", "az", "ar", "bin", "ibn", "bint", "abu"),
        *("de", "del", "der", "da", "di", "dos", "das", "du", "la", "le", "van", "von", "y"),
        *("of", "and", "for", "the"),
    }
)
_NAME_WORD = re.compile(r"^(?:(?:al|el|ad|as|an|ash|at|az|ar)-)?[^\W\d_][\w'\u2019.\-]*$")


@dataclass(slots=True)
class _Reading:
    credit: Credit
    shaped: bool  # reads as a credit with confidence (a known source or "via X" among names)


def _is_name(piece: str) -> bool:
    words = piece.split()
    if not 1 <= len(words) <= 6:
        return False
    for word in words:
        if word.casefold() in _NAME_PARTICLES:
            continue
        if not _NAME_WORD.match(word) or not word.lstrip("(").split("-")[-1][:1].isupper():
            return False
    return not all(word.casefold() in _NAME_PARTICLES for word in words)


def _display(piece: str) -> str:
    source = known_source(piece)
    return source.name if source else piece


_CREDIT_MAX = 150  # longer text is not a credit (and would only slow the patterns down)


def _read_credit(printed: str) -> _Reading:
    text = printed.strip()
    if len(text) > _CREDIT_MAX + 4:
        return _Reading(Credit(printed, ""), False)
    if len(text) > 1 and text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    if len(text) >= 2 and text[0] + text[-1] in ("()", "[]"):
        text = text[1:-1].strip()
    file_photo = False
    if match := _FILE_PREFIX.match(text):
        file_photo, text = True, match["rest"]
    if match := _FILE_SUFFIX.match(text):
        file_photo, text = True, match["rest"]
    if match := _PHOTO_PREFIX.match(text):
        text = text[match.end() :]

    pieces: list[str] = []
    for part in re.split(r"\s*/\s*", text):
        # "SANA via AP" is the same as "SANA/via AP".
        pieces.extend(p.strip() for p in re.split(r"\s+(?=via\s)", part, flags=re.I))

    known: list[str] = []
    unknown: list[str] = []
    distributor = ""
    has_via = False
    shaped = bool(text) and len(text) <= _CREDIT_MAX and len(pieces) <= 5
    for piece in pieces:
        folded = " ".join(piece.casefold().split())
        if match := _VIA.match(piece):
            has_via = True
            distributor = distributor or _display(match["rest"].strip())
            shaped = shaped and (known_source(match["rest"]) is not None or _is_name(match["rest"]))
        elif folded in _FILE_MARKERS:
            file_photo = True
        elif folded in _MARKERS:
            continue
        elif (source := known_source(piece)) is not None:
            known.append(source.name)
        else:
            unknown.append(piece)
            shaped = shaped and _is_name(piece)
    shaped = shaped and bool(known or has_via)

    agency = photographer = ""
    if known:
        agency = known[0]
        if len(known) > 1 and not distributor:  # "(AFP/Getty Images)": Getty distributes
            distributor = known[1]
        photographer = ", ".join(unknown)
    elif len(unknown) == 1:
        agency = unknown[0]
    elif unknown:  # "A/B", both unknown: photographer A, agency B
        agency = unknown[-1]
        photographer = ", ".join(unknown[:-1])
    credit = Credit(
        printed=printed,
        agency=agency,
        photographer=photographer,
        distributor=distributor,
        file_photo=file_photo,
    )
    return _Reading(credit, shaped)


def parse_credit(printed: str) -> Credit:
    """Read a credit string (as found by :func:`split_caption`, or typed by an editor)."""
    credit = _read_credit(printed).credit
    if not (credit.agency or credit.photographer or credit.distributor):
        inner = printed.strip().strip("()[]").strip()
        return Credit(printed, inner, "", "", credit.file_photo)
    return credit


# The end of a sentence followed by more text: ". ", "? ", '." ', ".) ".
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s+")


def _opening_bracket(text: str) -> int | None:
    """Index of the bracket that opens the group closing ``text``; None when unbalanced."""
    closing = text[-1]
    opening = "(" if closing == ")" else "["
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        char = text[index]
        if char == closing:
            depth += 1
        elif char == opening:
            depth -= 1
            if depth == 0:
                return index
    return None


def _split_at(line: str, start: int) -> tuple[str, Credit] | None:
    reading = _read_credit(line[start:])
    if not reading.shaped:
        return None
    return line[:start].rstrip(), reading.credit


def split_caption(line: str) -> tuple[str, Credit | None]:
    """Split a caption line into its text and its credit (None when it has none).

    With a credit, ``text + " " + credit.printed`` is the stripped line whenever one space
    separates them, as in the dumps; a caption that is only a credit gives ``("", credit)``.
    """
    caption = line.strip()
    if not caption:
        return "", None

    core = caption[:-1] if caption.endswith((").", "].")) else caption
    if core.endswith((")", "]")):
        start = _opening_bracket(core)
        if start is not None and (start == 0 or caption[start - 1].isspace()):
            found = _split_at(caption, start)
            if found is not None:
                return found

    ends = list(_SENTENCE_END.finditer(caption))
    last_end = ends[-1] if ends else None
    if last_end is not None and last_end.end() < len(caption):
        found = _split_at(caption, last_end.end())
        if found is not None:
            return found

    # A caption that is nothing but a credit ("AFP file photo"), short enough to be one.
    if len(caption) <= 80:
        reading = _read_credit(caption)
        if reading.shaped:
            return "", reading.credit
    return caption, None


# ---------------------------------------------------------------------------------------------
# Cited outlets

# Single words that are also ordinary English, and names whose lowercase form is ordinary prose.
_CASE_SENSITIVE = frozenset({"Guardian", "Financial Times", "Fars", "Sputnik", "Axios", "Politico"})
_MONTHS_AND_DAYS = (
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|"
    "June|July|August|September|October|November|December"
)


def _spelling_pattern(spelling: str) -> str:
    core = spelling.removeprefix("The ")
    tokens = [re.escape(token) for token in re.split(r"[\s\-\u2010\u2011]+", core) if token]
    body = r"[\s\-\u2010\u2011]+".join(tokens)
    acronym = re.fullmatch(r"[A-Z0-9]{1,5}|dpa", core) is not None
    if acronym or core in _CASE_SENSITIVE:
        return f"(?:{body})"
    if " " not in core and "-" not in core:
        # "Reuters" or "REUTERS", never "reuters".
        upper = r"[\s\-\u2010\u2011]+".join(re.escape(t) for t in core.upper().split())
        return f"(?:{body}|{upper})"
    return f"(?i:{body})"


def _build_mentions() -> re.Pattern[str]:
    alternatives: list[tuple[int, str]] = []
    for index, source in enumerate(KNOWN_SOURCES):
        spellings = sorted({s for s in source.spellings if s}, key=len, reverse=True)
        group = "|".join(_spelling_pattern(s) for s in spellings)
        alternatives.append((max(len(s) for s in spellings), f"(?P<s{index}>{group})"))
    # Longest names first so that "Sky News Arabia" wins over "Sky News".
    alternatives.sort(key=lambda item: item[0], reverse=True)
    names = "|".join(pattern for _, pattern in alternatives)
    return re.compile(
        rf"(?<![\w\-])(?:{names})(?![\w\-])(?!\s+(?!(?:{_MONTHS_AND_DAYS})\b)[A-Z][a-z])"
    )


_MENTION = _build_mentions()

_CUE_VERBS = (
    r"(?:said|says|saying|denied|denies|denying|confirmed|confirms|confirming|revealed|reveals|"
    r"explained|explains|stressed|stresses|disclosed|discloses|added|adds|noted|notes|stated|"
    r"states|affirmed|affirms|emphasi[sz]ed|admitted|acknowledged|complained|warned|insisted|"
    r"indicated|indicates|described|expressed|declared|announced|pointed\s+out|made\s+clear|"
    r"spoke|speaks|speaking|talked|talking|statement|statements|remarks|comments|interview|"
    r"interviews|wrote|writing|leaked|explaining|revealing)"
)
_CUE_FILLER = (
    r"(?:\s+(?:in\s+(?:a|an|the|his|her|their|its)(?:\s+[\w\-]+){0,2}?\s+"
    r"(?:statement|interview|remarks|comments|briefing|message|letter|post|call|conversation)|"
    r"exclusively|separately|earlier|later|also|previously|on\s+\w+|"
    r"in\s+(?:remarks|comments|statements)))?"
)
_CUE_DIRECT = (
    r"(?:according\s+to|told|tells|tell|telling|informed|quoted\s+by|cited\s+by|reported\s+by|"
    r"published\s+by|carried\s+by|broadcast\s+by|aired\s+by|obtained\s+by|seen\s+by|"
    r"reviewed\s+by|quoting|citing|reported|reports|wrote|writes)"
)
_CUE_BEFORE = re.compile(
    rf"\b(?:{_CUE_DIRECT}|{_CUE_VERBS}{_CUE_FILLER}\s+(?:exclusively\s+)?(?:to|with))"
    r"\s+(?:the\s+)?$",
    re.I,
)
_CUE_AFTER = re.compile(
    r"""^(?:['\u2019]s?)?
    (?:\s+(?:news\s+agency|news\s+website|news\s+site|news\s+channel|news|agency|newspaper|
        daily|weekly|magazine|television|tv|channel|website|network|radio|broadcaster|outlet|
        correspondent|reporter|journalist|reporters|journalists|sources?)\b)?
    (?:
        \s+(?:tally|count|investigation|analysis|calculation|survey|poll|estimate|report|
            interview|exclusive|review)s?\b
      | \s*,?\s+(?:(?:which|that|who)\s+)?
        (?:(?:had|has|have|was|were|is|also|earlier|previously|first|later|recently|
            exclusively|separately|reportedly|on\s+\w+|last\s+\w+)\s+)*
        (?:reported|reports|report|reporting|said|says|quoted|quoting|cited|citing|published|
            wrote|writes|learned|learnt|revealed|reveals|obtained|reviewed|saw|confirmed|
            confirms|aired|broadcast|carried)\b
    )""",
    re.I | re.X,
)
_WINDOW = 80


# Every cue before a name ends with one of these words (then maybe "the"): a cheap test that
# spares most mentions the slower pattern.
_CUE_LAST_WORDS = frozenset(
    {"to", "with", "by", "told", "tell", "tells", "telling", "informed", "quoting", "citing"}
    | {"reported", "reports", "wrote", "writes"}
)
_LAST_WORDS = re.compile(r"(\w+)\s+(?:(the)\s+)?$", re.I)


def _is_citation(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - _WINDOW) : start]
    after = text[end : end + _WINDOW]
    if before.endswith("(") and after.startswith(")"):  # a dateline: "GAZA (Reuters) -"
        return True
    last = _LAST_WORDS.search(before[-30:])
    if last and last.group(1).lower() in _CUE_LAST_WORDS and _CUE_BEFORE.search(before):
        return True
    return bool(_CUE_AFTER.match(after))


# The first word of every spelling: the mention pattern is tried only where one of them starts,
# which is many times faster than scanning a whole body with a pattern of 150 alternatives.
_FIRST_WORDS = frozenset(
    re.match(r"\w+", spelling.removeprefix("The ")).group().casefold()
    for source in KNOWN_SOURCES
    for spelling in source.spellings
)
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=256)
def _starts_pattern(present: frozenset[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(sorted(present)) + r")\b", re.I)


def _mentions(text: str) -> Iterator[re.Match[str]]:
    lowered = text.lower()
    present = _FIRST_WORDS.intersection(_WORD.findall(lowered))
    if not present:
        return
    if len(lowered) == len(text):
        # Lowercasing kept every offset: find the few first words in the lowercased text, with
        # no pattern to compile (most bodies have a set of first words of their own).
        starts = _whole_word_starts(lowered, present)
    else:
        starts = [w.start() for w in _starts_pattern(frozenset(present)).finditer(text)]
    end = 0
    for start in starts:
        if start >= end and (match := _MENTION.match(text, start)):
            end = match.end()
            yield match


def _is_word_character(character: str) -> bool:
    return character.isalnum() or character == "_"  # what ``\w`` matches


def _whole_word_starts(text: str, words: Iterable[str]) -> list[int]:
    """Where each of ``words`` occurs in ``text`` as a whole word (as ``\bword\b``), in order."""
    starts = []
    size = len(text)
    for word in words:
        length = len(word)
        at = text.find(word)
        while at != -1:
            end = at + length
            if (at == 0 or not _is_word_character(text[at - 1])) and (
                end == size or not _is_word_character(text[end])
            ):
                starts.append(at)
            at = text.find(word, at + 1)
    starts.sort()
    return starts


def cited_sources(text: str) -> list[str]:
    """Display names of the known outlets ``text`` cites, in order of first citation."""
    found: list[str] = []
    for match in _mentions(text):
        if not match.lastgroup or not _is_citation(text, match.start(), match.end()):
            continue
        name = KNOWN_SOURCES[int(match.lastgroup[1:])].name
        if name not in found:
            found.append(name)
    return found
