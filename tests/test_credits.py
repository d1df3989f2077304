"""Photo credits, known sources and cited outlets, on the real dumps' styles and generated text."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.credits import (
    KNOWN_SOURCES,
    Credit,
    cited_sources,
    known_source,
    parse_credit,
    source_key,
    split_caption,
)
from articles.dumps import read_dump

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "sample_data").glob("*.txt"))

# (printed, agency, photographer, distributor, file_photo)
CREDIT_STYLES = [
    ("(AFP)", "AFP", "", "", False),
    ("(AP Photo/Jehad Alshrafi)", "AP", "Jehad Alshrafi", "", False),
    ("Heiko Junge/NTB/via REUTERS", "NTB", "Heiko Junge", "Reuters", False),
    ("REUTERS/Ahmed Saad", "Reuters", "Ahmed Saad", "", False),
    ("(Reuters)", "Reuters", "", "", False),
    ("(EPA)", "EPA", "", "", False),
    ("AFP file photo", "AFP", "", "", True),
    ("(File \u2013 Reuters)", "Reuters", "", "", True),
    ("(File - Reuters)", "Reuters", "", "", True),
    ("(File photo: AP)", "AP", "", "", True),
    ("(AFP/Getty Images)", "AFP", "", "Getty Images", False),
    ("(SANA via AP)", "SANA", "", "AP", False),
    ("EPA/MOHAMMED SABER", "EPA", "MOHAMMED SABER", "", False),
    ("(Photo: AFP)", "AFP", "", "", False),
    ("(Anadolu Agency)", "Anadolu", "", "", False),
    ("(Asharq Al-Awsat)", "Asharq Al-Awsat", "", "", False),
    ("(Xinhua)", "Xinhua", "", "", False),
    ("EPA-EFE/ATEF SAFADI", "EPA", "ATEF SAFADI", "", False),
    ("(Reuters/File Photo)", "Reuters", "", "", True),
    ("(AFP via Getty Images)", "AFP", "", "Getty Images", False),
    ("(Photo by Mahmud Hams/AFP)", "AFP", "Mahmud Hams", "", False),
    ("Israeli Army/Handout via REUTERS", "Israeli Army", "", "Reuters", False),
    ("(AA)", "Anadolu", "", "", False),
]


@pytest.mark.parametrize(
    ("printed", "agency", "photographer", "distributor", "file_photo"), CREDIT_STYLES
)
def test_every_credit_style_parses(printed, agency, photographer, distributor, file_photo):
    assert parse_credit(printed) == Credit(printed, agency, photographer, distributor, file_photo)


@pytest.mark.parametrize(
    ("printed", "agency", "photographer", "distributor", "file_photo"), CREDIT_STYLES
)
def test_every_credit_style_is_found_at_the_end_of_a_caption(
    printed, agency, photographer, distributor, file_photo
):
    text = "Smoke rises over Khan Younis, in the southern Gaza Strip, on January 9, 2025."
    line = f"{text} {printed}"

    assert split_caption(line) == (
        text,
        Credit(printed, agency, photographer, distributor, file_photo),
    )


def test_two_unknown_names_are_photographer_then_agency():
    assert parse_credit("John Doe/Gulf Photo Service") == Credit(
        "John Doe/Gulf Photo Service", "Gulf Photo Service", "John Doe", "", False
    )


def test_an_unknown_credit_is_kept_whole_as_the_agency():
    assert parse_credit("(Some Outlet)") == Credit("(Some Outlet)", "Some Outlet", "", "", False)


def test_split_caption_on_the_real_seed_captions():
    captions = [
        caption
        for path in SEEDS
        for block in read_dump(path.open("rb"))
        for caption in block.record.captions
    ]
    found = [split_caption(caption) for caption in captions]

    assert [
        (credit.printed, credit.agency, credit.photographer, credit.distributor)
        for _, credit in found
    ] == [
        ("(AFP)", "AFP", "", ""),
        ("Heiko Junge/NTB/via REUTERS", "NTB", "Heiko Junge", "Reuters"),
        ("(AFP)", "AFP", "", ""),
        ("(AP Photo/Jehad Alshrafi)", "AP", "Jehad Alshrafi", ""),
    ]
    assert found[0][0].endswith("during the former\u2019s visit to Russia in September.")
    assert found[1][0].endswith("at Oslo City Hall in Oslo, Norway, January 15, 2025.")
    for caption, (text, credit) in zip(captions, found, strict=True):
        assert f"{text} {credit.printed}" == caption


@pytest.mark.parametrize(
    "caption",
    [
        "Hezbollah supporters wave flags in Beirut (left)",
        "US President Joe Biden (2nd R) meets Gulf leaders in Jeddah",
        "Lebanese army soldiers deploy in the south of the country",
        "Officials met on Monday. Officials told Reuters",
        "Displaced Palestinians in Rafah, January 15, 2025.",
        "A man walks past a mural of the late leader (center).",
        "The ruins of the old city. Mohammed Salem",
        "Talks in Geneva (file)",
        "Ministers meet (L to R) in Cairo",
        "Protesters chant slogans. Reuters reported the clashes",
        "",
    ],
)
def test_captions_without_a_credit_give_none(caption):
    assert split_caption(caption) == (caption.strip(), None)


def test_an_aside_before_the_credit_stays_in_the_text():
    assert split_caption("Sudan's army chief (C) in Port Sudan. (AFP)  ") == (
        "Sudan's army chief (C) in Port Sudan.",
        Credit("(AFP)", "AFP"),
    )


def test_a_caption_that_is_only_a_credit():
    assert split_caption("AFP file photo") == ("", Credit("AFP file photo", "AFP", file_photo=True))


# ---------------------------------------------------------------------------------------------
# Known sources

REQUIRED = [
    *("AFP", "AP", "Reuters", "Bloomberg", "Asharq Al-Awsat", "EPA", "NTB", "Getty Images"),
    *("Anadolu", "Xinhua", "dpa", "ANSA", "SANA", "WAFA", "KUNA", "SPA", "WAM", "MENA", "IRNA"),
    *("Tasnim", "Fars", "TASS", "RIA Novosti", "Sputnik", "Al Jazeera", "Al Arabiya"),
    *("Sky News Arabia", "BBC", "CNN", "The New York Times", "The Washington Post"),
    *("The Wall Street Journal", "Financial Times", "The Guardian", "Axios", "Haaretz"),
    *("The Times of Israel", "Al-Monitor", "Asharq News", "Kyodo", "Yonhap", "Middle East Eye"),
]


def test_the_known_sources_cover_the_usual_agencies_and_outlets():
    names = [source.name for source in KNOWN_SOURCES]

    assert len(names) >= 35
    assert len(set(names)) == len(names)
    assert set(REQUIRED) <= set(names)
    assert {source.kind for source in KNOWN_SOURCES} == {"agency", "outlet"}
    assert known_source("AFP").full_name == "Agence France-Presse"
    assert known_source("AP").full_name == "Associated Press"
    assert known_source("Reuters").kind == "agency"
    assert known_source("Haaretz").kind == "outlet"


def test_no_two_sources_share_a_lookup_key():
    # The migration seeds one alias row per key: a shared key would attach to the wrong source.
    owners: dict[str, str] = {}
    for source in KNOWN_SOURCES:
        for spelling in (source.name, source.full_name, *source.aliases):
            owner = owners.setdefault(source_key(spelling), source.name)
            assert owner == source.name, spelling


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("Agence France Presse", "AFP"),
        ("agence france-presse", "AFP"),
        ("AP Photo", "AP"),
        ("The Associated Press", "AP"),
        ("REUTERS", "Reuters"),
        ("Asharq Al Awsat", "Asharq Al-Awsat"),
        ("Asharq Alawsat", "Asharq Al-Awsat"),
        ("ASHARQ AL-AWSAT", "Asharq Al-Awsat"),
        ("EPA-EFE", "EPA"),
        ("Anadolu Agency", "Anadolu"),
        ("New York Times", "The New York Times"),
        ("  the   guardian ", "The Guardian"),
        ("Times of Israel", "The Times of Israel"),
        ("Al Monitor", "Al-Monitor"),
    ],
)
def test_known_source_by_any_name(spelling, name):
    assert known_source(spelling).name == name


def test_unknown_names_are_not_known_sources():
    for name in ("Heiko Junge", "Gulf Photo Service", "", "The", "Press"):
        assert known_source(name) is None


def test_source_key():
    assert source_key("The Associated Press") == "associated press"
    assert source_key("  Asharq  Al-Awsat ") == "asharq al awsat"
    assert source_key("Iranian Students\u2019 News Agency") == "iranian students news agency"
    assert source_key("EPA-EFE") == source_key("epa efe")


# ---------------------------------------------------------------------------------------------
# Cited outlets


def test_the_seed_lna_article_cites_asharq_al_awsat_then_bloomberg():
    lna = next(read_dump(SEEDS[0].open("rb"))).record

    assert cited_sources("\n\n".join(lna.paragraphs)) == ["Asharq Al-Awsat", "Bloomberg"]
    for path in SEEDS:
        other = list(read_dump(path.open("rb")))[1].record
        assert cited_sources("\n\n".join(other.paragraphs)) == []


@pytest.mark.parametrize(
    ("sentence", "cited"),
    [
        ("A military source told Asharq Al-Awsat that the army was ready.", "Asharq Al-Awsat"),
        ("Bloomberg had reported that Russia was seeking a deal.", "Bloomberg"),
        ('"Warships may dock in Tobruk," reported Bloomberg.', "Bloomberg"),
        ("At least 40 people were killed, according to Reuters.", "Reuters"),
        ("Reuters reported on Monday that talks had stalled.", "Reuters"),
        ("The ministry said in a statement to AFP that it had no comment.", "AFP"),
        ("The remarks were quoted by Xinhua.", "Xinhua"),
        ("The figures were cited by the Financial Times.", "Financial Times"),
        ("Deaths rose to 120, a Reuters tally showed.", "Reuters"),
        ("An official told The Associated Press on condition of anonymity.", "AP"),
        ("He said in an interview with Al Arabiya that the war would end.", "Al Arabiya"),
        ("A spokesman denied to Asharq Al-Awsat that any deal was signed.", "Asharq Al-Awsat"),
        ("The source told AFP Tuesday that the talks had failed.", "AFP"),
        ("The Guardian reported that the ship had been seized.", "The Guardian"),
        ("Iran's Fars news agency reported the arrests.", "Fars"),
        ("GAZA (Reuters) - Israeli strikes killed 12 people.", "Reuters"),
        ("Asharq Al-Awsat has learned that the envoy will visit Beirut.", "Asharq Al-Awsat"),
        ("The plan was first reported by Axios.", "Axios"),
        ("A senior official told AA the border was open.", "Anadolu"),
    ],
)
def test_a_citation_cue_next_to_a_known_name_is_a_citation(sentence, cited):
    assert cited_sources(sentence) == [cited]


@pytest.mark.parametrize(
    "sentence",
    [
        "Washington imposed sanctions on Reuters staff in the region.",
        "The Guardian Council rejected the candidates.",
        "He is the guardian of the two holy mosques.",
        "The Reuters Institute published a study on news habits.",
        "An Al Jazeera journalist was killed in the strike.",
        "Clashes broke out in Fars province, officials said.",
        "The snap election took place as the map changed; ap and aa are not names.",
        "The company went through difficult financial times, according to its chairman.",
        "Bloomberg is a company.",
    ],
)
def test_a_bare_mention_is_not_a_citation(sentence):
    assert cited_sources(sentence) == []


def test_acronyms_must_be_uppercase():
    assert cited_sources("An official told AP the talks failed.") == ["AP"]
    assert cited_sources("An official told ap the talks failed.") == []
    assert cited_sources("A source told Epa the talks failed.") == []


def test_cited_outlets_come_once_in_order_of_first_citation():
    text = (
        "The minister told Al Jazeera he was hopeful. According to Reuters, talks resumed. "
        "He later told Al Jazeera again. Bloomberg News reported the same. A Reuters tally "
        "showed 12 dead."
    )

    assert cited_sources(text) == ["Al Jazeera", "Reuters", "Bloomberg"]


# ---------------------------------------------------------------------------------------------
# Generated input

ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200)
KNOWN_NAMES = {source.name for source in KNOWN_SOURCES}


CREDIT_ENDINGS = st.sampled_from(
    ["(", ")", "/", " via ", ". ", "AFP", "AP", "file photo", "(left)"]
)
CAPTION_LIKE = st.lists(CREDIT_ENDINGS | st.text("aAzZ .-", max_size=6), max_size=8).map("".join)


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT | CAPTION_LIKE)
def test_split_caption_never_raises_and_loses_nothing(line):
    text, credit = split_caption(line)

    caption = line.strip()
    if credit is None:
        assert text == caption
    else:
        assert caption.endswith(credit.printed)
        assert caption.startswith(text)
        assert not caption[len(text) : len(caption) - len(credit.printed)].strip()
        assert credit.agency or credit.distributor
        assert parse_credit(credit.printed) == credit


@settings(max_examples=150, deadline=None)
@given(ANY_TEXT)
def test_parse_credit_and_cited_sources_never_raise(text):
    assert parse_credit(text).printed == text
    cited = cited_sources(text)
    assert len(cited) == len(set(cited))
    assert set(cited) <= KNOWN_NAMES


CAPTION_WORDS = [
    *("Palestinians", "wait", "at", "the", "Rafah", "crossing", "in", "southern", "Gaza", ","),
    *("on", "Monday", "(left)", "2025", "Libya\u2019s", "\u201cdisplaced\u201d", "army", "chief"),
]
CAPTION_TEXT = st.lists(st.sampled_from(CAPTION_WORDS), min_size=1, max_size=12).map(
    lambda words: " ".join(words) + "."
)


@settings(max_examples=150, deadline=None)
@given(CAPTION_TEXT, st.sampled_from(CREDIT_STYLES))
def test_any_caption_text_with_a_credit_splits_back(text, style):
    printed, agency, photographer, distributor, file_photo = style

    assert split_caption(f"{text} {printed}") == (
        text,
        Credit(printed, agency, photographer, distributor, file_photo),
    )


@pytest.mark.parametrize(
    "line",
    [
        "(a" + " " * 20_000 + "x)",
        "Smoke rises. A" + " " * 20_000 + "B",
        "Smoke rises. " + "/".join(["A"] * 5_000),
        "(" * 10_000 + ")" * 10_000,
    ],
)
def test_long_junk_is_no_credit_and_is_read_in_linear_time(line):
    # Quadratic backtracking on these would take many seconds.
    assert split_caption(line) == (line.strip(), None)
    assert cited_sources(line) == []
