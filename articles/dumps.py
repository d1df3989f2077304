"""The dump parser: plain-text dumps of articles scraped from the English site of Asharq Al-Awsat.

A dump holds articles separated by a run of three or more blank lines (blank: nothing but
whitespace, ``\\r``, tabs and no-break spaces included). Inside an article one or two blank lines
separate its parts. The current site layout of one article::

    <title>

    <caption with credit>        each caption printed twice in a row, a pair per photo
    <caption with credit>
    TT                           page widget text, not content

    <title>                      the title again

    <caption with credit>        the captions again, twice each
    <caption with credit>

    <body paragraph>             one paragraph per line, blank lines between them
    ...

Also read: no photo (no captions; the ``TT`` line and the repeated title may be missing too),
several photos, other widget lines (:data:`WIDGET_TOKENS`), stray whitespace, older layouts with
a site header line (:data:`SITE_HEADERS`) and a date line ("Sunday, 7 August, 2022 - 06:15")
before or after the title, CRLF line ends and a byte-order mark. A caption printed only once
counts as a caption only before the repeated title; without a repeated title such a line is
read as body text, unless a widget line follows it on the next line.

A block that is not exactly one article is rejected with a :class:`BlockError` giving the reason
and the file line; it is never guessed into an article: no title (the block starts with a body
paragraph, a fragment or a caption), no body (a truncated file), two articles run together (a
widget line, a caption printed twice, a date, a site header or the title again inside the body),
bytes that are not UTF-8, and NUL bytes (no database text column takes them; PostgreSQL refuses
them outright).

:func:`read_dump` streams a binary file, one block in memory at a time, and never raises on
what the file holds: every block comes out as one :class:`Block`, good or bad, with its 0-based
position and the real 1-based line of its first line.
"""

import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from .credits import split_caption

__all__ = [
    "SITE_HEADERS",
    "TITLE_MAX",
    "WIDGET_TOKENS",
    "ArticleRecord",
    "Block",
    "BlockError",
    "RawBlock",
    "decode_block",
    "fingerprint",
    "is_blank_line",
    "is_date_line",
    "is_site_header",
    "is_widget_line",
    "iter_raw_blocks",
    "looks_binary",
    "normalize_text",
    "parse_block",
    "parse_date_line",
    "parse_text",
    "read_dump",
    "render_block",
    "render_dump",
]

TITLE_MAX = 300
SEPARATOR = 3  # blank lines that end a block
BOM = "\ufeff"

# Page widgets the scraper picked up; a line that is one of these (any case) is not content.
WIDGET_TOKENS: frozenset[str] = frozenset(
    {
        "TT",
        "Share",
        "Share this",
        "Print",
        "Email",
        "E-mail",
        "Facebook",
        "Twitter",
        "X",
        "WhatsApp",
        "Telegram",
        "LinkedIn",
        "Pinterest",
        "Reddit",
        "Messenger",
        "Copy link",
        "Link copied",
        "A A",
        "AA",
        "A+",
        "A-",
        "A+ A-",
        "A- A+",
        "Font size",
        "Text size",
    }
)
# Lines naming the site, printed above the title by older page layouts.
SITE_HEADERS: tuple[str, ...] = (
    "Asharq Al-Awsat",
    "Asharq Al-Awsat English",
    "Asharq Al-Awsat English Edition",
    "Asharq Al-Awsat - English",
    "Asharq Alawsat",
    "English Edition",
    "aawsat.com",
    "english.aawsat.com",
)

# Every character str.isspace() knows, plus invisible format characters scrapers leave behind.
_SPACES = "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "\u200b\u200c\u200d\u2060"
_STRIP = _SPACES + BOM
_NO_BREAK = frozenset("\xa0\u202f\u2007")
_WS_RUN = re.compile(r"\s+")


def _header_key(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


# Longer lines are never widget, site header or date lines: saves regex work on paragraphs.
_WIDGET_MAX = 80
_HEADER_MAX = 80
_WIDGET_KEYS = frozenset(" ".join(token.casefold().split()) for token in WIDGET_TOKENS)
_SITE_KEYS = frozenset(_header_key(header) for header in SITE_HEADERS)

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS = {name.casefold(): n for n, name in enumerate(_MONTH_NAMES, 1)}
_MONTHS.update({name[:3].casefold(): n for n, name in enumerate(_MONTH_NAMES, 1)})
_MONTHS["sept"] = 9
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")"
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?"
_DATE_LINE = re.compile(
    rf"""(?:{_WEEKDAY}\.?,?\s+)?
    (?:
        (?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{_MONTH})\.?,?\s+(?P<y1>\d{{4}})
      | (?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}})
      | (?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}})
    )
    (?:\s*(?:[-\u2013\u2014,|t]|at)?\s*
        (?P<hour>\d{{1,2}})[:.](?P<minute>\d{{2}})(?::\d{{2}})?(?:\s*(?P<ampm>[ap])\.?m\.?)?)?
    (?:\s*(?:gmt|utc)(?:\s*[+-]\s*\d{{1,2}}(?::?\d{{2}})?)?)?""",
    re.I | re.X,
)


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    title: str
    captions: tuple[str, ...]
    paragraphs: tuple[str, ...]
    published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RawBlock:
    position: int  # 0-based index of the block in its file, good or bad
    line: int  # 1-based file line of the block's first non-blank line
    data: bytes  # exactly as read, line ends included, without the separating blank lines


class BlockError(ValueError):
    """Why a block is not an article, in words for an editor, and the file line at fault."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason, line)
        self.reason = reason
        self.line = line

    def __str__(self) -> str:
        return self.reason

    def __repr__(self) -> str:
        return f"BlockError({self.reason!r}, line={self.line!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BlockError):
            return NotImplemented
        return (self.reason, self.line) == (other.reason, other.line)

    def __hash__(self) -> int:
        return hash((self.reason, self.line))


@dataclass(frozen=True, slots=True)
class Block:
    position: int
    line: int
    raw: str
    record: ArticleRecord | None
    error: BlockError | None

    @property
    def ok(self) -> bool:
        return self.record is not None


# ---------------------------------------------------------------------------------------------
# Lines


def _is_blank(text: str) -> bool:
    return not text.strip(_STRIP)


def is_blank_line(line: bytes) -> bool:
    """Whether a raw line holds nothing but whitespace (in UTF-8, or else Windows-1252)."""
    if not line.strip():
        return True
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        # Only decides where blocks end; the block itself is still rejected as not UTF-8.
        text = line.decode("cp1252", errors="replace")
    return _is_blank(text)


def _collapse(text: str) -> str:
    """Trim, and turn every run of whitespace into one space (a lone no-break space stays)."""

    text = text.strip(_STRIP)
    if not _NO_BREAK.intersection(text):
        return " ".join(text.split())

    def one(match: re.Match[str]) -> str:
        run = match.group()
        return run if run in _NO_BREAK else " "

    return _WS_RUN.sub(one, text)


def _key(text: str) -> str:
    """What two printings of one line have in common, whatever their spacing."""
    return " ".join(text.strip(_STRIP).split())


def is_widget_line(text: str) -> bool:
    """A line of page widgets ("TT", "Share", "Share | Print"), not content."""
    text = text.strip(_STRIP)
    if len(text) > _WIDGET_MAX:
        return False
    key = " ".join(text.casefold().split())
    if key in _WIDGET_KEYS:
        return True
    parts = [p for p in re.split(r"\s*[|\u00b7\u2022]\s*", key) if p]
    return len(parts) > 1 and all(part in _WIDGET_KEYS for part in parts)


def _short(text: str) -> bool:
    return len(text) <= _HEADER_MAX or len(text.strip(_STRIP)) <= _HEADER_MAX


def is_site_header(text: str) -> bool:
    """A line naming the site ("Asharq Al-Awsat", "English Edition"), as older layouts print."""
    return _short(text) and _header_key(text) in _SITE_KEYS


def is_date_line(text: str) -> bool:
    """A line that is only a date, maybe with a time: "Sunday, 7 August, 2022 - 06:15"."""
    return _short(text) and _DATE_LINE.fullmatch(_key(text)) is not None


def parse_date_line(text: str) -> datetime | None:
    """The naive datetime a date line gives; None when it is not one or names no real day."""
    match = _DATE_LINE.fullmatch(_key(text)) if _short(text) else None
    if match is None:
        return None
    if match["y3"]:
        year, month, day = int(match["y3"]), int(match["m3"]), int(match["d3"])
    else:
        year = int(match["y1"] or match["y2"])
        month = _MONTHS[(match["m1"] or match["m2"]).casefold()]
        day = int(match["d1"] or match["d2"])
    hour = int(match["hour"] or 0)
    minute = int(match["minute"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["ampm"].casefold() == "p" else 0)
    try:
        return datetime(year, month, day, hour, minute)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Blocks of bytes


def looks_binary(head: bytes) -> bool:
    """Whether the first chunk of a file (8 KiB, say) is binary rather than text."""
    return b"\x00" in head


def iter_raw_blocks(lines: Iterable[bytes]) -> Iterator[RawBlock]:
    """The blocks of a dump read line by line (a binary file object will do), one at a time."""
    position = 0
    start = 0
    current: list[bytes] = []
    blanks: list[bytes] = []  # blank lines seen since the last non-blank line of ``current``
    for number, line in enumerate(lines, 1):
        if is_blank_line(line):
            if current:
                blanks.append(line)
                if len(blanks) == SEPARATOR:
                    yield RawBlock(position, start, b"".join(current))
                    position += 1
                    current, blanks = [], []
            continue
        if not current:
            start = number
        current.extend(blanks)
        current.append(line)
        blanks = []
    if current:
        yield RawBlock(position, start, b"".join(current))


def decode_block(raw: RawBlock) -> str:
    """The block's text (strict UTF-8); a byte-order mark opening the file is dropped."""
    data = raw.data
    if raw.position == 0 and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if (nul := data.find(b"\x00")) >= 0:
        line = raw.line + data.count(b"\n", 0, nul)
        raise BlockError(
            f"the text contains a NUL byte at line {line}; the file may be binary, or in UTF-16",
            line,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.line + data.count(b"\n", 0, error.start)
        byte = data[error.start]
        raise BlockError(
            f"the text is not valid UTF-8 at line {line} (byte 0x{byte:02X}); the file may be "
            "in another encoding, such as Windows-1252",
            line,
        ) from None


# ---------------------------------------------------------------------------------------------
# One article


@dataclass(frozen=True, slots=True)
class _Line:
    number: int  # in the file
    text: str  # trimmed
    key: str
    part: int  # index of the run of non-blank lines it belongs to


def _lines(text: str, first_line: int) -> list[_Line]:
    lines: list[_Line] = []
    part = 0
    previous_blank = False
    # Only "\n" ends a line, as in the file: str.splitlines() would also split on \x0b, \x1c...
    for offset, line in enumerate(text.split("\n")):
        if _is_blank(line):
            previous_blank = True
            continue
        if previous_blank and lines:
            part += 1
        previous_blank = False
        lines.append(_Line(first_line + offset, line.strip(_STRIP), _key(line), part))
    return lines


_FRAGMENT_START = frozenset(",;:.)]}\u2026-\u2013\u2014")
_SENTENCE_BREAK = re.compile(
    r"[a-z0-9\"'\u201d\u2019)]{2}[.!?][\"'\u201d\u2019)]*\s+[\"'\u201c\u2018(]?[A-Z]"
)
_ENDS_SENTENCE = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")
_ENDS_ABBREVIATION = re.compile(r"(?:\b[A-Z]\.){2,}$")


def _looks_like_body(text: str) -> str | None:
    """Why a line that is not repeated as a title reads as body text; None when it may be one."""
    if len(text) > TITLE_MAX:
        return f"it is {len(text)} characters long"
    first = text.lstrip("\"'\u201c\u2018([")[:1]
    if first.islower() or first in _FRAGMENT_START:
        return "it begins mid-sentence"
    if _ENDS_SENTENCE.search(text) and not _ENDS_ABBREVIATION.search(text):
        if _SENTENCE_BREAK.search(text):
            return "it holds several sentences"
        if text.rstrip("\"'\u201d\u2019)]").endswith(".") and len(text.split()) >= 10:
            return "it is a full sentence"
    return None


def _pair_at(lines: list[_Line], k: int) -> int:
    """How many lines from ``k`` on print one caption: 2 or more when repeated, else 0.

    A second printing cut short by the end of a truncated file still counts.
    """
    end = k + 1
    while end < len(lines) and lines[end].part == lines[k].part and lines[end].key == lines[k].key:
        end += 1
    if end > k + 1:
        return end - k
    last = len(lines) - 1
    if (
        k + 1 == last
        and lines[last].part == lines[k].part
        and lines[k].key.startswith(lines[last].key)
    ):
        return 2
    return 0


def parse_block(text: str, first_line: int = 1) -> ArticleRecord:
    """Read one block's text as an article, or raise :class:`BlockError` saying why not.

    ``first_line`` is the file line of the text's first line, so that errors point into the file.
    """
    lines = _lines(text, first_line)
    if not lines:
        raise BlockError(f"empty block: nothing but blank lines (line {first_line})", first_line)

    published_at: datetime | None = None

    def header_line(line: _Line) -> bool:
        nonlocal published_at
        if is_date_line(line.text):
            published_at = published_at or parse_date_line(line.text)
            return True
        return is_widget_line(line.text) or is_site_header(line.text)

    i = 0
    while i < len(lines) and header_line(lines[i]):
        i += 1
    if i == len(lines):
        raise BlockError(
            "no body: the block holds only header lines (site name, date or page widgets), "
            f"no title and no text (line {lines[0].number})",
            lines[0].number,
        )
    title = lines[i]
    if _pair_at(lines, i):
        raise BlockError(
            f"no title: the block starts with a line printed twice in a row (line "
            f"{title.number}), as photo captions are; the title seems to be missing",
            title.number,
        )
    if len(title.text) > TITLE_MAX:
        raise BlockError(
            f"no title: the block starts with a body paragraph (line {title.number}); it is "
            f"{len(title.text)} characters long, more than a title's {TITLE_MAX}",
            title.number,
        )

    # The repeated title, close enough to be part of the header (up to three parts between).
    repeat = None
    for j in range(i + 1, len(lines)):
        if lines[j].part - title.part > 4:
            break
        if lines[j].key == title.key:
            repeat = j
            break
    if repeat is None and (why := _looks_like_body(title.text)):
        raise BlockError(
            f"no title: the block starts with a body paragraph (line {title.number}); {why}, "
            "and no title line is repeated",
            title.number,
        )

    captions: dict[str, str] = {}  # key -> caption as printed, first printing, in order
    # Where each part's last widget line is: a line printed once, followed in its part by a
    # widget line ("TT"), is a caption even without a repeated title.
    last_widget = {line.part: n for n, line in enumerate(lines) if is_widget_line(line.text)}
    k = i + 1
    if repeat is not None:
        # Before the repeated title, every line but widgets and dates is a caption.
        for line in lines[i + 1 : repeat]:
            if not header_line(line):
                captions.setdefault(line.key, line.text)
        k = repeat + 1
    while k < len(lines):
        line = lines[k]
        if header_line(line) or line.key == title.key:
            k += 1
        elif copies := _pair_at(lines, k):
            captions.setdefault(line.key, line.text)
            k += copies
        elif line.key in captions or (repeat is None and last_widget.get(line.part, -1) > k):
            captions.setdefault(line.key, line.text)
            k += 1
        else:
            break

    body = lines[k:]
    if not body:
        raise BlockError(
            f"no body: the title (line {title.number}) is followed by no text; the file may be "
            "truncated",
            title.number,
        )
    _check_body(body, title)
    if repeat is None and not captions and len(body) == 1 and split_caption(body[0].text)[1]:
        raise BlockError(
            f"no body: the title (line {title.number}) is followed only by a photo caption "
            f"(line {body[0].number}); the file may be truncated",
            title.number,
        )
    return ArticleRecord(
        title=_collapse(title.text),
        captions=tuple(captions.values()),
        paragraphs=tuple(_collapse(line.text) for line in body),
        published_at=published_at,
    )


def _check_body(body: list[_Line], title: _Line) -> None:
    """Reject a body that holds the header of another article: two articles run together."""
    hint = "two articles seem to run together (is a separator of three blank lines missing?)"
    for n, line in enumerate(body):
        if is_widget_line(line.text):
            found = f"the page widget line {line.text!r} appears inside the body"
        elif is_date_line(line.text) or is_site_header(line.text):
            found = f"the header line {line.text!r} appears inside the body"
        elif line.key == title.key:
            found = "the title appears again inside the body"
        elif n + 1 < len(body) and body[n + 1].part == line.part and body[n + 1].key == line.key:
            found = "a line inside the body is printed twice in a row, like a photo caption"
        elif any(other.key == line.key for other in body[n + 1 : n + 3]):
            found = "a line inside the body is repeated, like the title of another article"
        else:
            continue
        raise BlockError(f"{hint}: {found} (line {line.number})", line.number)


# ---------------------------------------------------------------------------------------------
# Reading a dump


def read_dump(lines: Iterable[bytes]) -> Iterator[Block]:
    """Every block of a dump, parsed or rejected. Never raises on the content of the file.

    Errors reading the file itself (``OSError``) are not content and do propagate.
    """
    for raw in iter_raw_blocks(lines):
        yield read_block(raw)


def read_block(raw: RawBlock) -> Block:
    """One block of a dump, parsed or rejected; never raises."""
    try:
        text = decode_block(raw)
    except BlockError as error:
        data = raw.data[3:] if raw.position == 0 and raw.data[:3] == b"\xef\xbb\xbf" else raw.data
        text = data.decode("utf-8", "backslashreplace").replace("\x00", "\\x00")
        return Block(raw.position, raw.line, text, None, error)
    try:
        return Block(raw.position, raw.line, text, parse_block(text, raw.line), None)
    except BlockError as error:
        return Block(raw.position, raw.line, text, None, error)
    except Exception as error:  # a parser bug must not stop an import; the block is kept
        reason = f"internal parser error ({type(error).__name__}); please report this block"
        return Block(raw.position, raw.line, text, None, BlockError(reason, raw.line))


def parse_text(text: str) -> list[Block]:
    """:func:`read_dump` over ``text`` encoded as UTF-8; lone surrogates become bad blocks."""
    return list(read_dump(io.BytesIO(text.encode("utf-8", "surrogatepass"))))


# ---------------------------------------------------------------------------------------------
# Writing a dump


def _format_date(moment: datetime) -> str:
    weekday = _WEEKDAYS[moment.weekday()]
    month = _MONTH_NAMES[moment.month - 1]
    return f"{weekday}, {moment.day} {month}, {moment.year:04d} - {moment:%H:%M}"


def render_block(record: ArticleRecord) -> str:
    """The record in the seed layout (with a date line first when it has a date)."""
    out: list[str] = []
    if record.published_at is not None:
        out += [_format_date(record.published_at), ""]
    out += [record.title, ""]
    for caption in record.captions:
        out += [caption, caption]
    out += ["TT", "", record.title, ""]
    if record.captions:
        for caption in record.captions:
            out += [caption, caption]
        out.append("")
    for paragraph in record.paragraphs:
        out += [paragraph, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def render_dump(records: Iterable[ArticleRecord]) -> Iterator[str]:
    """A dump of ``records``, piece by piece: blocks with three blank lines between them."""
    for n, record in enumerate(records):
        if n:
            yield "\n" * SEPARATOR
        yield render_block(record)


# ---------------------------------------------------------------------------------------------
# Fingerprints

_FOLD = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4`", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
        **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", None),
    }
)


# The characters _FOLD changes, as one class: re.sub visits only those (usually a few quotes),
# where str.translate looks up every character of the text (three times slower on a body).
_FOLDED = re.compile("[" + re.escape("".join(chr(c) for c in _FOLD)) + "]")


def _fold(match: re.Match[str]) -> str:
    return _FOLD[ord(match.group())] or ""


def normalize_text(text: str) -> str:
    """Text reduced for comparison: NFKC, straight quotes, one dash, single spaces, casefolded."""
    if text.isascii():  # NFKC changes no ASCII text, and the backtick is the one ASCII fold
        text = text.replace("`", "'").lower()
    else:
        text = _FOLDED.sub(_fold, unicodedata.normalize("NFKC", text)).casefold()
    return " ".join(text.split())


def fingerprint(record: ArticleRecord) -> str:
    """SHA-256 of the normalized title and body. Captions, the date and paragraph breaks do not
    count: the same title over the same text is the same article."""
    body = normalize_text("\n".join(record.paragraphs))
    return hashlib.sha256(f"{normalize_text(record.title)}\n{body}".encode()).hexdigest()
