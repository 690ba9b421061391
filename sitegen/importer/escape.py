"""Markdown escaping, so that imported text renders exactly as it was written."""

from __future__ import annotations

import re

# Characters that start inline syntax anywhere in a line (CommonMark and the common
# plugins: strikethrough `~`, tables `|`). A backslash before any ASCII punctuation
# is always a literal, so escaping one too many is harmless.
_INLINE = re.compile(r"([\\`*_\[\]<~|])")
# `&` only matters where it would start an entity reference such as `&amp;`.
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# Characters that open a block when they start a line: headings, quotes, lists, fences,
# setext underlines, thematic breaks, definition lists, HTML blocks.
_LINE_START = frozenset("#>-+*=_`~|<[:")
_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


def escape_inline(text: str) -> str:
    """Escape the characters that Markdown would read as inline syntax."""
    return _ENTITY.sub(r"\\&", _INLINE.sub(r"\\\1", text))


def escape_line(line: str) -> str:
    """One line of a paragraph, stripped and escaped so it renders as written."""
    line = line.strip()
    escaped = escape_inline(line)
    if line[:1] in _LINE_START and not escaped.startswith("\\"):
        escaped = "\\" + escaped
    ordered = _ORDERED.match(escaped)
    if ordered:
        escaped = ordered.group(1) + "\\" + escaped[ordered.end(1) :]
    return escaped


def escape_paragraph(lines: list[str]) -> str:
    """A paragraph's lines, each escaped, joined with soft line breaks."""
    return "\n".join(escape_line(line) for line in lines if line.strip())


def join_lines(lines: list[str]) -> str:
    """A paragraph's lines as one line: each stripped, joined by one space."""
    return " ".join(line.strip() for line in lines if line.strip())


def strong_paragraph(lines: list[str]) -> str:
    """A paragraph joined into one line and wrapped in `**…**`: the contract's question."""
    return "**" + escape_inline(join_lines(lines)) + "**"


def unescape(markdown: str) -> str:
    """Undo `escape_inline` and `escape_line`; for tests and previews."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
