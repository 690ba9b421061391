"""Error types that carry a path and a line, and their one terminal format."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


class SitegenError(Exception):
    """A problem with the user's input, reported as `path:line: key: message (hint)`."""

    def __init__(
        self,
        message: str,
        path: str | Path | None = None,
        line: int | None = None,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.key = key
        self.hint = hint

    def format(self) -> str:
        """The one-line form used everywhere: `path:line: key: message (hint)`."""
        parts = []
        if self.path:
            parts.append(f"{self.path}:{self.line}" if self.line else self.path)
        if self.key:
            parts.append(self.key)
        text = ": ".join([*parts, self.message])
        return f"{text} ({self.hint})" if self.hint else text

    def __str__(self) -> str:
        return self.format()

    def __reduce__(self):  # keep path and line when raised in a worker process
        return (self.__class__, (self.message, self.path, self.line, self.key, self.hint))


class ConfigError(SitegenError):
    """A bad `sitegen.toml`."""


class ContentError(SitegenError):
    """A bad content file: front matter, body, slug or link."""


class TemplateError(SitegenError):
    """A template that fails to parse or render."""


class OutputError(SitegenError):
    """The output folder cannot be written."""


class CacheError(SitegenError):
    """The build cache lacks an entry its own records name (deleted or damaged meanwhile)."""


class ImportError_(SitegenError):
    """Raw text that `sitegen import` cannot turn into an article."""


@dataclass(frozen=True)
class Warning_:
    """A problem that does not stop a build unless `--strict` is given."""

    message: str
    path: str | None = None
    line: int | None = None
    key: str | None = None
    hint: str | None = None

    def as_error(self) -> SitegenError:
        return ContentError(self.message, self.path, self.line, self.key, self.hint)

    def format(self) -> str:
        return self.as_error().format()


class BuildFailed(Exception):
    """Every error one run found; raised once they are all collected."""

    def __init__(self, errors: Iterable[SitegenError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.path or "", e.line or 0, e.key or ""))
        super().__init__(f"{len(self.errors)} errors")

    def __reduce__(self):
        return (self.__class__, (self.errors,))


class ErrorCollector:
    """Gathers errors so a stage can report everything before failing."""

    def __init__(self) -> None:
        self.errors: list[SitegenError] = []

    def add(self, error: SitegenError) -> None:
        self.errors.append(error)

    def raise_if_any(self) -> None:
        if self.errors:
            raise BuildFailed(self.errors)
