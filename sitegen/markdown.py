"""Markdown to HTML with markdown-it-py: CommonMark plus tables, strikethrough,
footnotes and heading ids; links to `*.md` sources become site URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .slugs import slugify

WORDS_PER_MINUTE = 220
SUMMARY_LENGTH = 300
MAX_NESTING = 60  # markdown-it drops text nested deeper; quotes are capped below it
MAX_QUOTE_DEPTH = 40
_LINK_KINDS = {"articles": "articles", "authors": "authors", "pages": "pages"}


@dataclass(frozen=True)
class SourceLink:
    """A link in a body to another content file, to be checked by the library."""

    kind: str  # articles, authors or pages
    slug: str
    line: int  # line in the body, counted from 1


@dataclass(frozen=True)
class RenderedBody:
    """A body rendered once: HTML, a plain-text first paragraph, and what it links to."""

    html: str | None  # None once stored: the library loads it from the cache on demand
    first_paragraph: str
    words: int
    links: tuple[SourceLink, ...]
    text: str  # plain text, for related posts; dropped once keywords are taken
    keywords: tuple[str, ...] = ()  # the article's own top words, for related posts

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.words / WORDS_PER_MINUTE))


def _source_link(href: str) -> tuple[str, str, str] | None:
    """(kind, slug, fragment) for a relative link to a `.md` file, else None."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.endswith(".md"):
        return None
    segments = [s for s in parts.path.split("/") if s not in ("", ".", "..")]
    if not segments:
        return None
    kind = "articles"
    if len(segments) >= 2 and segments[-2] in _LINK_KINDS:
        kind = _LINK_KINDS[segments[-2]]
    return kind, segments[-1][: -len(".md")], parts.fragment


def url_for_source(kind: str, slug: str, base_path: str) -> str:
    """The root-relative URL of an article, author or page."""
    if kind == "pages":
        return f"{base_path}{slug}/"
    return f"{base_path}{kind}/{slug}/"


def _rewrite_links(state: StateCore) -> None:
    base_path: str = state.env["base_path"]
    links: list[SourceLink] = state.env["links"]
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        line = (block.map[0] + 1) if block.map else 1
        for token in block.children:
            if token.type in ("softbreak", "hardbreak"):
                line += 1
            if token.type != "link_open":
                continue
            target = _source_link(str(token.attrGet("href") or ""))
            if target is None:
                continue
            kind, slug, fragment = target
            links.append(SourceLink(kind, slug, line))
            url = url_for_source(kind, slug, base_path)
            token.attrSet("href", url + (f"#{fragment}" if fragment else ""))


def _is_single_strong(inline: Token) -> bool:
    children = [
        c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())
    ]
    if (
        len(children) < 3
        or children[0].type != "strong_open"
        or children[-1].type != "strong_close"
    ):
        return False
    depth = 0
    for child in children[:-1]:
        depth += child.type == "strong_open"
        depth -= child.type == "strong_close"
        if depth == 0:
            return False  # the first strong run closed before the end: two runs
    return True


def _mark_questions(state: StateCore) -> None:
    if not state.env.get("interview"):
        return
    tokens = state.tokens
    for index, token in enumerate(tokens[:-1]):
        if (
            token.type == "paragraph_open"
            and token.level == 0
            and tokens[index + 1].type == "inline"
            and _is_single_strong(tokens[index + 1])
        ):
            token.attrSet("class", "question")


@lru_cache(maxsize=4)
def _parser(raw_html: bool) -> MarkdownIt:
    return _build_parser(raw_html)


def _build_parser(raw_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": raw_html, "typographer": False})
    md.options["maxNesting"] = MAX_NESTING
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4, slug_func=_heading_id)
    md.core.ruler.push("sitegen_links", _rewrite_links)
    md.core.ruler.push("sitegen_questions", _mark_questions)
    return md


# Rules that cannot match a body without one of their characters, by those characters
# (for raw HTML, only when it is on). A body that lacks them all is parsed without the
# rules: each is tried at every line or run of text, and for most bodies most never match.
# Output is the same either way (tests/test_markdown.py compares the two parsers).
_TRIGGERED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("|", ("table",)),
    ("`~", ("fence",)),
    ("`", ("backticks",)),
    ("~", ("strikethrough",)),
    ("^", ("footnote_def", "footnote_ref", "footnote_inline")),
    ("\\", ("escape",)),
    ("&", ("entity",)),
    ("<", ("autolink", "html_block", "html_inline")),
    ("!", ("image",)),
    ("#", ("heading",)),
    (">", ("blockquote",)),
    ("[", ("link", "reference")),
    ("*_", ("emphasis",)),
)


# Block rules that need a certain shape of line, by a pattern that every such line
# matches (a superset: a match only keeps the rule). Each rule is tried at every
# paragraph: on prose with no such lines, these and indented code were a quarter of
# the parse (an eighth without `list`, which bodies with lists keep). A line may open
# with containers' markers (`>`, list markers, indentation); footnote definitions can
# hold blocks too, so a body with `^` keeps them all. Searched in the text with line
# breaks as markdown-it normalises them, after a newline standing for the start, so
# each pattern opens with a literal that the regex engine looks for quickly.
_CONTAINERS = r"\n(?:[ \t>]|[-*+][ \t]|\d{1,9}[.)][ \t])*"
_SHAPES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    # A thematic break: three of one marker, with only spaces or tabs between them.
    (re.compile(_CONTAINERS + r"([-*_])[ \t]*\1[ \t]*\1"), ("hr",)),
    # A setext underline: a line of `=` or of `-` alone.
    (re.compile(r"\n[ \t>]*(?:=+|-+)[ \t]*(?:\n|$)"), ("lheading",)),
    # A list item: a bullet, or a number of up to nine digits with `.` or `)`, then a
    # space, a tab or the line's end.
    (re.compile(r"\n[ \t>]*(?:[-*+]|\d{1,9}[.)])(?:[ \t\n]|$)"), ("list",)),
)


def _parser_for(body: str, raw_html: bool) -> MarkdownIt:
    """The parser for one body: the site's, without the rules the body cannot trigger."""
    unused = {
        name
        for characters, names in _TRIGGERED
        if not any(character in body for character in characters)
        for name in names
    }
    # Indented code needs four columns of indentation past its container's.
    if "    " not in body and "\t" not in body:
        unused.add("code")
    if "]:" not in body:  # `[label]: destination`
        unused.add("reference")
    if "\r" not in body and "\0" not in body:  # already normalised, as content files are
        unused.add("normalize")  # two substitutions over the whole text: 65 µs a body
    if "^" not in body:
        lines = "\n" + (body.replace("\r\n", "\n").replace("\r", "\n") if "\r" in body else body)
        unused.update(name for shape, names in _SHAPES if not shape.search(lines) for name in names)
    return _pruned(raw_html, frozenset(unused)) if unused else _parser(raw_html)


@lru_cache(maxsize=512)  # a parser per set of rules dropped; bodies share a few dozen sets
def _pruned(raw_html: bool, unused: frozenset[str]) -> MarkdownIt:
    md = _build_parser(raw_html)
    md.disable(sorted(unused), ignoreInvalid=True)
    return md


def _heading_id(text: str) -> str:
    return slugify(text, max_length=60) or "section"


_TAGS = re.compile(r"<[^>]+>")


def _plain_text(tokens: list[Token]) -> tuple[str, str]:
    """All text, and the first ordinary paragraph's text (questions skipped)."""
    pieces: list[str] = []
    first = ""
    for index, token in enumerate(tokens):
        if token.type != "inline":
            continue
        text = "".join(
            c.content if c.type in ("text", "code_inline") else " "
            for c in token.children or []
            if c.type in ("text", "code_inline", "softbreak", "hardbreak")
        ).strip()
        pieces.append(text)
        opener = tokens[index - 1] if index else None
        is_paragraph = opener is not None and opener.type == "paragraph_open"
        if (
            not first
            and is_paragraph
            and opener is not None
            and opener.attrGet("class") != "question"
            and opener.level == 0
        ):
            first = text
    return "\n".join(pieces), first


def _cap_quote_depth(line: str) -> str:
    """Quote markers past the cap shown as text, so nothing nested deeper is lost.

    A plain scan, not a regex: patterns over optional spaces backtrack exponentially.
    """
    depth = position = 0
    while position < len(line):
        start = position
        while position < len(line) and position - start < 3 and line[position] == " ":
            position += 1
        if position >= len(line) or line[position] != ">":
            return line
        depth += 1
        position += 1
        if depth == MAX_QUOTE_DEPTH:
            rest = line[position:]
            stripped = rest.lstrip(" >")
            markers = rest[: len(rest) - len(stripped)]
            return line[:position] + markers.replace(">", "\\>") + stripped
        if position < len(line) and line[position] == " ":
            position += 1
    return line


def render_markdown(body: str, base_path: str, raw_html: bool, interview: bool) -> RenderedBody:
    """Render one body; pure, so it may run in a worker and be cached by content."""
    if body.count(">") >= MAX_QUOTE_DEPTH:
        body = "\n".join(_cap_quote_depth(line) for line in body.split("\n"))
    md = _parser_for(body, raw_html)
    env: dict = {"base_path": base_path, "links": [], "interview": interview}
    tokens = md.parse(body, env)
    html = md.renderer.render(tokens, md.options, env)
    text, first = _plain_text(tokens)
    return RenderedBody(
        html=html,
        first_paragraph=first,
        words=count_words(text),
        links=tuple(env["links"]),
        text=text,
    )


# str.split()'s whitespace among ASCII characters as a space, any other byte as a letter.
_WORD_SHAPE = bytes(ord(" ") if chr(byte).isspace() else ord("x") for byte in range(256))


def count_words(text: str) -> int:
    """`len(text.split())` without making a string of each word: a body's thousand words
    cost a twentieth of its rendering. Text with other characters, whose whitespace
    includes no-break and other spaces, is split as before."""
    if not text.isascii():
        return len(text.split())
    shape = text.encode("ascii").translate(_WORD_SHAPE)
    return shape.count(b" x") + shape.startswith(b"x")


def cut_at_word(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """Text cut at a word boundary to at most `limit` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-–—")
    return cut + "…"


def strip_tags(html: str) -> str:
    """Text of a small HTML fragment (rendered titles), for attributes."""
    return _TAGS.sub("", html)
