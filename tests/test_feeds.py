"""Atom feeds whose entries are serialized once and spliced into each feed."""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser
from lxml import etree

from sitegen import feeds
from sitegen.dates import parse_archive_date
from sitegen.model import Article

ATOM = "{http://www.w3.org/2005/Atom}"
ORIGIN = "https://example.org"


def _article(slug: str, title: str, day: str) -> Article:
    return Article(
        f"content/articles/{slug}.md",
        slug,
        title,
        parse_archive_date(day, "UTC"),
        ("jane-doe",),
        "",
        1,
        terms={"topics": ("Energy", "Arms control")},
    )


def _feed(articles: list[Article], bodies: dict[str, str]) -> bytes:
    def entry_of(article: Article) -> bytes:
        return feeds.atom_entry(
            article,
            url=f"{ORIGIN}/articles/{article.slug}/",
            authors=[("Jane Doe", f"{ORIGIN}/authors/jane-doe/")],
            summary=f"Summary of {article.title}",
            content=feeds.feed_content(bodies[article.slug], ORIGIN),
        )

    return feeds.atom_feed(
        feed_url=f"{ORIGIN}/feed.xml",
        page_url=f"{ORIGIN}/",
        title="Archive",
        subtitle="Interviews and analysis",
        language="en",
        articles=articles,
        entry_of=entry_of,
    )


def test_spliced_feed_is_the_document_lxml_would_write_for_it() -> None:
    articles = [
        _article("second", "Second “piece” & more", "2024-05-02"),
        _article("first", "First <piece>", "2024-05"),
    ]
    bodies = {
        "second": '<p>See <a href="/articles/first/">the first</a>.</p>\n',
        "first": '<p>Text <img src="//cdn.example.net/x.png" alt=""></p>\n',
    }
    data = _feed(articles, bodies)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n")
    # Parsed and written again, pretty: the same bytes, so entries sit in the document
    # as its own children, indented like the rest, with no namespace of their own.
    root = etree.fromstring(data, etree.XMLParser(remove_blank_text=True))
    again = etree.tostring(
        root.getroottree(), pretty_print=True, encoding="UTF-8", xml_declaration=True
    )
    assert again == data
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [a.title for a in articles]
    content = entries[0].findtext(f"{ATOM}content")
    assert 'href="https://example.org/articles/first/"' in content  # made absolute
    assert 'src="//cdn.example.net/x.png"' in entries[1].findtext(f"{ATOM}content")
    terms = [c.get("term") for c in entries[0].iter(f"{ATOM}category")]
    assert terms == ["Energy", "Arms control"]
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert [e.link for e in parsed.entries] == [
        "https://example.org/articles/second/",
        "https://example.org/articles/first/",
    ]


def test_one_entry_serves_several_feeds_alike() -> None:
    article = _article("shared", "Shared piece", "2023-01-09")
    bodies = {"shared": "<p>Body</p>\n", "other": "<p>Other</p>\n"}
    alone = etree.fromstring(_feed([article], bodies))
    other = _article("other", "Other piece", "2023-02-01")
    together = etree.fromstring(_feed([other, article], bodies))
    first = etree.tostring(alone.find(f"{ATOM}entry"))
    second = etree.tostring(together.findall(f"{ATOM}entry")[1])
    assert first == second
    # The feed's own date is its newest entry's, never the clock's.
    assert together.findtext(f"{ATOM}updated") == "2023-02-01T00:00:00+00:00"


def test_characters_xml_forbids_are_dropped_from_feeds_only() -> None:
    title = "Bad\x0bchars\x1f in a title"
    article = _article("bad", title, "2022-12-31")
    data = _feed([article], {"bad": "<p>A\x00 body\x08 with\uffff controls\tand\ufffe tabs</p>\n"})
    entry = etree.fromstring(data).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Badchars in a title"
    assert entry.findtext(f"{ATOM}content") == "<p>A body with controls\tand tabs</p>\n"
    empty = _feed([], {})
    root = etree.fromstring(empty)
    assert root.findall(f"{ATOM}entry") == []
    assert root.findtext(f"{ATOM}updated") == datetime(1970, 1, 1, tzinfo=UTC).isoformat()
