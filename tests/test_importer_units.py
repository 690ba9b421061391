"""The importer's parts on their own: names, dates, Markdown escaping, recognising text."""

from __future__ import annotations

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from sitegen.importer.datelines import NotACalendarDate, parse_date_line
from sitegen.importer.escape import escape_line, strong_paragraph, unescape
from sitegen.importer.parse import headline, parse_text, sentences, summary_of
from sitegen.importer.people import (
    AuthorIndex,
    KnownAuthor,
    parse_author_line,
    person_key,
    split_honorifics,
    split_role_and_name,
    title_case_name,
)
from sitegen.markdown import render_markdown
from sitegen.slugs import slugify

# Names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "printed"),
    [
        ("Kenan AĞAZADE", "Kenan Ağazade"),
        ("KEMAL KILIÇDAROĞLU", "Kemal Kılıçdaroğlu"),
        ("İLKNUR ŞAHİN", "İlknur Şahin"),
        ("ELMAR MƏMMƏDYAROV", "Elmar Məmmədyarov"),
        ("JOHN SMITH", "John Smith"),
        ("MARY-JANE O'NEILL", "Mary-Jane O'Neill"),
        ("ludwig van beethoven", "Ludwig van Beethoven"),
        ("John McDonald", "John McDonald"),
        ("ANKASAM", "ANKASAM"),
    ],
)
def test_title_case_name(written: str, printed: str) -> None:
    assert title_case_name(written) == printed


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Kenan Ağazade", "kenan-agazade"),
        ("Elmar Məmmədyarov", "elmar-memmedyarov"),
        ("İlknur Şahin", "ilknur-sahin"),
        ("Kemal Kılıçdaroğlu", "kemal-kilicdaroglu"),
        ("İlham Əliyev", "ilham-eliyev"),
    ],
)
def test_slugs_of_turkish_and_azerbaijani_names_are_sensible_ascii(name: str, slug: str) -> None:
    assert slugify(name) == slug


@pytest.mark.parametrize(
    ("written", "honorific", "name"),
    [
        ("Dr. Dmitry Trenin", "Dr.", "Dmitry Trenin"),
        ("Assoc. Prof. Dr. Nargiza Murataliyeva", "Assoc. Prof. Dr.", "Nargiza Murataliyeva"),
        ("Prof. Dr. Ahmet Kara", "Prof. Dr.", "Ahmet Kara"),
        ("Mr. Trenin", "Mr.", "Trenin"),
        ("Ambassador John Smith", "Ambassador", "John Smith"),
        ("His Excellency Ilham Aliyev", "His Excellency", "Ilham Aliyev"),
        ("Doç. Dr. Ayşe Kaya", "Doç. Dr.", "Ayşe Kaya"),
        ("He Yafei", "", "He Yafei"),
        ("Jane Doe, PhD", "", "Jane Doe"),
    ],
)
def test_honorifics_stay_out_of_the_name(written: str, honorific: str, name: str) -> None:
    assert split_honorifics(written) == (honorific, name)


@pytest.mark.parametrize(
    ("person", "name", "role"),
    [
        (
            "Director of the Carnegie Moscow Center, Dr. Dmitry Trenin",
            "Dmitry Trenin",
            "Director of the Carnegie Moscow Center",
        ),
        (
            "Research Fellow at the Lancaster University China Center (LUCC) Justus Nam",
            "Justus Nam",
            "Research Fellow at the Lancaster University China Center (LUCC)",
        ),
        ("Assoc. Prof. Dr. Nargiza Murataliyeva", "Nargiza Murataliyeva", None),
        (
            "Dr. Edward Lemon, professor at Texas A&M University",
            "Edward Lemon",
            "professor at Texas A&M University",
        ),
        ("Political Analyst Dmitry Trenin", "Dmitry Trenin", "Political Analyst"),
        (
            "Former Minister of Foreign Affairs of Azerbaijan ELMAR MƏMMƏDYAROV",
            "Elmar Məmmədyarov",
            "Former Minister of Foreign Affairs of Azerbaijan",
        ),
        ("Dmitry Trenin, Director, Carnegie Moscow Center", "Dmitry Trenin", None),
        ("Analysis", None, None),
        ("The Future of Europe", None, None),
    ],
)
def test_role_and_name_from_a_title(person: str, name: str | None, role: str | None) -> None:
    found_name, found_role = split_role_and_name(person)
    assert found_name == name
    if role is not None or name is None:
        assert found_role == role


@pytest.mark.parametrize(
    ("title", "quote", "name"),
    [
        (
            "Director of the Carnegie Moscow Center, Dr. Dmitry Trenin: “Military Cooperation"
            " Between Russia and China is Developing”",
            "Military Cooperation Between Russia and China is Developing",
            "Dmitry Trenin",
        ),
        (
            "Assoc. Prof. Dr. Nargiza Murataliyeva; “Kazakhstan and Kyrgyzstan can cooperate.”",
            "Kazakhstan and Kyrgyzstan can cooperate.",
            "Nargiza Murataliyeva",
        ),
        ('Prof. Jane Roe: "Straight Quotes Work"', "Straight Quotes Work", "Jane Roe"),
        ("Analysis: “A Quote Without a Person”", "A Quote Without a Person", None),
        ("A Plain Title", None, None),
        ("Mismatched: «quote”", None, None),
    ],
)
def test_headline(title: str, quote: str | None, name: str | None) -> None:
    found_quote, person = headline(title)
    assert found_quote == quote
    assert (person.name if person else None) == name


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("Kenan AĞAZADE", ["Kenan Ağazade"]),
        ("By John Smith and Jane Doe", ["John Smith", "Jane Doe"]),
        ("by kenan ağazade & ilham əliyev", ["Kenan Ağazade", "İlham Əliyev"]),
        ("JOHN SMITH, JANE DOE, and ANN POE", ["John Smith", "Jane Doe", "Ann Poe"]),
        ("By: Dr. Jane Doe", ["Jane Doe"]),
        ("By ANKASAM", ["ANKASAM"]),
        ("Photo from South China Morning Post", None),
        ("Russian and Chinese strategic military collaboration", None),
        ("An Interview", None),
        ("July 1, 2020", None),
        ("Kenan", None),
        ("Director of the Center", None),
    ],
)
def test_author_lines(line: str, names: list[str] | None) -> None:
    assert parse_author_line(line) == names


def test_person_key_ignores_case_diacritics_and_honorifics() -> None:
    assert person_key("Dr. KENAN AĞAZADE") == person_key("kenan agazade") == "kenan-agazade"
    assert person_key("Prof. Dmitri Trenin") == "dmitri-trenin"


def test_author_index_matches_aliases_and_reports_near_misses() -> None:
    index = AuthorIndex()
    index.add(KnownAuthor("dmitry-trenin", "Dmitry Trenin", None, ("Dmitri Trenin",)))
    index.add(KnownAuthor("jane-doe", "Jane Doe", None))
    assert index.find("Dr. Dmitri Trenin").slug == "dmitry-trenin"  # type: ignore[union-attr]
    assert index.find("DMITRY TRENIN").slug == "dmitry-trenin"  # type: ignore[union-attr]
    assert index.find("Jayne Doe") is None
    assert [a.slug for a in index.near_misses("Jayne Doe")] == ["jane-doe"]
    assert [a.slug for a in index.near_misses("J. Doe")] == ["jane-doe"]
    assert index.near_misses("Vladimir Putin") == []


# Dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("July 1, 2020", "2020-07-01"),
        ("July 1 2020", "2020-07-01"),
        ("1 July 2020", "2020-07-01"),
        ("1st July, 2020", "2020-07-01"),
        ("Wednesday, July 1, 2020", "2020-07-01"),
        ("2020-07-01", "2020-07-01"),
        ("01.07.2020", "2020-07-01"),
        ("Published on: 1 Jul 2020", "2020-07-01"),
        ("1 Temmuz 2020", "2020-07-01"),
        ("October 2019", "2019-10"),
        ("Kenan Ağazade", None),
        ("In July 2020 the talks failed.", None),
        ("07/01/2020", None),
    ],
)
def test_date_lines(line: str, day: str | None) -> None:
    assert parse_date_line(line) == day


@pytest.mark.parametrize("line", ["February 30, 2020", "31.02.2020", "2020-13-01", "2020-00-10"])
def test_date_shaped_lines_that_are_no_day(line: str) -> None:
    with pytest.raises(NotACalendarDate):
        parse_date_line(line)


# Sentences and summaries ----------------------------------------------------------------------


def test_sentences_do_not_end_at_honorifics_or_initials() -> None:
    text = "Mr. Trenin met J. Smith in the U.S. yesterday. They talked. Why? Nobody knows."
    assert sentences(text) == [
        "Mr. Trenin met J. Smith in the U.S. yesterday.",
        "They talked.",
        "Why?",
        "Nobody knows.",
    ]


def test_summary_is_one_or_two_sentences_of_the_lede() -> None:
    assert summary_of("One. Two. Three.") == "One. Two."
    long_first = "A" * 200 + ". " + "B" * 200 + "."
    assert summary_of(long_first) == "A" * 200 + "."


# Recognising a whole text ---------------------------------------------------------------------


def test_a_lede_that_asks_is_not_a_question_but_a_question_put_to_you_is() -> None:
    base = "Analyst, Jane Roe: “Quote”\n\nBy John Doe\n\n"
    asked = parse_text(base + "Is the war over?\n\nNot yet.\n")
    assert asked.questions == frozenset()
    put = parse_text(base + "What do you think?\n\nNot much.\n")
    assert put.questions == frozenset({0})


def test_a_biography_block_can_name_the_interviewee_when_the_title_does_not() -> None:
    parsed = parse_text(
        "Sanctions and Their Limits\n\nBy John Doe\n\nThe lede.\n\n"
        "Maria Petrova\nResearch Director at the Eurasia Centre.\n\n"
        "Will the sanctions last?\n\nYes.\n"
    )
    assert parsed.interviewee is not None
    assert parsed.interviewee.name == "Maria Petrova"
    assert parsed.interviewee.role == "Research Director at the Eurasia Centre"
    assert parsed.bio_index == 1
    assert parsed.questions == frozenset({2})


def test_a_name_and_role_block_in_an_analysis_without_questions_is_text() -> None:
    parsed = parse_text(
        "Key Findings\n\nBy John Doe\n\nThe lede.\n\nKey Findings\nThe director of the study.\n"
    )
    assert parsed.interviewee is None and parsed.bio_index is None


@pytest.mark.parametrize("heading", ["Related posts", "RELATED POSTS", "related Posts:", "Related"])
def test_related_headings(heading: str) -> None:
    parsed = parse_text(f"Title\n\nBy Jane Doe\n\nThe lede.\n\n{heading}\n\nOne\nTwo\n")
    assert parsed.related == ("One", "Two")
    assert [p.text for p in parsed.paragraphs] == ["The lede."]


def test_a_related_heading_followed_by_long_text_is_not_a_section() -> None:
    long = "word " * 80
    parsed = parse_text(f"Title\n\nBy Jane Doe\n\nThe lede.\n\nRelated\n\n{long}\n")
    assert parsed.related == ()
    assert len(parsed.paragraphs) == 3


def test_header_lines_may_share_the_title_paragraph() -> None:
    parsed = parse_text("Title\nBy Jane Doe\nJuly 1, 2020\nPhoto: AP\n\nThe lede.\n")
    assert parsed.title == "Title"
    assert [a.name for a in parsed.authors] == ["Jane Doe"]
    assert parsed.date == "2020-07-01"
    assert parsed.credit == "AP"
    assert [p.text for p in parsed.paragraphs] == ["The lede."]


# Markdown escaping ------------------------------------------------------------------------------

_MD = MarkdownIt("commonmark", {"html": True})


def _html(markdown: str) -> str:
    """The build's rendering (tables, strikethrough, footnotes on), checked against CommonMark."""
    html = render_markdown(markdown, "/", raw_html=True, interview=True).html
    if html.strip():
        built = lxml.html.fragment_fromstring(html, create_parent="div").text_content()
        plain = lxml.html.fragment_fromstring(_MD.render(markdown), create_parent="div")
        assert built == plain.text_content()
    return html


def _rendered_text(markdown: str) -> str:
    html = _html(markdown)
    if not html.strip():
        return ""
    return lxml.html.fragment_fromstring(html, create_parent="div").text_content()


@pytest.mark.parametrize(
    "line",
    [
        "# heading",
        "> quote",
        "- item",
        "1. item",
        "2) item",
        "---",
        "===",
        "***",
        "<script>alert(1)</script>",
        "&amp; &#169; &copy",
        "a \\ backslash at the end \\",
        "`code` **bold** _em_ ~~del~~ [x](y) ![i](j) <http://x.org>",
        "| a | b |",
        ": term",
        "+ plus",
        "1984. A year",
    ],
)
def test_escaped_lines_render_as_written(line: str) -> None:
    assert _rendered_text(escape_line(line)).strip() == line


_LINE_TEXT = st.lists(
    st.sampled_from(
        [*"ab 1.)#>-+*=_`~|<[]()!&;:\\\"'\t", "&amp;", "&#169;", "\u00a0", "http://x.y"]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(_LINE_TEXT)
def test_any_escaped_line_renders_as_written(line: str) -> None:
    expected = " ".join(line.split())
    assert " ".join(_rendered_text(escape_line(line)).split()) == expected
    assert unescape(escape_line(line)) == line.strip()


@settings(max_examples=200, deadline=None)
@given(_LINE_TEXT.filter(lambda s: s.strip()))
def test_any_question_is_one_strong_run(text: str) -> None:
    markdown = strong_paragraph([text])
    tree = lxml.html.fragment_fromstring(_html(markdown), create_parent="div")
    (paragraph,) = tree.findall("p")
    assert paragraph.get("class") == "question"
    (strong,) = list(paragraph)
    assert strong.tag == "strong" and not (paragraph.text or "").strip()
    assert " ".join(strong.text_content().split()) == " ".join(text.split())


def test_of_asking_paragraphs_in_a_row_the_one_put_to_the_interviewee_is_the_question() -> None:
    parsed = parse_text(
        "Analyst, Jane Roe: “Nobody Wins”\n\nBy John Doe\n\nThe lede.\n\n"
        "What happened at the talks?\n\n"  # 1: the first to ask
        "They failed. So who wanted a deal?\n\n"  # 2: an answer that ends by asking
        "Who indeed?\n\n"  # 3: the same answer, asking again
        "Will they meet again?\n\n"  # 4: the last in a row, with an answer after it
        "Not this year.\n\n"
        "Ms. Roe, what comes next?\n\n"  # 6: put to her by name
        "Does anyone know?\n\n"  # 7: the answer, asking back
        "Probably not.\n\n"
        "And does it matter?\n"  # 9: last of all, with no answer: the answer's end
    )
    assert sorted(parsed.questions) == [1, 4, 6]
