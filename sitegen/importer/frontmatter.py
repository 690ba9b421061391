"""Front matter written with PyYAML so that every value reads back as the same string."""

from __future__ import annotations

from typing import Any

import yaml

from ..frontmatter_yaml import parse_front_matter

_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# PyYAML folds these line breaks inside plain and single-quoted scalars, so a value
# holding one would read back changed; double quotes escape them.
_FOLDED_BREAKS = frozenset("\x85\u2028\u2029")


class DateText(str):
    """A date value (`2019-10`, `2020-07-01`), written unquoted."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if any(c in _FOLDED_BREAKS for c in value) else None
    return dumper.represent_scalar(_STR, str(value), style=style)


def _represent_date(dumper: yaml.SafeDumper, value: DateText) -> yaml.ScalarNode:
    # The build reads values as written, so a plain `2020-07-01` is the string it shows.
    tag = dumper.resolve(yaml.ScalarNode, str(value), (True, False))
    return dumper.represent_scalar(tag if tag in (_STR, _TIMESTAMP) else _STR, str(value))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(DateText, _represent_date)


def dump_front_matter(data: dict[str, Any]) -> str:
    """YAML for a front matter mapping: keys in the given order, Unicode as is, one line each."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=1_000_000_000,
        default_flow_style=False,
    )


def as_file(data: dict[str, Any], body: str) -> str:
    """A content file: front matter between `---` lines, a blank line, then the body."""
    text = "---\n" + dump_front_matter(data) + "---\n"
    return text + "\n" + body if body else text


def reads_back(data: dict[str, Any], text: str) -> bool:
    """True when the file's front matter parses back to exactly `data`, as strings."""
    parsed = parse_front_matter(text, "<import>").data
    return _plain(parsed) == _plain(data)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
