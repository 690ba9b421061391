"""Atom feeds with feedgen: absolute links everywhere, dates with offsets.

An article is in several feeds (the site's, its people's, its terms'), so its
entry is made and serialized once, and each feed splices the entries it lists
into the document feedgen writes for its own head.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from . import __version__
from .model import Article

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_RELATIVE_ATTR = re.compile(r'(\s(?:href|src)=")/(?!/)')
# Characters XML 1.0 forbids; lxml refuses them, and content may carry them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_C0_ILLEGAL = bytes(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))  # its C0 part, as bytes


def absolutize(html: str, origin: str) -> str:
    """Root-relative links and images in rendered HTML made absolute for feed readers."""
    if '="/' not in html:  # most bodies: a scan in C instead of the pattern's
        return html
    return _RELATIVE_ATTR.sub(lambda m: f"{m.group(1)}{origin}/", html)


def _clean(text: str) -> str:
    # Deleting the C0 characters from the encoded text, in C, tells whether there are
    # any several times faster than the pattern can; almost no text has one.
    if "\ufffe" not in text and "\uffff" not in text:
        encoded = text.encode("utf-8", "surrogatepass")
        if len(encoded.translate(None, _C0_ILLEGAL)) == len(encoded):
            return text
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
) -> bytes:
    """One article as a feed entry, serialized as `atom_feed` splices it: UTF-8, since an
    entry is in several feeds and joining bytes is a copy, where text is encoded anew."""
    # feedgen and lxml are imported where feeds are made: a rebuild that renders none
    # starts a fortieth of a second sooner.
    from feedgen.entry import FeedEntry
    from lxml import etree

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
    # Indented as a child of <feed>, the way the whole document would be pretty-printed:
    # serialized inside a stand-in parent, whose own two lines are cut off.
    parent = etree.Element("feed")
    parent.append(entry.atom_entry())
    text = etree.tostring(parent, pretty_print=True, encoding="utf-8")
    return text[len(b"<feed>\n") : -len(b"</feed>\n")]


_END = b"</feed>\n"


def atom_feed(
    *,
    feed_url: str,
    page_url: str,
    title: str,
    subtitle: str,
    language: str,
    articles: Sequence[Article],
    entry_of: Callable[[Article], bytes],  # from atom_entry()
) -> bytes:
    """One Atom document; `updated` comes from the content, never the clock."""
    from feedgen.feed import FeedGenerator

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
    head = feed.atom_str(pretty=True)
    if not head.endswith(_END):  # pragma: no cover - feedgen changed how it ends a feed
        raise ValueError("feedgen's Atom document does not end with </feed>")
    return b"".join([head[: -len(_END)], *map(entry_of, articles), _END])
