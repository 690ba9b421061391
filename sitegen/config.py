"""Typed, frozen settings read from `sitegen.toml`."""

from __future__ import annotations

import difflib
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .dates import babel_locale
from .errors import BuildFailed, ConfigError, ErrorCollector

CONFIG_NAME = "sitegen.toml"


@dataclass(frozen=True)
class MarkdownSettings:
    raw_html: bool = False


@dataclass(frozen=True)
class Settings:
    """The site's settings; every key of the contract, typed."""

    title: str
    base_url: str
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    taxonomies: tuple[str, ...] = ("topics", "regions")
    per_page: int = 10
    feed_size: int = 20
    feed_full_content: bool = True
    related_count: int = 5
    search: bool = True
    markdown: MarkdownSettings = field(default_factory=MarkdownSettings)
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def base_path(self) -> str:
        """The path of `base_url`, always starting and ending with `/`."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def origin(self) -> str:
        """Scheme and host of `base_url`, without a trailing slash."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def with_base_url(self, base_url: str) -> Settings:
        """A copy with another base URL, checked like the setting itself."""
        _check_base_url(base_url, CONFIG_NAME, None)
        return replace(self, base_url=_normalise_base_url(base_url))


# key -> (python type(s), description of the type for messages)
_TOP_TYPES: dict[str, tuple[type | tuple[type, ...], str]] = {
    "title": (str, "a string"),
    "base_url": (str, "a string"),
    "description": (str, "a string"),
    "language": (str, "a string"),
    "timezone": (str, "a string"),
    "taxonomies": (list, "a list of strings"),
    "per_page": (int, "a positive integer"),
    "feed_size": (int, "a positive integer"),
    "feed_full_content": (bool, "true or false"),
    "related_count": (int, "a non-negative integer"),
    "search": (bool, "true or false"),
    "markdown": (dict, "a table"),
    "extra": (dict, "a table"),
}
_MARKDOWN_TYPES: dict[str, tuple[type, str]] = {"raw_html": (bool, "true or false")}
_TAXONOMY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def _key_line(text: str, key: str, table: str | None) -> int | None:
    """The line where `key` is set, scanning the text since tomllib gives no lines."""
    current: str | None = None
    pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\")\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            current = header.group(1).strip()
            if table is not None and current == f"{table}.{key}":
                return number
            continue
        if current == table and pattern.match(line):
            return number
        if table is None and current is None and re.match(rf"^\s*\[\s*{re.escape(key)}\s*\]", line):
            return number
    if table is None:
        for number, line in enumerate(text.splitlines(), start=1):
            if re.match(rf"^\s*\[\s*{re.escape(key)}\s*\]", line):
                return number
    return None


def _suggest(key: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    return f"did you mean {close[0]}?" if close else "valid keys: " + ", ".join(sorted(valid))


def _check_base_url(value: str, path: str, line: int | None) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            "must be an absolute URL with a scheme",
            path,
            line,
            "base_url",
            "for example https://example.org/archive/",
        )
    if parts.query or parts.fragment:
        raise ConfigError("must not have a query or fragment", path, line, "base_url")


def _normalise_base_url(value: str) -> str:
    return value if value.endswith("/") else value + "/"


def _type_ok(value: Any, expected: type | tuple[type, ...]) -> bool:
    # bool is a subclass of int; a `per_page = true` must not pass as 1.
    if expected is int and isinstance(value, bool):
        return False
    return isinstance(value, expected)


def parse_settings(text: str, path: str = CONFIG_NAME) -> Settings:
    """Settings from the text of a `sitegen.toml`; every problem reported at once."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_toml_message(str(exc))
        raise BuildFailed([ConfigError(f"invalid TOML: {exc}", path, line)]) from None
    errors = ErrorCollector()
    values: dict[str, Any] = {}
    for key, value in data.items():
        line = _key_line(text, key, None)
        if key not in _TOP_TYPES:
            errors.add(
                ConfigError("unknown setting", path, line, key, _suggest(key, list(_TOP_TYPES)))
            )
            continue
        expected, described = _TOP_TYPES[key]
        if not _type_ok(value, expected):
            errors.add(ConfigError(f"must be {described}", path, line, key))
            continue
        values[key] = value
    for key in ("title", "base_url"):
        if key not in data:
            errors.add(ConfigError("required setting is missing", path, None, key))
    _check_values(values, text, path, errors)
    markdown = _parse_markdown_table(values.pop("markdown", {}), text, path, errors)
    errors.raise_if_any()
    values["base_url"] = _normalise_base_url(values["base_url"])
    if "taxonomies" in values:
        values["taxonomies"] = tuple(values["taxonomies"])
    return Settings(**values, markdown=markdown)


def _line_from_toml_message(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _check_values(values: dict[str, Any], text: str, path: str, errors: ErrorCollector) -> None:
    def fail(key: str, message: str, hint: str | None = None) -> None:
        errors.add(ConfigError(message, path, _key_line(text, key, None), key, hint))
        values.pop(key, None)

    if "base_url" in values:
        try:
            _check_base_url(values["base_url"], path, _key_line(text, "base_url", None))
        except ConfigError as exc:
            errors.add(exc)
            values.pop("base_url")
    for key in ("per_page", "feed_size"):
        if key in values and values[key] < 1:
            fail(key, "must be a positive integer")
    if "related_count" in values and values["related_count"] < 0:
        fail("related_count", "must be a non-negative integer")
    if "timezone" in values:
        try:
            zoneinfo.ZoneInfo(values["timezone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            fail(
                "timezone", f"unknown time zone {values['timezone']!r}", "for example Europe/Berlin"
            )
    if "language" in values and babel_locale(values["language"]) is None:
        fail(
            "language",
            f"unknown language {values['language']!r}",
            "a language tag such as en, de or pt-BR",
        )
    if "taxonomies" in values:
        taxonomies = values["taxonomies"]
        bad = [t for t in taxonomies if not isinstance(t, str) or not _TAXONOMY_RE.match(t)]
        if bad:
            fail("taxonomies", f"invalid taxonomy name {bad[0]!r}", "lower-case ASCII names")
        elif len(set(taxonomies)) != len(taxonomies):
            fail("taxonomies", "lists a taxonomy twice")


def _parse_markdown_table(
    table: dict[str, Any], text: str, path: str, errors: ErrorCollector
) -> MarkdownSettings:
    values: dict[str, Any] = {}
    for key, value in table.items():
        line = _key_line(text, key, "markdown")
        if key not in _MARKDOWN_TYPES:
            hint = _suggest(key, list(_MARKDOWN_TYPES))
            errors.add(ConfigError("unknown setting", path, line, f"markdown.{key}", hint))
            continue
        expected, described = _MARKDOWN_TYPES[key]
        if not _type_ok(value, expected):
            errors.add(ConfigError(f"must be {described}", path, line, f"markdown.{key}"))
            continue
        values[key] = value
    return MarkdownSettings(**values)


def load_settings(site_dir: Path, base_url: str | None = None) -> Settings:
    """Read `sitegen.toml` from a site folder; `base_url` overrides the setting."""
    config_path = site_dir / CONFIG_NAME
    shown = CONFIG_NAME  # paths in messages are relative to the site, like content paths
    try:
        text = config_path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        # Here the folder itself is in question, so show where we looked.
        raise BuildFailed(
            [ConfigError("no settings file", str(config_path), hint="is --site the site's folder?")]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildFailed([ConfigError(f"cannot read: {exc}", shown)]) from None
    settings = parse_settings(text, shown)
    if base_url is not None:
        try:
            settings = settings.with_base_url(base_url)
        except ConfigError as exc:
            exc.path, exc.key, exc.hint = "--base-url", None, exc.hint
            raise BuildFailed([exc]) from None
    return settings


def setting_names() -> list[str]:
    """Every top-level setting name, for documentation and tests."""
    return [f.name for f in fields(Settings)]
