"""Immutable records of the site's content; no IO here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

ARTICLE_TYPES = ("interview", "analysis", "commentary", "report", "news")
TYPE_LABELS = {
    "interview": ("Interview", "Interviews"),
    "analysis": ("Analysis", "Analyses"),
    "commentary": ("Commentary", "Commentaries"),
    "report": ("Report", "Reports"),
    "news": ("News", "News"),
}

Precision = Literal["month", "day", "datetime"]


@dataclass(frozen=True, order=True)
class ArchiveDate:
    """A publication date that remembers how much of it is known."""

    moment: datetime  # aware; month-only dates are the 1st at 00:00 in the site's zone
    precision: Precision = field(compare=False)
    written: str = field(compare=False)

    @property
    def year(self) -> int:
        return self.moment.year

    def isoformat(self) -> str:
        """RFC 3339 with an offset, for feeds, sitemaps and JSON-LD."""
        return self.moment.isoformat()


@dataclass(frozen=True)
class Image:
    src: str | None = None
    alt: str | None = None
    credit: str | None = None


@dataclass(frozen=True)
class Article:
    """One article as written in `content/articles/<slug>.md`."""

    source: str  # path as shown in messages
    slug: str
    title: str
    date: ArchiveDate | None
    authors: tuple[str, ...]
    body: str
    body_line: int
    type: str = "analysis"
    interviewees: tuple[str, ...] = ()
    summary: str | None = None
    terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    image: Image | None = None
    related: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    updated: ArchiveDate | None = None
    draft: bool = False
    lang: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    key_lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def url_path(self) -> str:
        """Path below the site root, without base path: `articles/<slug>/`."""
        return f"articles/{self.slug}/"

    @property
    def last_modified(self) -> ArchiveDate | None:
        return self.updated or self.date

    @property
    def people(self) -> tuple[str, ...]:
        """Authors then interviewees, each once."""
        return tuple(dict.fromkeys(self.authors + self.interviewees))

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key)


@dataclass(frozen=True)
class Author:
    """A writer or interviewed expert, from `content/authors/<slug>.md` or made from a slug."""

    source: str | None
    slug: str
    name: str
    body: str = ""
    body_line: int = 1
    role: str | None = None
    affiliation: str | None = None
    photo: str | None = None
    links: Mapping[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    has_file: bool = True

    @property
    def url_path(self) -> str:
        return f"authors/{self.slug}/"


@dataclass(frozen=True)
class Page:
    """A standalone page from `content/pages/<slug>.md`, served at `/<slug>/`."""

    source: str
    slug: str
    title: str
    body: str
    body_line: int = 1
    summary: str | None = None
    lang: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def url_path(self) -> str:
        return f"{self.slug}/"


@dataclass(frozen=True, repr=False)
class Term:
    """One value of a taxonomy, such as the topic `Strategic stability`."""

    taxonomy: str
    name: str
    slug: str

    @property
    def url_path(self) -> str:
        return f"{self.taxonomy}/{self.slug}/"

    def __repr__(self) -> str:
        # The dataclass's own repr, without its guard against cycles (a Term holds only
        # strings): a full build's fingerprints take in 50,000 terms at 10,000 articles.
        return f"Term(taxonomy={self.taxonomy!r}, name={self.name!r}, slug={self.slug!r})"
