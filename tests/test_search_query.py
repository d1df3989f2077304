"""The search query syntax: parse_query alone, and the engine query text built from it."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.search.backends import fts5_match, tsquery_text
from articles.search.query import MAX_LENGTH, MAX_TERMS, SearchQuery, Term, parse_query

# Characters that mean something to FTS5, to_tsquery or the syntax here.
SYNTAX = [*"\"'“”‘’*-:^&|!()\\{}+.,;<>@~/", "OR", "AND", "NOT", "NEAR", " ", "\x00", "\n"]


def words(text: str) -> list[tuple[str, ...]]:
    return [term.words for term in parse_query(text).terms]


def test_words_must_all_match():
    query = parse_query("Haftar Russia")
    assert query.groups == ((Term(("haftar",)),), (Term(("russia",)),))
    assert query.excluded == ()
    assert query.warnings == ()
    assert not query.is_empty


def test_a_quoted_phrase_is_one_term():
    query = parse_query('"air base" Libya')
    assert query.groups == ((Term(("air", "base")),), (Term(("libya",)),))
    assert query.terms[0].is_phrase


def test_curly_quotes_make_a_phrase_too():
    assert words("“air base”") == [("air", "base")]


def test_or_joins_the_terms_on_each_side():
    query = parse_query('Haftar Libya OR Sudan OR "Port Sudan"')
    assert query.groups == (
        (Term(("haftar",)),),
        (Term(("libya",)), Term(("sudan",)), Term(("port", "sudan"))),
    )


def test_lower_case_or_is_a_common_word_not_an_operator():
    query = parse_query("war or peace")
    assert query.groups == ((Term(("war",)),), (Term(("peace",)),))
    assert any("“or”" in warning and "OR" in warning for warning in query.warnings)


def test_exclusions():
    query = parse_query('Gaza -Rafah -"Rafah crossing"')
    assert query.groups == ((Term(("gaza",)),),)
    assert query.excluded == (
        Term(("rafah",), negated=True),
        Term(("rafah", "crossing"), negated=True),
    )
    assert query.warnings == ()


def test_a_hyphen_inside_a_word_is_not_an_exclusion():
    assert parse_query("al-Sharaa").terms == (Term(("al-sharaa",)),)


def test_prefix():
    assert parse_query("Tripol*").terms == (Term(("tripol",), prefix=True),)
    assert parse_query("-Trip*").excluded == (Term(("trip",), prefix=True, negated=True),)


def test_a_prefix_needs_two_letters():
    query = parse_query("T* Gaza")
    assert query.terms == (Term(("gaza",)),)
    assert any("at least 2 letters" in warning for warning in query.warnings)


def test_apostrophes_are_one_character():
    assert words('"Haftar’s forces"') == words('"Haftar\'s forces"') == [("haftar's", "forces")]
    assert words("‘Gaza’") == [("gaza",)]


def test_a_possessive_is_the_word_itself():
    assert words("Haftar’s") == words("Haftar's") == words("Haftar") == [("haftar",)]


def test_case_is_folded_and_accents_kept_for_the_engine():
    assert words("TÜRKIYE") == [("türkiye",)]


def test_engine_syntax_is_only_punctuation_here():
    query = parse_query("NEAR(gaza, 3) title:x ^y c|d !e (f) \\g {h} 'k' a&b")
    assert [t.words[0] for t in query.terms] == [
        "near",
        "gaza",
        "3",
        "title",
        "x",
        "y",
        "c",
        "d",
        "e",
        "f",
        "g",
        "h",
        "k",
        "b",
    ]
    for term in query.terms:
        assert re.fullmatch(r"[\w'.-]+", term.words[0])


# --- Bad input: never an error, a warning where useful ---------------------------------------


def test_unbalanced_quote_runs_to_the_end():
    query = parse_query('Haftar "air base')
    assert query.groups == ((Term(("haftar",)),), (Term(("air", "base")),))
    assert any("closing quote" in warning for warning in query.warnings)


def test_nul_and_control_characters_are_dropped():
    query = parse_query("Ga\x00za\x07 Lib\x1bya\tTobruk")
    assert words(query.text) == [("gaza",), ("libya",), ("tobruk",)]
    assert query.text == "Gaza Libya Tobruk"
    assert "\x00" not in query.text


def test_a_long_query_is_cut_with_a_warning():
    query = parse_query("Gaza " * 200)
    assert len(query.text) <= MAX_LENGTH
    assert any("500 characters" in warning for warning in query.warnings)
    assert query.groups == ((Term(("gaza",)),),)
    huge = parse_query("x" * 1_000_000)
    assert len(huge.text) == MAX_LENGTH


def test_too_many_terms_are_cut_with_a_warning():
    query = parse_query(" ".join(f"word{n}" for n in range(MAX_TERMS + 10)))
    assert len(query.terms) == MAX_TERMS
    assert any(f"first {MAX_TERMS}" in warning for warning in query.warnings)


@pytest.mark.parametrize(
    ("text", "kept", "warning"),
    [
        ("OR Gaza", [("gaza",)], "“OR”"),
        ("Gaza OR", [("gaza",)], "“OR”"),
        ("Gaza OR OR Rafah", [("gaza",), ("rafah",)], "“OR”"),
        ("Gaza OR -Rafah", [("gaza",)], "“OR”"),
        ("--Rafah Gaza", [("gaza",)], "one “-”"),
        ("Gaza - Rafah", [("gaza",), ("rafah",)], "“-”"),
        ("Gaza *", [("gaza",)], "“*”"),
        ("*", [], "“*”"),
        ("-", [], "“-”"),
        ("OR", [], "“OR”"),
    ],
)
def test_stray_operators_are_ignored(text, kept, warning):
    query = parse_query(text)
    assert [t.words for t in query.terms] == kept
    assert any(warning in w for w in query.warnings), query.warnings


def test_only_exclusions_match_nothing():
    query = parse_query("-Gaza -Rafah")
    assert query.is_empty
    assert any("add at least one word to search for" in w for w in query.warnings)


@pytest.mark.parametrize("text", ["the of and", "to be or not to be", '"the and"'])
def test_only_common_words_is_empty_with_a_warning(text):
    query = parse_query(text)
    assert query.is_empty
    assert any("common words" in w.lower() for w in query.warnings)


@pytest.mark.parametrize("text", ["!!!", "(", ")", "---", '""', "“”", "«»", "^&|"])
def test_only_punctuation_is_empty_with_a_warning(text):
    query = parse_query(text)
    assert query.is_empty
    assert query.warnings


def test_common_words_inside_a_phrase_are_kept():
    assert words('"the Gaza Strip"') == [("the", "gaza", "strip")]


def test_empty_input_is_empty_without_warnings():
    for text in ("", "   ", "\n\t"):
        query = parse_query(text)
        assert query.is_empty
        assert query.warnings == ()


def test_not_a_string_is_read_as_text():
    assert parse_query(None).is_empty
    assert parse_query(2024).terms == (Term(("2024",)),)


def test_highlight_words_and_str():
    query = parse_query('Gaza "the air base" Tripol* -Rafah')
    assert query.highlight_words() == {"gaza", "air", "base", "tripol"}
    assert str(query) == 'gaza "the air base" tripol* -rafah'
    assert parse_query(str(query)) == SearchQuery(query.groups, query.excluded, (), str(query))


# --- Engine query text ------------------------------------------------------------------------


def test_tsquery_text():
    query = parse_query('Haftar Libya OR "air base" -Rafah -Trip*')
    assert tsquery_text(query) == ("( 'haftar' ) & ( 'libya' | 'air base' ) & !'rafah' & !'trip':*")
    assert tsquery_text(query, any_term=True, weights="A") == (
        "'haftar':A | 'libya':A | 'air base':A"
    )
    assert tsquery_text(parse_query('"Haftar’s men"')) == "( 'haftar''s men' )"


def test_fts5_match():
    query = parse_query('Haftar Libya OR "air base" -Rafah -Trip*')
    assert fts5_match(query) == (
        '(("haftar") AND ("libya" OR "air base")) NOT ("rafah" OR "trip"*)'
    )
    assert fts5_match(query, column="title", any_term=True) == (
        '{title} : ("haftar" OR "libya" OR "air base")'
    )


_FTS5_STRING = re.compile(r'"(?:[^"]|"")*"')
_FTS5_OUTSIDE = re.compile(r"^(?:AND|OR|NOT|\(|\)|\*|\s|\{title\}|\{caption_text\}|:)*$")
_TS_STRING = re.compile(r"'(?:[^'\\]|''|\\.)*'")
_TS_OUTSIDE = re.compile(r"^(?:[&|!()]|:\*?[AB]?|\s)*$")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(st.sampled_from(SYNTAX + list("abcGaza"))).map("".join)))
def test_parse_query_never_raises_and_every_emitted_word_is_quoted(text):
    query = parse_query(text)
    assert isinstance(query, SearchQuery)
    assert len(query.text) <= MAX_LENGTH
    assert all(isinstance(w, str) for w in query.warnings)
    assert len(query.terms) + len(query.excluded) <= MAX_TERMS
    for term in (*query.terms, *query.excluded):
        for word in term.words:
            assert word and word == word.lower()
            assert not set(word) & set('"*()&|!:^\\{} \x00')
    if query.is_empty:
        return
    for match in (fts5_match(query), fts5_match(query, column="title", any_term=True)):
        assert _FTS5_OUTSIDE.match(_FTS5_STRING.sub("", match)), match
    for tsquery in (tsquery_text(query), tsquery_text(query, any_term=True, weights="B")):
        assert _TS_OUTSIDE.match(_TS_STRING.sub("", tsquery)), tsquery
