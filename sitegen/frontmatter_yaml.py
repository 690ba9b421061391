"""Front matter read with python-frontmatter and a YAML handler of our own.

Values are kept as the strings written (no YAML 1.1 booleans, numbers or
dates), and each value remembers its line, taken from PyYAML's node marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from .errors import ContentError

try:  # the C composer is about ten times faster than the pure-Python one
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_NON_STRING_TAGS = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_MAX_NODES = 100_000  # alias expansion bound ("billion laughs")
_MAX_DEPTH = 64  # nesting bound; a recursive alias (`&a [*a]`) is infinitely deep


class Text(str):
    """A scalar as written, with its line and whether YAML would read it as non-text."""

    line: int
    plain_non_string: bool  # unquoted 42, true or null: a type error where a list is due

    def __new__(cls, value: str, line: int, plain_non_string: bool = False) -> Text:
        obj = super().__new__(cls, value)
        obj.line = line
        obj.plain_non_string = plain_non_string
        return obj


@dataclass(frozen=True)
class FrontMatter:
    """The parsed front matter of one file, with key lines and the body."""

    data: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int
    has_front_matter: bool


class LineKeepingHandler(YAMLHandler):
    """python-frontmatter handler: compose nodes, keep written strings and lines."""

    def __init__(self, path: str, line_offset: int = 1) -> None:
        super().__init__()
        self.path = path
        self.line_offset = line_offset

    def load(self, fm: str, **kwargs: object) -> dict[str, Any]:
        try:
            node = yaml.compose(fm, Loader=_Loader)
        except yaml.YAMLError as exc:
            raise self._yaml_error(exc) from None
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            raise ContentError(
                "front matter must be a mapping of keys to values",
                self.path,
                self._line(node),
                hint="write `key: value` lines between the --- lines",
            )
        budget = [_MAX_NODES]
        return self._mapping(node, budget, top=True)

    def _line(self, node: yaml.Node) -> int:
        return node.start_mark.line + self.line_offset

    def _yaml_error(self, exc: yaml.YAMLError) -> ContentError:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + self.line_offset if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return ContentError(
            f"invalid YAML: {problem}", self.path, line, hint="check quotes, colons and indentation"
        )

    def _mapping(
        self, node: yaml.MappingNode, budget: list[int], top: bool = False, depth: int = 0
    ) -> dict:
        result: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ContentError("keys must be plain words", self.path, self._line(key_node))
            key = key_node.value
            if key in result:
                raise ContentError(
                    "key given twice", self.path, self._line(key_node), key, "keep one of them"
                )
            result[key] = self._value(value_node, budget, depth + 1)
            lines[key] = self._line(key_node)
        if top:
            result["__lines__"] = lines
        return result

    def _value(self, node: yaml.Node, budget: list[int], depth: int = 0) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise ContentError("front matter is too large", self.path, self._line(node))
        if depth > _MAX_DEPTH:
            raise ContentError(
                "front matter is nested too deeply",
                self.path,
                self._line(node),
                hint="is an alias (*name) pointing at itself?",
            )
        if isinstance(node, yaml.ScalarNode):
            plain_non_string = not node.style and node.tag in _NON_STRING_TAGS
            if node.tag == "tag:yaml.org,2002:bool":  # YAML 1.1 yes/no/on/off stay words
                plain_non_string = plain_non_string and node.value.lower() in ("true", "false")
            return Text(node.value, self._line(node), plain_non_string)
        if isinstance(node, yaml.SequenceNode):
            return [self._value(item, budget, depth + 1) for item in node.value]
        result = self._mapping(node, budget, depth=depth + 1)
        result.pop("__lines__", None)
        return result


_OPENING = re.compile(r"\A-{3,}[ \t]*\n")


def parse_front_matter(text: str, path: str) -> FrontMatter:
    """Split and parse a content file's text (already decoded, `\\n` line ends)."""
    if not _OPENING.match(text):
        return FrontMatter({}, {}, text, 1, has_front_matter=False)
    handler = LineKeepingHandler(path)
    parts = handler.FM_BOUNDARY.split(text, 2)
    if len(parts) < 3:
        raise ContentError(
            "front matter has no closing ---",
            path,
            1,
            hint="end the front matter with a line of three dashes",
        )
    _, fm, body = parts
    data = handler.load(fm)
    lines = data.pop("__lines__", {})
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    if body.startswith("\n"):
        body, body_line = body[1:], body_line + 1
    return FrontMatter(data, lines, body, body_line, has_front_matter=True)
