"""Hostile text is inert everywhere: titles, summaries, names and related titles full of
`<script>`, `</script>`, quotes and `&` render as the text written, in HTML text and
attributes, JSON-LD, feeds, the sitemap and the search metadata; raw HTML in Markdown is off."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.html
import pytest
from lxml import etree
from playwright.sync_api import Page
from support.nginx import nginx_serving
from support.site import SITES, build, html, text_of

HOSTILE = SITES / "hostile"
PREFIX = "/archive/"
SITE_TITLE = "Hostile </title><script>alert('site title')</script> & \"Co\""
NAV_TITLE = "<img src=x onerror=alert('nav')> & About"
TITLE = "</script><script>alert('title')</script> “Curly” \"straight\" 'single' & <b>bold</b> &amp;"
SUMMARY = (
    "A summary with </script><!-- <script>alert('summary')</script> & \"quotes\" ]]> "
    "<img src=x onerror=alert('summary')>"
)
OTHER_TITLE = "Ampersands & <angle> brackets \"double\" 'single' </title></head>"
TOPICS = ["<script>alert('topic')</script>", 'Arms & "Control"']
REGION = "</script>Region<!--"
ALT = "\"><script>alert('alt')</script>"
CREDIT = "<script>alert('credit')</script> & co"
AUTHOR = "<script>alert('name')</script> O'Brien & \"Sons\""
AUTHOR_ROLE = "</script><script>alert('role')</script>"
AUTHOR_AFFILIATION = "\"><img src=x onerror=alert('affiliation')>"
AUTHOR_LINK = ("<b>Website</b> & more", 'https://example.com/?a=1&b=<2>"x')
EXPERT = 'Dr. "Quote" </script><!-- & Partners'
EXPERT_ROLE = "& &amp; &lt;script&gt; stays as written"
PAGE_TITLE = "About <script>alert('page')</script>"
ARTICLE = "articles/script-in-title/"
OTHER = "articles/ampersands/"
ATOM = "{http://www.w3.org/2005/Atom}"
# Where the theme's own scripts come from.
THEME_SCRIPTS = (PREFIX + "assets/", PREFIX + "pagefind/")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster")
SCRIPT_SCHEMES = ("javascript", "vbscript", "data")
PAGEFIND_ATTRIBUTES = {
    "data-pagefind-body", "data-pagefind-ignore", "data-pagefind-meta", "data-pagefind-filter",
    "data-pagefind-sort", "data-pagefind-weight", "data-pagefind-index-attrs",
}  # fmt: skip
PAGEFIND_KEYS = {
    "type",
    "author",
    "interviewee",
    "topic",
    "region",
    "year",
    "date",
    "title",
    "image",
}


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("hostile") / "output"
    build(HOSTILE, output, search=False)
    return output


def pages(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))


def test_no_script_element_but_json_ld_and_the_themes_own(output: Path) -> None:
    found = []
    for file in pages(output):
        data = file.read_bytes()
        document = lxml.html.document_fromstring(data)
        for script in document.iter("script"):
            src = script.get("src")
            if script.get("type") == "application/ld+json" and src is None:
                continue
            if src is not None and src.startswith(THEME_SCRIPTS) and not (script.text or ""):
                continue
            found.append(f"{file.relative_to(output)}: {lxml.html.tostring(script)[:80]!r}")
        # Every `<script` in the bytes is an element the parser saw: nothing hides in
        # a comment or an attribute that another parser would read differently.
        assert data.lower().count(b"<script") == len(document.xpath("//script")), file
    assert found == []


def test_no_event_handler_attributes_or_script_urls(output: Path) -> None:
    found = []
    for file in pages(output):
        for element in lxml.html.document_fromstring(file.read_bytes()).iter():
            if not isinstance(element.tag, str):
                continue
            if element.tag in ("iframe", "object", "embed", "base", "frame"):
                found.append(f"{file.relative_to(output)}: <{element.tag}>")
            for name, value in element.attrib.items():
                scheme = urlsplit(value.strip()).scheme.lower() if ":" in value else ""
                runs_script = name in URL_ATTRIBUTES and scheme in SCRIPT_SCHEMES
                if name.startswith("on") or runs_script:
                    found.append(f"{file.relative_to(output)}: {name}={value!r}")
    assert found == []


def test_article_shows_every_hostile_text_as_written(output: Path) -> None:
    page = html(output, ARTICLE)
    assert text_of(page.cssselect("h1")[0]) == TITLE
    assert page.findtext(".//title") == f"{TITLE} — {SITE_TITLE}"
    meta = {m.get("property") or m.get("name"): m.get("content") for m in page.iter("meta")}
    assert meta["og:title"] == meta["twitter:title"] == TITLE
    assert meta["description"] == meta["og:description"] == SUMMARY
    assert meta["og:site_name"] == SITE_TITLE
    assert [text_of(a) for a in page.cssselect(".byline a")] == [AUTHOR]
    card = page.cssselect(".person-card")[0]
    assert text_of(card.cssselect(".person-name")[0]) == EXPERT
    assert text_of(card.cssselect(".person-role")[0]) == EXPERT_ROLE
    assert page.cssselect("img[width='1200']")[0].get("alt") == ALT
    assert text_of(page.cssselect(".photo-credit")[0]) == CREDIT
    terms = [text_of(a) for a in page.cssselect(".article-terms a")]
    assert sorted(terms) == sorted([*TOPICS, REGION])
    assert [text_of(a) for a in page.cssselect(".related-title")] == [OTHER_TITLE]
    assert text_of(page.cssselect(".footer-title")[0]) == SITE_TITLE
    assert NAV_TITLE in [text_of(a) for a in page.cssselect(".footer-links a")]
    questions = [text_of(q) for q in page.cssselect("p.question")]
    assert questions == ["Raw HTML stays text: <script>alert('question')</script>?"]


def test_lists_people_and_pages_show_hostile_text_as_written(output: Path) -> None:
    home = html(output, "")
    assert sorted(text_of(a) for a in home.cssselect(".card-title a")) == sorted(
        [TITLE, OTHER_TITLE]
    )
    assert [text_of(a) for a in html(output, OTHER).cssselect(".related-title")] == [TITLE]
    author = html(output, "authors/hostile-author/")
    assert text_of(author.cssselect("h1")[0]) == AUTHOR
    assert text_of(author.cssselect(".author-role")[0]) == AUTHOR_ROLE
    assert text_of(author.cssselect(".author-affiliation")[0]) == AUTHOR_AFFILIATION
    links = [(text_of(a), a.get("href")) for a in author.cssselect(".author-links a")]
    assert AUTHOR_LINK in links
    topic = html(output, "topics/script-alert-topic-script/")
    assert text_of(topic.cssselect("h1")[0]) == TOPICS[0]
    assert text_of(html(output, "about/").cssselect("h1")[0]) == PAGE_TITLE


def test_raw_html_in_markdown_stays_text_by_default(output: Path) -> None:
    prose = html(output, ARTICLE).cssselect(".prose")[0]
    assert prose.xpath(".//script | .//img | .//iframe") == []
    text = text_of(prose)
    for written in ["<script>alert('body')</script>", '<img src="x" onerror="alert(\'img\')">']:
        assert written in text
    assert "<script>alert('footnote')</script>" in text
    headings = [text_of(h) for h in prose.cssselect("h2")]
    assert "</script><script>alert('heading')</script>" in headings
    hrefs = [a.get("href") for a in prose.iter("a")]
    assert f"{PREFIX}{OTHER}" in hrefs
    assert not [h for h in hrefs if h and h.lower().startswith(("javascript:", "data:"))]
    about = html(output, "about/")
    assert "<script>alert('page body')</script>" in text_of(about.cssselect("main")[0])


def test_json_ld_parses_and_gives_back_the_hostile_text(output: Path) -> None:
    for file in pages(output):
        for script in lxml.html.document_fromstring(file.read_bytes()).iter("script"):
            if script.get("type") == "application/ld+json":
                assert "<" not in script.text, file  # nothing can close the element early
                json.loads(script.text)
    blocks = [json.loads(s.text) for s in html(output, ARTICLE).cssselect("script[type*=ld]")]
    article = next(b for b in blocks if b["@type"] == "Article")
    assert article["headline"] == TITLE
    assert article["description"] == SUMMARY
    assert article["publisher"]["name"] == SITE_TITLE
    assert [(a["name"], a["jobTitle"]) for a in article["author"]] == [(AUTHOR, AUTHOR_ROLE)]
    assert article["author"][0]["affiliation"]["name"] == AUTHOR_AFFILIATION
    assert [p["name"] for p in article["about"]] == [EXPERT]
    assert set(article["keywords"]) == {*TOPICS, REGION}
    crumbs = next(b for b in blocks if b["@type"] == "BreadcrumbList")
    assert crumbs["itemListElement"][0]["name"] == SITE_TITLE
    assert crumbs["itemListElement"][-1]["name"] == TITLE
    other = html(output, OTHER).cssselect("script[type*=ld]")
    assert json.loads(other[0].text)["headline"] == OTHER_TITLE


def feeds(output: Path) -> list[Path]:
    return sorted(output.rglob("feed.xml"))


def test_feeds_parse_and_give_back_the_hostile_text(output: Path) -> None:
    assert len(feeds(output)) >= 5
    for file in feeds(output):
        etree.fromstring(file.read_bytes())
        parsed = feedparser.parse(file.read_bytes())
        assert not parsed.bozo, (file, parsed.get("bozo_exception"))
    feed = etree.fromstring((output / "feed.xml").read_bytes())
    assert feed.findtext(f"{ATOM}title") == SITE_TITLE
    entries = {e.findtext(f"{ATOM}title"): e for e in feed.iter(f"{ATOM}entry")}
    assert sorted(entries) == sorted([TITLE, OTHER_TITLE])
    entry = entries[TITLE]
    assert entry.findtext(f"{ATOM}summary") == SUMMARY
    assert [a.findtext(f"{ATOM}name") for a in entry.iter(f"{ATOM}author")] == [AUTHOR]
    categories = {c.get("term") for c in entry.iter(f"{ATOM}category")}
    assert categories == {*TOPICS, REGION}
    # The body travels as escaped HTML: a reader shows it as the page does, raw HTML as text.
    content = lxml.html.fragment_fromstring(entry.findtext(f"{ATOM}content"), "div")
    assert content.xpath(".//script | .//img") == []
    readers = feedparser.parse((output / "feed.xml").read_bytes())
    assert sorted(e.title for e in readers.entries) == sorted([TITLE, OTHER_TITLE])
    assert readers.feed.title == SITE_TITLE
    author_feed = etree.fromstring((output / "authors/hostile-author/feed.xml").read_bytes())
    assert author_feed.findtext(f"{ATOM}title").startswith(AUTHOR)


def test_sitemap_parses_and_lists_only_the_sites_urls(output: Path) -> None:
    sitemap = etree.fromstring((output / "sitemap.xml").read_bytes())
    locations = [loc.text for loc in sitemap.iter("{*}loc")]
    assert f"https://example.org{PREFIX}{ARTICLE}" in locations
    assert all(loc.startswith(f"https://example.org{PREFIX}") for loc in locations)


def test_search_metadata_holds_the_hostile_text_as_written(output: Path) -> None:
    for file in pages(output):
        for element in lxml.html.document_fromstring(file.read_bytes()).iter():
            if not isinstance(element.tag, str):
                continue
            for name, value in element.attrib.items():
                if not name.startswith("data-pagefind"):
                    continue
                assert name in PAGEFIND_ATTRIBUTES, (file, name)
                if name in ("data-pagefind-filter", "data-pagefind-meta", "data-pagefind-sort"):
                    key = re.match(r"[a-z_]*", value).group()  # only the theme's own keys
                    assert key in PAGEFIND_KEYS, (file, name, value)
    page = html(output, ARTICLE)
    assert text_of(page.cssselect("[data-pagefind-meta=title]")[0]) == TITLE
    byline = page.cssselect("[data-pagefind-filter=author]")
    assert [text_of(a) for a in byline] == [AUTHOR]
    interviewees = page.cssselect("[data-pagefind-filter=interviewee]")
    assert [text_of(a) for a in interviewees] == [EXPERT]
    topics = [text_of(a) for a in page.cssselect("[data-pagefind-filter=topic]")]
    assert sorted(topics) == sorted(TOPICS)
    image = page.cssselect("[data-pagefind-meta^='image[src]']")[0]
    assert image.get("alt") == ALT
    person = html(output, "authors/hostile-author/")
    assert text_of(person.cssselect("[data-pagefind-meta=title]")[0]) == AUTHOR


@pytest.fixture(scope="module")
def served(output: Path) -> Iterator[str]:
    """The hostile site on a real nginx, under the prefix of its base_url."""
    with nginx_serving(output, PREFIX) as base_url:
        yield base_url


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        (ARTICLE, TITLE),
        (OTHER, OTHER_TITLE),
        ("authors/hostile-author/", AUTHOR),
        ("topics/script-alert-topic-script/", TOPICS[0]),
        ("about/", PAGE_TITLE),
        ("", None),
    ],
    ids=["interview", "news", "author", "topic", "page", "home"],
)
def test_pages_open_no_dialog_in_a_browser(
    served: str, page: Page, path: str, heading: str | None
) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(served + path, wait_until="load")
    page.wait_for_timeout(200)  # deferred scripts, and anything they might start
    assert dialogs == []
    if heading is not None:
        assert page.locator("h1").first.inner_text() == heading
    assert SITE_TITLE in page.title()
