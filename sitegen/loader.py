"""Reads `content/`, checks front matter against the contract, yields typed sources."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .config import Settings
from .dates import parse_archive_date
from .errors import ContentError, ErrorCollector, SitegenError
from .frontmatter_yaml import FrontMatter, Text, parse_front_matter
from .model import ARTICLE_TYPES, ArchiveDate, Article, Author, Image, Page
from .slugs import is_valid_slug

RESERVED_SEGMENTS = frozenset(
    {"articles", "authors", "topics", "regions", "archive", "search", "assets", "page", "pagefind"}
)
_ARTICLE_KEYS = {
    "title", "date", "authors", "type", "interviewees", "summary", "image", "related",
    "slug", "aliases", "updated", "draft", "lang",
}  # fmt: skip
_AUTHOR_KEYS = {"name", "role", "affiliation", "photo", "links", "aliases"}
_PAGE_KEYS = {"title", "slug", "summary", "lang", "draft"}


@dataclass(frozen=True)
class Sources:
    """Everything under `content/`, typed and checked, drafts included."""

    articles: tuple[Article, ...]
    authors: tuple[Author, ...]
    pages: tuple[Page, ...]


class _Checker:
    """Turns one file's raw front matter into typed values, recording every error."""

    def __init__(self, fm: FrontMatter, shown: str, errors: ErrorCollector) -> None:
        self.fm = fm
        self.shown = shown
        self.errors = errors
        self.failed: set[str] = set()  # keys already reported, so one key gets one error

    def line(self, key: str) -> int | None:
        return self.fm.lines.get(key)

    def fail(self, key: str, message: str, hint: str | None = None) -> None:
        self.failed.add(key)
        self.errors.add(ContentError(message, self.shown, self.line(key), key, hint))

    def string(self, key: str, required: bool = False) -> str | None:
        value = self.fm.data.get(key)
        if value is None or (isinstance(value, Text) and value.plain_non_string and not value):
            if required:
                self.fail(key, "is required")
            return None
        if not isinstance(value, str):
            self.fail(key, "must be a single text value, not a list or map")
            return None
        if required and not value.strip():
            self.fail(key, "must not be empty")
            return None
        return str(value)

    def string_list(self, key: str, single_ok: bool = False) -> tuple[str, ...]:
        value = self.fm.data.get(key)
        if value is None:
            return ()
        if isinstance(value, Text):
            if value.plain_non_string or not single_ok:
                shown = f"{value!r}" if value else "nothing"
                hint = "write `- item` lines"
                self.fail(key, f"must be a list of text values, got {shown}", hint)
                return ()
            return (str(value),)
        if isinstance(value, dict):
            self.fail(key, "must be a list, not a map", "write `- item` lines")
            return ()
        items: list[str] = []
        for item in value:
            if not isinstance(item, Text) or item.plain_non_string or not item.strip():
                self.fail(key, f"has an entry that is not text: {item!r}", "quote it")
                return ()
            items.append(str(item).strip())
        return tuple(items)

    def flag(self, key: str) -> bool:
        value = self.fm.data.get(key)
        if value is None:
            return False
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        self.fail(key, "must be true or false")
        return False

    def date(self, key: str, timezone: str) -> ArchiveDate | None:
        text = self.string(key)
        if text is None:
            return None
        try:
            return parse_archive_date(text, timezone)
        except ValueError as exc:
            self.fail(key, str(exc), "use YYYY-MM-DD, YYYY-MM or an ISO 8601 date and time")
            return None

    def mapping(self, key: str) -> dict[str, Any] | None:
        value = self.fm.data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(key, "must be a map of keys to values")
            return None
        return value

    def slug(self, default: str, what: str) -> str:
        explicit = self.string("slug")
        slug = explicit if explicit is not None else default
        if not is_valid_slug(slug):
            hint = "ASCII letters, digits and single dashes only"
            if explicit is None:
                self.errors.add(
                    ContentError(
                        f"file name {default!r} is not a valid {what} slug",
                        self.shown,
                        None,
                        "slug",
                        hint + "; rename the file or set slug:",
                    )
                )
            else:
                self.fail("slug", f"{slug!r} is not a valid slug", hint)
        return slug

    def extra(self, known: set[str]) -> dict[str, Any]:
        return {k: _plain(v) for k, v in self.fm.data.items() if k not in known}


def _plain(value: Any) -> Any:
    """Front matter values for templates: plain str, list and dict."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value)


def parse_article(shown: str, text: str, stem: str, settings: Settings) -> Article:
    """One article file's text to an `Article`; raises the first error found."""
    errors = ErrorCollector()
    article = _article(shown, text, stem, settings, errors)
    if errors.errors or article is None:
        raise errors.errors[0]
    return article


def _article(
    shown: str, text: str, stem: str, settings: Settings, errors: ErrorCollector
) -> Article | None:
    fm = _front_matter(shown, text, errors, required=True)
    if fm is None:
        return None
    check = _Checker(fm, shown, errors)
    before = len(errors.errors)
    title = check.string("title", required=True)
    draft = check.flag("draft")
    date = check.date("date", settings.timezone)
    if date is None and not draft and "date" not in check.failed:
        check.fail("date", "is required", "add `date: YYYY-MM-DD` (or YYYY-MM), or `draft: true`")
    authors = check.string_list("authors", single_ok=True)
    if not authors and "authors" not in check.failed:
        check.fail("authors", "is required", "list the slugs of the people who wrote it")
    article_type = check.string("type") or "analysis"
    if article_type not in ARTICLE_TYPES:
        check.fail("type", f"unknown type {article_type!r}", "one of " + ", ".join(ARTICLE_TYPES))
    interviewees = check.string_list("interviewees")
    if article_type == "interview" and not interviewees and "interviewees" not in check.failed:
        check.fail("interviewees", "an interview names its interviewees", "list their slugs")
    for key, slugs in (("authors", authors), ("interviewees", interviewees)):
        for slug in slugs:
            if not is_valid_slug(slug):
                check.fail(key, f"{slug!r} is not an author slug", "for example dmitry-trenin")
    terms = {taxonomy: check.string_list(taxonomy) for taxonomy in settings.taxonomies}
    image = _image(check)
    slug = check.slug(stem, "article")
    known = _ARTICLE_KEYS | set(settings.taxonomies)
    if len(errors.errors) > before or title is None:
        return None
    return Article(
        source=shown,
        slug=slug,
        title=title,
        date=date,
        authors=authors,
        body=fm.body,
        body_line=fm.body_line,
        type=article_type,
        interviewees=interviewees,
        summary=check.string("summary"),
        terms=terms,
        image=image,
        related=check.string_list("related"),
        aliases=check.string_list("aliases"),
        updated=check.date("updated", settings.timezone),
        draft=draft,
        lang=check.string("lang"),
        extra=check.extra(known),
        key_lines=dict(fm.lines),
    )


def _image(check: _Checker) -> Image | None:
    table = check.mapping("image")
    if table is None:
        return None
    values: dict[str, str] = {}
    for key, value in table.items():
        if key not in ("src", "alt", "credit"):
            check.fail("image", f"unknown key {key!r}", "image takes src, alt and credit")
        elif not isinstance(value, str):
            check.fail("image", f"{key} must be text")
        else:
            values[key] = str(value)
    if "src" in values and not values.get("alt"):
        check.fail("image", "an image with src needs alt text", "describe the photo in alt:")
    return Image(**values)


def _front_matter(
    shown: str, text: str, errors: ErrorCollector, required: bool
) -> FrontMatter | None:
    try:
        fm = parse_front_matter(text, shown)
    except SitegenError as exc:
        errors.add(exc)
        return None
    if required and not fm.has_front_matter:
        errors.add(
            ContentError("has no front matter", shown, 1, hint="start the file with a --- line")
        )
        return None
    return fm


def _author(shown: str, text: str, stem: str, errors: ErrorCollector) -> Author | None:
    fm = _front_matter(shown, text, errors, required=True)
    if fm is None:
        return None
    check = _Checker(fm, shown, errors)
    before = len(errors.errors)
    name = check.string("name", required=True)
    links_table = check.mapping("links") or {}
    links: dict[str, str] = {}
    for label, url in links_table.items():
        if not isinstance(url, str) or not url.strip():
            check.fail("links", f"link {label!r} must be a URL")
        elif not re.match(r"^(?:https?://|mailto:)", url.strip(), re.IGNORECASE):
            check.fail(
                "links", f"link {label!r} must be an http(s) or mailto URL", "e.g. https://…"
            )
        else:
            links[label] = str(url)
    photo = check.string("photo")
    if photo is not None and (photo.startswith("/") or ".." in photo.split("/")):
        check.fail("photo", "must be a path under assets/", "for example img/trenin.jpg")
    slug = check.slug(stem, "author")
    if len(errors.errors) > before or name is None:
        return None
    return Author(
        source=shown,
        slug=slug,
        name=name,
        body=fm.body,
        body_line=fm.body_line,
        role=check.string("role"),
        affiliation=check.string("affiliation"),
        photo=photo,
        links=links,
        aliases=check.string_list("aliases"),
        extra=check.extra(_AUTHOR_KEYS),
    )


def _page(shown: str, text: str, stem: str, errors: ErrorCollector) -> Page | None:
    fm = _front_matter(shown, text, errors, required=True)
    if fm is None:
        return None
    check = _Checker(fm, shown, errors)
    before = len(errors.errors)
    title = check.string("title", required=True)
    slug = check.slug(stem, "page")
    if slug in RESERVED_SEGMENTS:
        check.fail("slug", f"{slug!r} is reserved for the site's own pages", "choose another slug")
    if len(errors.errors) > before or title is None:
        return None
    return Page(
        source=shown,
        slug=slug,
        title=title,
        body=fm.body,
        body_line=fm.body_line,
        summary=check.string("summary"),
        lang=check.string("lang"),
        extra=check.extra(_PAGE_KEYS),
    )


def _content_files(folder: Path) -> list[str]:
    """Names of the visible `*.md` files in `folder`, sorted (os.scandir: no stat per file)."""
    try:
        with os.scandir(folder) as entries:
            names = [
                entry.name for entry in entries if _is_content_name(entry.name) and entry.is_file()
            ]
    except OSError:  # no such folder (or an unreadable one, as glob() treated it)
        return []
    return sorted(names)


class SourceFile(NamedTuple):
    """One content file: its kind (`articles`, `authors` or `pages`) and where it is. A
    named tuple: every build makes one for each of 10,000 files, and a frozen dataclass
    took four times as long to make."""

    kind: str
    file: str  # its path; a string, as a Path for each of 10,000 files costs 0.1 s a build
    shown: str  # as printed in messages, relative to the site folder

    @property
    def path(self) -> Path:
        return Path(self.file)

    @property
    def stem(self) -> str:
        return os.path.splitext(os.path.basename(self.file))[0]

    def read(self, size: int = 0) -> bytes:
        """The file's bytes. Plain os calls: Path.read_bytes took twice as long, and a
        cold build reads 11,000 files before its workers start. `size` is what its stat
        said, to read it in one call (it is read to the end either way)."""
        fd = os.open(self.file, os.O_RDONLY)
        try:
            parts = [os.read(fd, size + 1 if size > 0 else 1 << 16)]
            while parts[-1]:
                parts.append(os.read(fd, 1 << 16))
        finally:
            os.close(fd)
        return b"".join(parts)


CONTENT_KINDS = ("articles", "authors", "pages")


def list_source_files(
    site_dir: Path, stamps: Mapping[str, os.stat_result] | None = None
) -> list[SourceFile]:
    """Every `*.md` file under `content/articles`, `content/authors` and `content/pages`.

    `stamps` (path -> stat of every file below the site's content, as a caller has just
    taken them) spare listing the folders a second time.
    """
    folders = {os.fspath(site_dir / "content" / kind): kind for kind in CONTENT_KINDS}
    names: dict[str, list[str]] = {root: [] for root in folders}
    if stamps is None:
        for root in folders:
            names[root] = _content_files(Path(root))
    else:
        for path, stamp in stamps.items():
            root, _, name = path.rpartition(os.sep)
            if root in names and _is_content_name(name) and stat.S_ISREG(stamp.st_mode):
                names[root].append(name)
    return [
        SourceFile(kind, f"{root}{os.sep}{name}", f"content/{kind}/{name}")
        for root, kind in folders.items()
        for name in sorted(names[root])
    ]


def _is_content_name(name: str) -> bool:
    return name.endswith(".md") and not name.startswith(".")


def decode_source(data: bytes, shown: str) -> str:
    """Decode a content file strictly: UTF-8 (a BOM is fine), no NUL, `\\n` line ends."""
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise ContentError("file contains NUL bytes", shown, line, hint="is it a binary file?")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ContentError(
            "file is not valid UTF-8", shown, line, hint="save it as UTF-8 text"
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ContentError("file is empty", shown, 1, hint="add front matter and a body")
    return text


def parse_source(
    source: SourceFile, data: bytes, settings: Settings
) -> tuple[Article | Author | Page | None, list[SitegenError]]:
    """One content file's bytes to its typed record, with every error found in it."""
    errors = ErrorCollector()
    try:
        text = decode_source(data, source.shown)
    except SitegenError as exc:
        return None, [exc]
    record: Article | Author | Page | None
    if source.kind == "articles":
        record = _article(source.shown, text, source.stem, settings, errors)
    elif source.kind == "authors":
        record = _author(source.shown, text, source.stem, errors)
    else:
        record = _page(source.shown, text, source.stem, errors)
    return record, errors.errors


def _check_unique(items: Iterable[Any], what: str, errors: ErrorCollector) -> None:
    seen: dict[str, Any] = {}
    for item in items:
        other = seen.get(item.slug)
        if other is not None:
            errors.add(
                ContentError(
                    f"{what} slug {item.slug!r} is already used by {other.source}",
                    item.source,
                    item.key_lines.get("slug") if hasattr(item, "key_lines") else None,
                    "slug",
                    "give one of them another slug",
                )
            )
        else:
            seen[item.slug] = item


def assemble_sources(records: Iterable[Any], errors: ErrorCollector) -> Sources:
    """Group parsed records by kind, in file order, and check that slugs are unique."""
    records = list(records)
    articles = [r for r in records if isinstance(r, Article)]
    authors = [r for r in records if isinstance(r, Author)]
    pages = [r for r in records if isinstance(r, Page)]
    _check_unique(articles, "article", errors)
    _check_unique(authors, "author", errors)
    _check_unique(pages, "page", errors)
    return Sources(tuple(articles), tuple(authors), tuple(pages))
