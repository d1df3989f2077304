"""The dump parser on the real sample dumps, hand-written variations and generated input."""

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articles import dumps
from articles.dumps import (
    TITLE_MAX,
    WIDGET_TOKENS,
    ArticleRecord,
    Block,
    BlockError,
    RawBlock,
    decode_block,
    fingerprint,
    is_blank_line,
    is_date_line,
    is_site_header,
    is_widget_line,
    iter_raw_blocks,
    looks_binary,
    normalize_text,
    parse_block,
    parse_date_line,
    parse_text,
    read_dump,
    render_block,
    render_dump,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "sample_data").glob("*.txt"))
DUMPS = Path(__file__).resolve().parent / "dumps"

LNA = "LNA Denies Haftar Seeking to Allow Russia to Set up Military Base in Libya"
LNA_CAPTION = (
    "LNA commander Khalifa Haftar is seen with Russian Deputy Defense Minister Yunus-bek "
    "Yevkurov during the former\u2019s visit to Russia in September. (AFP)"
)
UNRWA = "UNRWA Says Determined to Keep Working in Gaza Despite Israeli Ban"
GAZA = "Weaponization of Food in Gaza Constitutes War Crime, UN Rights Office Says"


def read(path: Path) -> list[Block]:
    with path.open("rb") as handle:
        return list(read_dump(handle))


def lines_of(data: bytes) -> list[bytes]:
    """Lines as a binary file yields them: split after b"\\n" only."""
    return io.BytesIO(data).readlines()


def only_records(blocks: list[Block]) -> list[ArticleRecord]:
    assert all(block.error is None for block in blocks), [block.error for block in blocks]
    return [block.record for block in blocks if block.record is not None]


def errors(blocks: list[Block]) -> list[tuple[int, int | None, str]]:
    return [(b.position, b.error.line, b.error.reason) for b in blocks if b.error is not None]


# ---------------------------------------------------------------------------------------------
# The real sample dumps


def test_the_sample_dumps_are_there():
    assert [path.name for path in SEEDS] == ["000_8b5c78c953ba13c0.txt", "001_942ab0bc65b1d9f8.txt"]


@pytest.mark.parametrize(
    ("name", "titles", "paragraph_counts"),
    [
        ("000_8b5c78c953ba13c0.txt", [LNA, UNRWA], [10, 6]),
        ("001_942ab0bc65b1d9f8.txt", [LNA, GAZA], [10, 7]),
    ],
)
def test_each_sample_dump_gives_two_good_articles(name, titles, paragraph_counts):
    path = ROOT / "sample_data" / name
    blocks = read(path)

    records = only_records(blocks)
    assert [block.position for block in blocks] == [0, 1]
    assert [record.title for record in records] == titles
    assert [len(record.captions) for record in records] == [1, 1]
    assert [len(record.paragraphs) for record in records] == paragraph_counts
    assert all(record.published_at is None for record in records)
    file_lines = path.read_text(encoding="utf-8").split("\n")
    for block, title in zip(blocks, titles, strict=True):
        assert file_lines[block.line - 1] == title
        assert block.raw.startswith(title + "\n")
        assert block.raw in path.read_text(encoding="utf-8")
        assert "\n\n\n" not in block.raw.rstrip("\n")


def test_the_seed_header_is_read_once_caption_by_caption():
    lna, unrwa = only_records(read(SEEDS[0]))

    assert lna.captions == (LNA_CAPTION,)
    assert unrwa.captions[0].endswith("January 15, 2025. Heiko Junge/NTB/via REUTERS")
    assert lna.paragraphs[0].startswith("An informed source in the Libyan National Army (LNA)")
    assert lna.paragraphs[-1].endswith("in the eastern city of Benghazi.")
    assert unrwa.paragraphs[-1].endswith("would be \u201ccatastrophic.\u201d")
    for record in (lna, unrwa):
        assert "TT" not in record.paragraphs
        assert record.title not in record.paragraphs
        assert not set(record.captions) & set(record.paragraphs)


def test_the_seed_layout_renders_back_byte_for_byte():
    first = read(SEEDS[0])[0]

    assert render_block(first.record) == first.raw


def test_the_lna_article_has_one_fingerprint_in_both_sample_dumps():
    (lna_a, unrwa), (lna_b, gaza) = (only_records(read(path)) for path in SEEDS)

    assert fingerprint(lna_a) == fingerprint(lna_b)
    assert len({fingerprint(lna_a), fingerprint(unrwa), fingerprint(gaza)}) == 3
    assert len(fingerprint(lna_a)) == 64
    assert set(fingerprint(lna_a)) <= set("0123456789abcdef")


# ---------------------------------------------------------------------------------------------
# Hand-written variations


def test_the_variation_files_hold_the_bytes_they_are_about():
    # Guards against an editor or git (autocrlf) quietly normalizing the fixtures.
    crlf = (DUMPS / "crlf_bom.txt").read_bytes()
    assert crlf.startswith(b"\xef\xbb\xbf")
    assert crlf.count(b"\n") == crlf.count(b"\r\n") > 10
    latin = (DUMPS / "latin1.txt").read_bytes()
    assert b"\xe9" in latin
    with pytest.raises(UnicodeDecodeError):
        latin.decode("utf-8")


def test_older_layouts_give_the_date_and_drop_the_site_header():
    records = only_records(read(DUMPS / "older_layout.txt"))

    assert [(r.title, r.published_at) for r in records] == [
        (
            "Egypt Reopens Rafah Crossing for Travelers in Both Directions",
            datetime(2022, 8, 7, 6, 15),
        ),
        ("Tunisia\u2019s Parliament Approves New Electoral Law", datetime(2022, 8, 7, 18, 40)),
        ("Iraqi Kurdistan Holds Talks on Oil Exports", datetime(2022, 8, 7)),
        ("Jordan Extends Support for Syrian Refugees", datetime(2022, 8, 7)),
    ]
    assert [len(r.paragraphs) for r in records] == [2, 2, 2, 1]
    assert [len(r.captions) for r in records] == [1, 0, 0, 0]
    for record in records:
        for paragraph in record.paragraphs:
            assert not is_site_header(paragraph)
            assert not is_date_line(paragraph)


def test_articles_without_a_photo_have_no_captions():
    records = only_records(read(DUMPS / "no_photo.txt"))

    assert [r.title for r in records] == [
        "Houthis Claim Attack on Ship in the Red Sea",
        "Sudan\u2019s Army Says It Retook Key Bridge in Khartoum",
        "Lebanon Elects New Speaker?",
    ]
    assert [r.captions for r in records] == [(), (), ()]
    assert [len(r.paragraphs) for r in records] == [2, 2, 1]
    assert records[0].paragraphs[0].startswith("Yemen\u2019s Houthi militias said")


def test_several_photos_keep_their_order_and_extra_widgets_are_dropped():
    gaza, iran = only_records(read(DUMPS / "several_photos.txt"))

    assert gaza.captions == (
        "Mediators meet in Cairo, Egypt, January 10, 2025. REUTERS/Amr Abdallah Dalsh",
        "Displaced Palestinians walk in Khan Younis. (AFP)",
        "Smoke rises over Rafah, in the southern Gaza Strip, January 9, 2025. "
        "(File \u2013 Reuters)",
    )
    assert gaza.paragraphs[0].startswith("Negotiators from Egypt")
    assert len(gaza.paragraphs) == 3
    # The second article has no TT line at all.
    assert iran.captions == (
        "Iranian and Saudi officials meet in Beijing. (SANA via AP)",
        "A view of Tehran. EPA/ABEDIN TAHERKENAREH",
    )
    assert iran.paragraphs == (
        "Officials from both countries met in Beijing on Wednesday, IRNA reported.",
        "They agreed to meet again in Riyadh.",
    )


def test_stray_whitespace_is_trimmed_and_quotes_are_kept_as_printed():
    budget, morocco = only_records(read(DUMPS / "stray_whitespace.txt"))

    assert budget.title == 'Libya\u2019s Rival "Governments" Agree on Budget'
    # Printed once each, before the repeated title: captions.
    assert budget.captions == (
        "Libyan officials attend a meeting in Tripoli. (Reuters)",
        "A view of Benghazi\u2019s port. AFP file photo",
    )
    assert budget.paragraphs == (
        "The two rival \u201cgovernments\u201d agreed on a unified budget, officials said.",
        "\u201cThis is a first step,\u201d an official told Asharq Al-Awsat.",
    )
    # No repeated title, but the single caption line runs into the TT widget.
    assert morocco.captions == ("Delegates arrive in Rabat. (AP Photo/Mosa'ab Elshamy)",)
    assert morocco.paragraphs == ("Morocco hosted a regional conference on migration on Monday.",)


def test_crlf_and_a_byte_order_mark_read_like_plain_lf():
    path = DUMPS / "crlf_bom.txt"
    blocks = read(path)
    plain = path.read_bytes()[3:].replace(b"\r\n", b"\n")
    plain_blocks = list(read_dump(lines_of(plain)))

    assert [b.record for b in blocks] == [b.record for b in plain_blocks]
    assert [b.line for b in blocks] == [b.line for b in plain_blocks] == [1, 19]
    lna, unrwa = only_records(blocks)
    assert lna.title == LNA
    assert unrwa.captions == ()
    assert not blocks[0].raw.startswith("\ufeff")
    file_lines = path.read_bytes().split(b"\n")
    assert file_lines[blocks[1].line - 1] == UNRWA.encode() + b"\r"
    for record in (lna, unrwa):
        text = "".join([record.title, *record.captions, *record.paragraphs])
        assert "\r" not in text
        assert "\ufeff" not in text


def test_blocks_without_a_title_are_rejected_with_their_line():
    blocks = read(DUMPS / "no_title.txt")

    assert blocks[0].record is not None
    assert [(p, line) for p, line, _ in errors(blocks)] == [(1, 16), (2, 22), (3, 28)]
    assert [b.line for b in blocks[1:]] == [16, 22, 28]
    for _, line, reason in errors(blocks):
        assert reason.startswith("no title: the block starts with")
        assert f"(line {line})" in reason
    reasons = [reason for _, _, reason in errors(blocks)]
    assert "body paragraph" in reasons[0]
    assert "mid-sentence" in reasons[1]
    assert "printed twice" in reasons[2]


def test_truncated_blocks_are_rejected_as_having_no_body():
    blocks = read(DUMPS / "truncated.txt")

    assert blocks[0].record is not None
    assert blocks[0].record.paragraphs[0].startswith("Kuwait\u2019s Emir approved")
    assert [(p, line) for p, line, _ in errors(blocks)] == [(1, 16), (2, 29), (3, 35)]
    for _, _, reason in errors(blocks):
        assert reason.startswith("no body:")
    assert "only header lines" in errors(blocks)[1][2]
    assert "truncated" in errors(blocks)[2][2]
    assert blocks[3].raw.endswith("Delegates gather in Manama for")


def test_two_articles_run_together_are_rejected_not_merged():
    blocks = read(DUMPS / "run_together.txt")

    assert len(blocks) == 2
    assert blocks[0].record is None
    assert blocks[0].error.line == 19
    assert "run together" in blocks[0].error.reason
    assert "Mauritania Opens Gas Field" in blocks[0].raw
    assert blocks[1].position == 1
    assert blocks[1].record.title == "Syria Reopens Damascus Airport"


def test_a_block_in_another_encoding_is_rejected_naming_the_line_and_byte():
    ascii_block, latin_block = read(DUMPS / "latin1.txt")

    assert ascii_block.record.title == "Algeria and Morocco Trade Accusations"
    assert latin_block.record is None
    assert latin_block.line == 9
    assert latin_block.error.line == 9
    assert "not valid UTF-8 at line 9 (byte 0xE9)" in latin_block.error.reason
    # Nothing is lost: the undecodable bytes are kept, escaped.
    assert latin_block.raw.startswith("Qatar Says Caf\\xe9 Owners Must Register")
    assert "\\x93The rules are clear,\\x94" in latin_block.raw


def test_every_variation_file_reads_without_an_internal_error():
    paths = sorted(DUMPS.glob("*.txt"))
    assert len(paths) >= 8
    for path in paths:
        blocks = read(path)
        assert blocks, path
        assert [b.position for b in blocks] == list(range(len(blocks)))
        for block in blocks:
            assert (block.record is None) != (block.error is None)
            if block.error:
                assert "internal" not in block.error.reason
                assert block.error.line is not None


# ---------------------------------------------------------------------------------------------
# Splitting into blocks


def test_three_blank_lines_separate_articles_two_do_not():
    two = list(iter_raw_blocks(lines_of(b"a\n\n\nb\n")))
    three = list(iter_raw_blocks(lines_of(b"a\n\n\n\nb\n")))

    assert [(b.line, b.data) for b in two] == [(1, b"a\n\n\nb\n")]
    assert [(b.position, b.line, b.data) for b in three] == [(0, 1, b"a\n"), (1, 5, b"b\n")]


@pytest.mark.parametrize(
    "blank",
    [b"", b"   ", b"\t", b"\r", b" \t \r", b"\xc2\xa0", b"\xe3\x80\x80", b"\xef\xbb\xbf", b"\xa0"],
)
def test_whitespace_only_lines_are_blank(blank):
    data = b"\n".join([b"one", blank, blank, blank, b"two"])

    assert is_blank_line(blank + b"\n")
    assert [b.data for b in iter_raw_blocks(lines_of(data))] == [b"one\n", b"two"]


def test_leading_and_trailing_blank_lines_belong_to_no_block():
    blocks = list(iter_raw_blocks(lines_of(b"\n \n\r\nTitle\n\nBody\n\n\n")))

    assert [(b.position, b.line, b.data) for b in blocks] == [(0, 4, b"Title\n\nBody\n")]
    assert list(iter_raw_blocks([])) == []
    assert list(iter_raw_blocks(lines_of(b"\n\n \n\t\n\n\n\n"))) == []


def test_blocks_are_yielded_before_the_rest_of_the_file_is_read():
    consumed = 0

    def endless() -> Iterator[bytes]:
        nonlocal consumed
        while True:
            for line in (b"Title\n", b"\n", b"Body text.\n", b"\n", b"\n", b"\n"):
                consumed += 1
                yield line

    blocks = read_dump(endless())
    first, second = next(blocks), next(blocks)

    assert (first.position, first.line, second.position, second.line) == (0, 1, 1, 7)
    assert first.record == ArticleRecord("Title", (), ("Body text.",))
    assert consumed == 12


def test_decode_block_drops_the_byte_order_mark_only_at_the_start_of_the_file():
    assert decode_block(RawBlock(0, 1, b"\xef\xbb\xbfTitle\n")) == "Title\n"
    assert decode_block(RawBlock(3, 40, b"\xef\xbb\xbfTitle\n")) == "\ufeffTitle\n"


def test_decode_errors_point_at_the_file_line_and_byte():
    with pytest.raises(BlockError) as caught:
        decode_block(RawBlock(2, 40, b"Title\r\n\r\nGood line\r\nBad \x92 quote\r\n"))

    assert caught.value.line == 43
    assert "not valid UTF-8 at line 43 (byte 0x92)" in caught.value.reason
    assert str(caught.value) == caught.value.reason


def test_only_decode_errors_mention_utf8():
    # The importer counts undecodable blocks by looking for "UTF-8" in the reason.
    blocks = parse_text("Title\n\n\n\nA fragment\n\n\n\nno title here, just a fragment.\n")
    for block in blocks:
        assert block.error is None or "UTF-8" not in block.error.reason


def test_looks_binary():
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert not looks_binary("Title \u2019s\n\nBody\n".encode())
    assert not looks_binary(b"")


# ---------------------------------------------------------------------------------------------
# One block


def test_the_shortest_article_is_a_title_and_a_paragraph():
    assert parse_block("Title\n\nBody.") == ArticleRecord("Title", (), ("Body.",))


def test_paragraph_whitespace_is_collapsed_and_a_lone_no_break_space_kept():
    record = parse_block("Title\n\n  A\t\tspaced   out\u00a0 line.  \n\n10\u00a0km away.\n")

    assert record.paragraphs == ("A spaced out line.", "10\u00a0km away.")


def test_errors_give_file_lines_counted_from_first_line():
    with pytest.raises(BlockError) as caught:
        parse_block("\n\nA Title Alone\n", first_line=100)

    assert caught.value.line == 102
    assert caught.value.reason.startswith("no body:")
    assert "(line 102)" in caught.value.reason


def test_a_title_longer_than_the_limit_is_a_body_paragraph():
    long_title = "Word " * (TITLE_MAX // 5) + "End"
    text = f"{long_title}\n\n{long_title}\n\nBody."
    with pytest.raises(BlockError, match=r"^no title: the block starts with a body paragraph"):
        parse_block(text)
    title = long_title[:TITLE_MAX].strip()
    assert parse_block(f"{title}\n\n{title}\n\nBody.").title == title


def test_a_title_followed_only_by_a_caption_is_truncated():
    with pytest.raises(BlockError, match=r"^no body: .*only by a photo caption"):
        parse_block("Bahrain Hosts Security Forum\n\nDelegates gather in Manama. (BNA)\n")


def test_a_line_printed_once_before_the_repeated_title_is_a_caption():
    record = parse_block("Title\n\nA man walks. (AFP)\n\nTitle\n\nThe body.\n")

    assert record.captions == ("A man walks. (AFP)",)
    assert record.paragraphs == ("The body.",)


def test_a_caption_printed_once_after_the_repeated_title_is_kept_as_body():
    record = parse_block("Title\n\nTT\n\nTitle\n\nA man walks. (AFP)\n\nThe body.\n")

    assert record.captions == ()
    assert record.paragraphs == ("A man walks. (AFP)", "The body.")


def test_a_caption_printed_once_without_repeated_title_is_kept_as_body():
    record = parse_block("Title\n\nA man walks. (AFP)\n\nThe body.\n")

    assert record.captions == ()
    assert record.paragraphs == ("A man walks. (AFP)", "The body.")


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ("Para one.\n\nTT\n\nPara two.", "widget line 'TT'"),
        ("Para one.\n\nNext Title\n\nCaption. (AFP)\nCaption. (AFP)\n\nPara.", "printed twice"),
        ("Para one.\n\nSunday, 7 August, 2022 - 06:15\n\nPara two.", "header line"),
        ("P1.\n\nP2.\n\nP3.\n\nP4.\n\nA Title\n\nP5.", "title appears again"),
        ("Para one.\n\nNext Title\n\nNext Title\n\nPara two.", "repeated"),
        ("Para one.\n\nShare | Print", "widget line"),
    ],
)
def test_a_second_header_inside_the_body_means_articles_ran_together(body, found):
    with pytest.raises(BlockError) as caught:
        parse_block(f"A Title\n\n{body}\n", first_line=10)

    assert "run together" in caught.value.reason
    assert found in caught.value.reason
    assert caught.value.line is not None and caught.value.line > 12


def test_the_widget_list_has_the_usual_tokens():
    for token in ("TT", "Share", "Print", "Email", "Facebook", "Twitter", "X", "WhatsApp"):
        assert token in WIDGET_TOKENS
    for token in ("Telegram", "Copy link", "A A", "A+", "A-", "Font size"):
        assert token in WIDGET_TOKENS


@pytest.mark.parametrize("widget", sorted(WIDGET_TOKENS))
def test_every_widget_token_in_the_header_is_dropped(widget):
    cap = "A boy in Gaza. (AFP)"
    text = (
        f"Title\n\n{cap}\n{cap}\nTT\n{widget.upper()}\n  {widget}\n\nTitle\n\n{cap}\n{cap}\n\nBody."
    )

    assert parse_block(text) == ArticleRecord("Title", (cap,), ("Body.",))


def test_widget_words_inside_a_sentence_are_content():
    assert not is_widget_line("Share prices fell")
    assert not is_widget_line("X marks the spot")
    assert is_widget_line("Facebook \u00b7 Twitter \u00b7 WhatsApp")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Sunday, 7 August, 2022 - 06:15", datetime(2022, 8, 7, 6, 15)),
        ("7 August, 2022 - 06:15", datetime(2022, 8, 7, 6, 15)),
        ("Sunday, 7 August 2022", datetime(2022, 8, 7)),
        ("Aug 7, 2022", datetime(2022, 8, 7)),
        ("August 7, 2022 at 6:15 pm", datetime(2022, 8, 7, 18, 15)),
        ("Wed, 12 Sept 2018 - 12:05 AM GMT", datetime(2018, 9, 12, 0, 5)),
        ("2022-08-07 06:15", datetime(2022, 8, 7, 6, 15)),
        ("  Sunday,  7 August, 2022 -\t06:15 ", datetime(2022, 8, 7, 6, 15)),
        ("Monday, 31 February, 2022 - 06:15", None),  # date-shaped, but no such day
    ],
)
def test_date_lines(line, expected):
    assert is_date_line(line)
    assert parse_date_line(line) == expected


@pytest.mark.parametrize(
    "line",
    ["Sunday Talks in Cairo", "7 Killed in Gaza Strike", "August 2022 Was Hottest", "7 August"],
)
def test_titles_that_mention_dates_are_not_date_lines(line):
    assert not is_date_line(line)
    assert parse_block(f"{line}\n\nBody.").title == line


def test_a_date_line_is_never_the_title():
    record = parse_block("Monday, 31 February, 2022 - 06:15\n\nReal Title\n\nBody.")

    assert (record.title, record.published_at) == ("Real Title", None)


@pytest.mark.parametrize(
    "header", ["Asharq Al-Awsat", "ASHARQ AL-AWSAT", "English Edition", "Asharq Al-Awsat English"]
)
def test_site_headers_before_the_title_are_dropped(header):
    record = parse_block(f"{header}\n\nSunday, 7 August, 2022 - 06:15\n\nTitle\n\nBody.")

    assert (record.title, record.paragraphs) == ("Title", ("Body.",))
    assert record.published_at == datetime(2022, 8, 7, 6, 15)
    assert not is_site_header("Asharq Al-Awsat reported")


def test_a_parser_bug_becomes_a_rejected_block_not_a_crash(monkeypatch):
    def broken(text: str, first_line: int = 1) -> ArticleRecord:
        raise RuntimeError("bug")

    monkeypatch.setattr(dumps, "parse_block", broken)
    (block,) = parse_text("Title\n\nBody.\n")

    assert block.record is None
    assert block.error.reason.startswith("internal parser error (RuntimeError)")
    assert block.raw == "Title\n\nBody.\n"


def test_parse_text_turns_lone_surrogates_into_a_rejected_block():
    (block,) = parse_text("Title \ud800\n\nBody.\n")

    assert "not valid UTF-8 at line 1" in block.error.reason


# ---------------------------------------------------------------------------------------------
# Fingerprints


def test_normalize_text_folds_quotes_dashes_width_case_and_spaces():
    assert normalize_text("  \u201cStra\u00dfe\u201d \u2013 it\u2019s\u00a0\t\uff26INE\n") == (
        '"strasse" - it\'s fine'
    )
    assert normalize_text("\ufb01ve\u2014six\u200b") == "five-six"


def test_fingerprint_ignores_captions_date_spacing_and_quote_style():
    record = ArticleRecord("Haftar\u2019s Talks", ("A (AFP)",), ("He said \u201cno.\u201d", "Bye."))
    same = ArticleRecord(
        "haftar's  talks", (), ('He  said "no."', "Bye."), published_at=datetime(2022, 1, 1)
    )

    assert fingerprint(record) == fingerprint(same)
    assert fingerprint(record) != fingerprint(ArticleRecord("Haftar\u2019s Talks", (), ("Bye.",)))


def test_fingerprint_keeps_title_and_body_apart():
    assert fingerprint(ArticleRecord("A", (), ("B C",))) != fingerprint(
        ArticleRecord("A B", (), ("C",))
    )


# ---------------------------------------------------------------------------------------------
# Generated input

LINE_BYTES = st.sampled_from(
    [
        b"",
        b"  ",
        b"\t\r",
        b"\xc2\xa0",
        b"TT",
        b"Share",
        b"A Title",
        b"A Title",
        b"Caption. (AFP)",
        b"Caption. (AFP)",
        b"Body text here.",
        b"another fragment",
        b"Sunday, 7 August, 2022 - 06:15",
        b"Asharq Al-Awsat",
        b"Caf\xe9",
        b"\xef\xbb\xbf",
        b"\x00",
    ]
)
DUMP_LIKE = st.tuples(
    st.lists(LINE_BYTES, max_size=40), st.sampled_from([b"\n", b"\r\n", b"\r"])
).map(lambda t: t[1].join(t[0]))
ANY_BYTES = st.binary(max_size=400) | DUMP_LIKE


def check_blocks(data: bytes) -> None:
    lines = lines_of(data)
    raws = list(iter_raw_blocks(lines))
    blocks = list(read_dump(lines_of(data)))

    assert [b.position for b in blocks] == list(range(len(raws)))
    assert [b.line for b in blocks] == [raw.line for raw in raws]
    for block in blocks:
        assert (block.record is None) != (block.error is None)
        if block.error is not None:
            assert "internal" not in block.error.reason
            assert block.error.reason
        assert block.raw.strip()

    # Nothing lost, nothing reordered: blocks are exact runs of file lines, between them only
    # blank lines, at least three of them.
    end = 0
    for raw in raws:
        own = lines_of(raw.data)
        start = raw.line - 1
        assert lines[start : start + len(own)] == own
        assert not is_blank_line(own[0]) and not is_blank_line(own[-1])
        gap = lines[end:start]
        assert all(is_blank_line(line) for line in gap)
        assert end == 0 or len(gap) >= 3
        blanks = 0
        for line in own:
            blanks = blanks + 1 if is_blank_line(line) else 0
            assert blanks < 3
        end = start + len(own)
    assert all(is_blank_line(line) for line in lines[end:])
    kept = [line for raw in raws for line in lines_of(raw.data) if not is_blank_line(line)]
    assert kept == [line for line in lines if not is_blank_line(line)]


@settings(max_examples=200, deadline=None)
@given(ANY_BYTES)
def test_any_bytes_read_into_one_block_each_and_nothing_is_lost(data):
    check_blocks(data)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300))
def test_any_text_reads_without_raising(text):
    check_blocks(text.encode("utf-8"))
    assert len(parse_text(text)) == len(list(iter_raw_blocks(lines_of(text.encode()))))


# Realistic text: news words, and made-up words of letters, digits and punctuation, with
# curly and straight quotes.
VOCABULARY = [
    *("Gaza", "Libya\u2019s", "Haftar", "LNA", "UN", "the", "a", "of", "in", "to", "and", "said"),
    *("\u201cweaponization\u201d", '"quoted"', "\u2018sources\u2019", "it\u2019s", "don\u2019t"),
    *("(AFP)", "(AP)", "Reuters", "2025.", "6", "410", "km,", "Tripoli;", "Benghazi:"),
    *("al-Watiya", "Al-Awsat", "\u2014", "\u2013", "-", "U.S.", "Jan.", "T\u00fcrkiye", "\u0639"),
]
WORD = st.sampled_from(VOCABULARY) | st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\u00e9\u00fc\u0639"
    "0123456789.,;:!?'\"\u2018\u2019\u201c\u201d-\u2013\u2014()/%&",
    min_size=1,
    max_size=8,
)
LINE = st.lists(WORD, min_size=1, max_size=12).map(" ".join)


def content_line(line: str) -> bool:
    return not (is_widget_line(line) or is_date_line(line) or is_site_header(line))


@st.composite
def records(draw: st.DrawFn) -> ArticleRecord:
    lines = draw(
        st.lists(
            LINE.filter(content_line),
            min_size=2,
            max_size=8,
            unique_by=lambda s: " ".join(s.split()),
        )
    )
    title, rest = lines[0], lines[1:]
    captions = draw(st.integers(min_value=0, max_value=min(4, len(rest) - 1)))
    date = draw(
        st.none()
        | st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)).map(
            lambda d: d.replace(second=0, microsecond=0)
        )
    )
    assert len(title) <= TITLE_MAX
    return ArticleRecord(title, tuple(rest[:captions]), tuple(rest[captions:]), date)


@settings(max_examples=100, deadline=None)
@given(records())
def test_a_rendered_record_parses_back_to_itself(record):
    assert parse_block(render_block(record)) == record


@settings(max_examples=25, deadline=None)
@given(st.lists(records(), max_size=4))
def test_a_rendered_dump_reads_back_record_by_record(records_):
    text = "".join(render_dump(records_))
    blocks = parse_text(text)

    assert [block.record for block in blocks] == records_
    lines = text.split("\n")
    for block, record in zip(blocks, records_, strict=True):
        first = lines[block.line - 1]
        if record.published_at is None:
            assert first == record.title
        else:
            assert parse_date_line(first) == record.published_at


def test_a_huge_header_is_read_in_linear_time():
    # Five thousand single caption lines ending in TT: quadratic scanning would take minutes.
    captions = [f"Caption number {n}. (AFP)" for n in range(5_000)]
    record = parse_block("Title\n\n" + "\n".join(captions) + "\nTT\n\nBody.")

    assert record.captions == tuple(captions)
    assert record.paragraphs == ("Body.",)
