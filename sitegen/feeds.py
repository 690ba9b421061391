"""Atom feeds with feedgen: absolute links everywhere, dates with offsets."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

from . import __version__
from .model import Article

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_RELATIVE_ATTR = re.compile(r'(\s(?:href|src)=")/(?!/)')
# Characters XML 1.0 forbids; lxml refuses them, and content may carry them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def absolutize(html: str, origin: str) -> str:
    """Root-relative links and images in rendered HTML made absolute for feed readers."""
    return _RELATIVE_ATTR.sub(lambda m: f"{m.group(1)}{origin}/", html)


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def feed_content(html: str, origin: str) -> str:
    """An article's HTML as a feed entry carries it: absolute links, XML-safe."""
    return _clean(absolutize(html, origin))


def atom_entry(
    article: Article,
    *,
    url: str,
    authors: Sequence[tuple[str, str]],  # (name, page URL)
    summary: str,
    content: str | None,  # from feed_content(), or None
) -> FeedEntry:
    """One article as a feed entry; the same entry serves every feed the article is in."""
    entry = FeedEntry()
    entry.id(url)
    entry.title(_clean(article.title))
    entry.link(href=url, rel="alternate", type="text/html")
    published = article.date.moment if article.date else _EPOCH
    entry.published(published)
    entry.updated(article.last_modified.moment if article.last_modified else published)
    for name, uri in authors:
        entry.author({"name": _clean(name), "uri": uri})
    entry.summary(_clean(summary))
    if content is not None:
        entry.content(content, type="html")
    for taxonomy, terms in article.terms.items():
        for term in terms:
            entry.category(term=_clean(term), label=_clean(term), scheme=taxonomy)
    return entry


def atom_feed(
    *,
    feed_url: str,
    page_url: str,
    title: str,
    subtitle: str,
    language: str,
    articles: Sequence[Article],
    entry_of: Callable[[Article], FeedEntry],  # from atom_entry()
) -> bytes:
    """One Atom document; `updated` comes from the content, never the clock."""
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(_clean(title))
    if subtitle:
        feed.subtitle(_clean(subtitle))
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.language(language)
    feed.generator("sitegen", __version__)
    stamps = [(a.last_modified.moment if a.last_modified else _EPOCH) for a in articles]
    feed.updated(max(stamps, default=_EPOCH))
    for article in articles:
        feed.add_entry(entry_of(article), order="append")
    return feed.atom_str(pretty=True)
