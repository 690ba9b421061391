"""Markdown rendering: CommonMark and extensions, raw HTML off, questions, source links."""

from __future__ import annotations

import lxml.html
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.markdown import count_words, cut_at_word, render_markdown


def parse(html: str):
    return lxml.html.fragment_fromstring(html, create_parent="div")


def test_raw_html_is_shown_not_run_by_default():
    body = render_markdown("Hello <script>alert(1)</script>\n", "/", False, False)
    tree = parse(body.html)
    assert tree.cssselect("script") == []
    assert "<script>alert(1)</script>" in tree.text_content()


def test_raw_html_allowed_when_site_turns_it_on():
    body = render_markdown('<div class="box">x</div>\n', "/", True, False)
    assert parse(body.html).cssselect("div.box")


def test_tables_strikethrough_footnotes_heading_ids():
    source = (
        "## Main point\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ new[^n]\n\n[^n]: A note.\n"
    )
    tree = parse(render_markdown(source, "/", False, False).html)
    assert tree.cssselect("h2")[0].get("id") == "main-point"
    assert tree.cssselect("table td")[0].text == "1"
    assert tree.cssselect("s")[0].text == "old"
    assert "A note." in tree.cssselect(".footnotes")[0].text_content()


def test_questions_only_in_interviews_and_only_single_strong_runs():
    source = "**Why?**\n\n**A** and **B**\n\n**Partly** bold\n\nAnswer.\n"
    interview = parse(render_markdown(source, "/", False, True).html)
    assert [q.text_content() for q in interview.cssselect("p.question")] == ["Why?"]
    analysis = parse(render_markdown(source, "/", False, False).html)
    assert analysis.cssselect("p.question") == []


def test_source_links_become_urls_under_base_path():
    source = "See [x](other.md#part), [p](../authors/jane.md) and [q](pages/about.md).\n"
    body = render_markdown(source, "/archive/", False, False)
    hrefs = [a.get("href") for a in parse(body.html).cssselect("a")]
    assert hrefs == ["/archive/articles/other/#part", "/archive/authors/jane/", "/archive/about/"]
    assert [(link.kind, link.slug, link.line) for link in body.links] == [
        ("articles", "other", 1),
        ("authors", "jane", 1),
        ("pages", "about", 1),
    ]


def test_external_links_are_untouched():
    body = render_markdown("[a](https://example.com/x.md)\n", "/", False, False)
    assert parse(body.html).cssselect("a")[0].get("href") == "https://example.com/x.md"
    assert body.links == ()


def test_first_paragraph_skips_questions_and_summary_cuts_at_a_word():
    body = render_markdown("**Q?**\n\nThe lede here.\n", "/", False, True)
    assert body.first_paragraph == "The lede here."
    cut = cut_at_word("word " * 100, 40)
    assert cut.endswith("…") and len(cut) <= 40 and not cut[:-1].endswith(" ")


def test_deeply_nested_quotes_do_not_recurse_forever():
    body = render_markdown(">" * 10_000 + " deep\n", "/", False, False)
    assert "deep" in body.text


# -- parsing without the rules a body cannot trigger -------------------------------------------
# Every body is parsed without the rules whose characters or line shapes it lacks
# (sitegen/markdown.py). A rule dropped wrongly would change what readers see; these compare
# with the full parser.
TRICKY = [
    "a | b\n--|--\n1 | 2\n",
    "```\ncode\n```\n\n~~~\nmore\n~~~\n",
    "Text with `code` and ~~struck~~ words.\n",
    "A note[^1].\n\n[^1]: The note.\n\nInline ^[note] too.\n",
    "Escaped \\*stars\\* and &amp; &copy; entities.\n",
    "<https://example.org> and <b>bold</b>\n\n<div>\nblock\n</div>\n",
    "![alt](x.png) and [link](y.md) and [ref]\n\n[ref]: https://example.org\n",
    "# Heading\n\nSetext\n======\n\n> quote\n> > deeper\n",
    "*em* _em_ **strong** __strong__\n\n- item\n+ item\n1. item\n\n***\n",
    "    indented code\n\nplain words only\n",
    "> \tcode in a quote\n\n-     code in an item\n",
    "Setext in a quote\n> text\n> ---\n",
    "- item\n  ===\n",
    "A break - - -\n\n* * *\n\n> _ _ _\n\n- ***\n\n1. ---\n",
    "Lists inside: > - a\n\n> 1) b\n\n-\n\n10.\n\n123456789. nine\n",
    "Line ends\r---\r\n- item\r1. one\r\n",
    "Notes[^1][^2].\n\n[^1]: - a list in a note\n\n[^2]: ***\n",
    "Reference [x] after text\n> [x]: /there\n",
    "A NUL \0 byte\r\nand a lone\rline end\n",
]


def full_and_pruned(body: str, raw_html: bool) -> tuple[str, str]:
    from sitegen.markdown import _parser, _parser_for

    def render(md) -> str:
        return md.render(body, {"base_path": "/", "links": [], "interview": True})

    return render(_parser(raw_html)), render(_parser_for(body, raw_html))


def test_bodies_without_some_characters_render_as_the_full_parser_renders_them():
    for body in TRICKY:
        for raw_html in (False, True):
            full, pruned = full_and_pruned(body, raw_html)
            assert pruned == full, body
    # Each line alone lacks most characters: the cases where rules are dropped.
    for line in {line for body in TRICKY for line in body.splitlines()}:
        full, pruned = full_and_pruned(line + "\n", False)
        assert pruned == full, line


MARKDOWN_CHARACTERS = "ab 1\n\n  |`~^\\&<>!#[]()*_-=:.;+\"'/\t\r9\0"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=MARKDOWN_CHARACTERS, max_size=80), st.booleans())
def test_any_body_renders_as_the_full_parser_renders_it(body: str, raw_html: bool):
    full, pruned = full_and_pruned(body, raw_html)
    assert pruned == full


# Pieces of lines: containers' markers, breaks, underlines, list items and line ends.
LINE_PIECES = [
    *("- ", "* ", "+ ", "1. ", "2) ", "> ", "  ", "    ", "\t", "-", "=", "1."),
    *("***", "---", "___", "===", "- - -", "* * *", "_ _ _", "#", "```", "|a|b|", "|-|-|"),
    *("foo", "**bar**", "[x]: /u", "[x]", "[^1]: ", "[^1]", "\n", "\r\n", "\r", " "),
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LINE_PIECES), max_size=14), st.booleans())
def test_any_arrangement_of_block_markers_renders_as_the_full_parser_renders_it(
    pieces: list[str], raw_html: bool
):
    body = "".join(pieces)
    full, pruned = full_and_pruned(body, raw_html)
    assert pruned == full


# Every character str.split() breaks at among ASCII, two that it does not, and a few
# beyond ASCII that it does (no-break, thin and ideographic spaces, NEL).
WORD_CHARACTERS = "ab .\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x00\x7f\u00a0\u2009\u3000\x85é"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=WORD_CHARACTERS, max_size=40))
def test_word_counts_split_where_python_splits(text: str):
    # The count behind each article's reading time and the search index's word counts.
    assert count_words(text) == len(text.split())
