"""The default theme, proven with real tools on the `theme` fixture site.

The site is built once and served over HTTP below `/archive/` (its base URL's path). Chromium
checks every page at a phone's and a desktop's width, axe-core in light and dark schemes, the Nu
Html Checker every HTML file in one JVM, and a printed PDF is read back as text. Screenshots go
to `tests/artifacts/theme/` (git-ignored); `SITEGEN_UPDATE_SCREENSHOT=1` also refreshes
`docs/screenshot-interview.png`.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import shutil
import threading
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError
from support.axe import format_violations, run_axe, severe_violations
from support.browser import DEFAULT_TIMEOUT_MS, PageLog
from support.env import REPO_ROOT, require
from support.site import SITES, build, html, text_of
from support.vnu import check_html

try:
    import pypdf
except ImportError:  # in the `test` extra; a plain checkout may not have it yet
    pypdf = None

THEME_SITE = SITES / "theme"
PREFIX = "/archive/"  # the path of the fixture's base_url
ORIGIN = "https://example.org"
ARTIFACTS = REPO_ROOT / "tests" / "artifacts" / "theme"
DOCS_SCREENSHOT = REPO_ROOT / "docs" / "screenshot-interview.png"

PAGES = {
    "home": "",
    "interview": "articles/verification-interview/",
    "interview-month-date": "articles/early-warning/",
    "analysis": "articles/black-sea-verification/",
    "commentary": "articles/strategic-stability/",
    "author": "authors/elena-kovac/",
    "author-paged": "authors/kenan-agazade/",
    "authors": "authors/",
    "topic": "topics/arms-control/",
    "topics": "topics/",
    "archive": "archive/",
    "archive-year": "archive/2023/",
    "page": "editorial-policy/",
    "search": "search/",
    "404": "404.html",
}
AXE_PAGES = ["home", "interview", "analysis", "author", "topic", "archive", "404"]
AXE_PAGES += ["interview-month-date", "authors", "topics", "page"]
WIDTHS = (360, 1280)
SCHEMES = ("light", "dark")
CSS_BUDGET = 30 * 1024
JS_BUDGET = 10 * 1024
MEASURE = (60, 75)  # characters per line of long-form text on a wide screen

# Elements whose URL the browser fetches by itself; a link to another site is not a request.
FETCHED = (
    ("script", "src"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("iframe", "src"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("input", "src"),
)
METADATA_LINKS = {"canonical", "alternate"}  # absolute by design, never fetched by a page


# -- the site, built and served once ------------------------------------------------------------
@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The theme fixture built into `<root>/archive/`, so the root can be served as a host."""
    output = tmp_path_factory.mktemp("theme") / "www" / PREFIX.strip("/")
    build(THEME_SITE, output)
    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # no screenshot left from an older run
    return output


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output free of one line per request."""


@pytest.fixture(scope="module")
def vnu_report(site: Path) -> Iterator[Future]:
    """`check_html` of every page in one JVM, started in the background as soon as it is asked
    for: the browser fixtures ask, so the checker runs on one core while Chromium uses another."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit(check_html, [site])


@pytest.fixture(scope="module")
def base_url(site: Path, vnu_report: Future) -> Iterator[str]:
    """The built site over HTTP on the loopback interface, e.g. `http://127.0.0.1:PORT/archive/`."""
    handler = functools.partial(_QuietHandler, directory=str(site.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def contexts(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Browser contexts shared by the module, one for each set of options (viewport, scheme...)."""
    made: dict[str, BrowserContext] = {}

    def context(**options: Any) -> BrowserContext:
        key = json.dumps(options, sort_keys=True)
        if key not in made:
            made[key] = browser.new_context(**options)
            made[key].set_default_timeout(DEFAULT_TIMEOUT_MS)
        return made[key]

    yield context
    for opened in made.values():
        with suppress(PlaywrightError):
            opened.close()


@contextmanager
def visit(
    contexts: Callable[..., BrowserContext], url: str, **options: Any
) -> Iterator[tuple[Page, PageLog, list[str]]]:
    """Open `url` in a new tab; yield the page, its problems and its requests to other hosts."""
    host = urlsplit(url).netloc
    page = contexts(**options).new_page()
    log = PageLog()
    log.attach(page)
    try:
        foreign: list[str] = []
        page.on(
            "request",
            lambda request: (
                foreign.append(request.url)
                if urlsplit(request.url).scheme in ("http", "https", "ws", "wss")
                and urlsplit(request.url).netloc != host
                else None
            ),
        )
        response = page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, f"{url}: {response}"
        yield page, log, foreign
    finally:
        with suppress(PlaywrightError):
            page.close()


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# -- static checks of the output ------------------------------------------------------------------
def test_css_and_js_stay_within_budget(site: Path) -> None:
    assets = site / "assets"
    css = sum(f.stat().st_size for f in assets.rglob("*.css"))
    js = sum(f.stat().st_size for f in assets.rglob("*.js"))
    print(f"\nbudgets: CSS {css} bytes of {CSS_BUDGET}, JS {js} bytes of {JS_BUDGET}")
    assert 0 < css <= CSS_BUDGET
    assert 0 < js <= JS_BUDGET


def test_no_page_loads_anything_from_another_host(site: Path) -> None:
    found = []
    for file in html_files(site):
        page = lxml.html.fromstring(file.read_bytes())
        urls = [
            link.get("href", "")
            for link in page.iter("link")
            if not METADATA_LINKS & set(link.get("rel", "").lower().split())
        ]
        urls += [e.get(attr) for tag, attr in FETCHED for e in page.iter(tag) if e.get(attr)]
        urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", " ".join(page.xpath("//@style")))
        for style in page.iter("style"):
            urls += re.findall(
                r"url\(\s*['\"]?([^'\")]+)|@import\s+['\"]([^'\"]+)", style.text or ""
            )
        found += [f"{file.relative_to(site)}: {u}" for u in map(str, urls) if _foreign(u)]
    for sheet in (site / "assets").rglob("*.css"):
        for url in re.findall(
            r"url\(\s*['\"]?([^'\")]+)|@import\s+['\"]([^'\"]+)", sheet.read_text()
        ):
            found += [f"{sheet.relative_to(site)}: {u}" for u in url if u and _foreign(u)]
    assert not found, "\n".join(found)


def _foreign(url: str) -> bool:
    candidates = [part.split()[0] for part in url.split(",") if part.strip()]  # srcset lists
    return any(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", c, re.I) for c in candidates)


def test_every_image_reserves_its_space(site: Path) -> None:
    missing = []
    for file in html_files(site):
        for image in lxml.html.fromstring(file.read_bytes()).iter("img"):
            if not (image.get("width") and image.get("height")):
                missing.append(f"{file.relative_to(site)}: {image.get('src')}")
    assert not missing, "images without width and height:\n" + "\n".join(missing)


def test_interview_page_has_what_a_reader_needs(site: Path) -> None:
    page = html(site, PAGES["interview"])
    assert text_of(page.cssselect(".article-header .kicker")[0]) == "Interview"
    card = page.cssselect(".interviewees .person-card")[0]
    assert card.cssselect(".person-name a")[0].get("href") == "/archive/authors/elena-kovac/"
    assert "Former Ambassador" in text_of(card.cssselect(".person-role")[0])
    assert "Geneva Centre" in text_of(card.cssselect(".person-affiliation")[0])
    assert len(page.cssselect(".prose p.question")) == 9
    assert text_of(page.cssselect("figcaption.photo-credit")[0]) == "Photo by Policy Archive staff"
    assert page.cssselect(".lead-image img")[0].get("alt").startswith("A red-hulled icebreaker")
    byline = page.cssselect(".byline a")
    assert [(a.text, a.get("href")) for a in byline] == [
        ("Kenan Ağazade", "/archive/authors/kenan-agazade/")
    ]
    meta = text_of(page.cssselect(".article-meta")[0])
    assert "November 8, 2023" in meta and "Updated November 20, 2023" in meta
    assert re.search(r"\b\d+ min read\b", meta)
    terms = {a.text: a.get("href") for a in page.cssselect(".article-terms a")}
    assert terms["Arms control"] == "/archive/topics/arms-control/"
    assert terms["United States"] == "/archive/regions/united-states/"
    first = page.cssselect(".related li")[0]
    assert text_of(first.cssselect(".kicker")[0]) == "Commentary"
    assert text_of(first.cssselect("a")[0]) == "Why “Strategic Stability” Still Matters"
    assert text_of(first.cssselect("time")[0]) == "June 1, 2021"
    assert page.cssselect("#cite-chicago") and page.cssselect("#cite-apa")
    files = {a.text: a.get("href") for a in page.cssselect(".cite-files a")}
    assert files == {
        "BibTeX": "/archive/articles/verification-interview/cite.bib",
        "RIS": "/archive/articles/verification-interview/cite.ris",
    }
    script = page.cssselect("script[src]")[0]
    assert (
        script.get("src").startswith("/archive/assets/js/cite.") and script.get("defer") is not None
    )


def test_month_only_date_is_printed_as_month_and_year(site: Path) -> None:
    page = html(site, PAGES["interview-month-date"])
    time = page.cssselect(".article-meta time")[0]
    assert (time.text, time.get("datetime")) == ("October 2019", "2019-10")
    credit = page.cssselect(".photo-credit")[0]  # a credit without a photo stands alone
    assert credit.tag == "p" and text_of(credit) == "Photo from South China Morning Post"


def test_analysis_shares_the_layout_without_interview_parts(site: Path) -> None:
    page = html(site, PAGES["analysis"])
    assert text_of(page.cssselect(".article-header .kicker")[0]) == "Analysis"
    assert not page.cssselect(".interviewees, .person-card, p.question")
    assert page.cssselect(".article .prose h2") and page.cssselect(".citation #cite-chicago")


def test_author_page_shows_the_person_then_articles_and_interviews(site: Path) -> None:
    page = html(site, PAGES["author"])
    photo = page.cssselect(".author-header img.author-photo")[0]
    assert photo.get("src") == "/archive/assets/images/elena-kovac.jpg"
    assert text_of(page.cssselect("h1")[0]) == "Elena Kovač"
    assert "Conference on Disarmament" in text_of(page.cssselect(".author-role")[0])
    assert (
        text_of(page.cssselect(".author-affiliation")[0])
        == "Geneva Centre for Verification Studies"
    )
    assert "thirty years" in text_of(page.cssselect(".author-bio")[0])
    interviews = page.cssselect("#interviews-heading + .cards .card-title a")
    assert [a.get("href") for a in interviews] == ["/archive/articles/verification-interview/"]
    writer = html(site, PAGES["author-paged"])
    headings = [text_of(h) for h in writer.cssselect("main h2")]
    assert headings[0].startswith("Articles")
    assert writer.cssselect(".pagination a[rel=next]")[0].get("href") == (
        "/archive/authors/kenan-agazade/page/2/"
    )


def test_pages_carry_metadata_for_search_engines_and_feeds(site: Path) -> None:
    page = html(site, PAGES["interview"])
    head = page.find("head")
    assert page.get("lang") == "en"
    assert text_of(head.find("title")).endswith("— Policy Archive")
    assert head.cssselect("meta[name=description]")[0].get("content").startswith("A veteran")
    canonical = f"{ORIGIN}{PREFIX}{PAGES['interview']}"
    assert head.cssselect("link[rel=canonical]")[0].get("href") == canonical
    og = {m.get("property"): m.get("content") for m in head.cssselect("meta[property]")}
    assert og["og:type"] == "article" and og["og:url"] == canonical
    assert og["og:image"] == f"{ORIGIN}{PREFIX}assets/images/icebreaker.png"
    assert og["article:published_time"].startswith("2023-11-08")
    twitter = {m.get("name"): m.get("content") for m in head.cssselect("meta[name^='twitter:']")}
    assert twitter["twitter:card"] == "summary_large_image"
    feeds = head.cssselect("link[rel=alternate][type='application/atom+xml']")
    assert feeds[0].get("href") == "/archive/feed.xml"
    data = [json.loads(s.text) for s in head.cssselect("script[type='application/ld+json']")]
    article = next(d for d in data if d["@type"] in ("Article", "NewsArticle"))
    assert article["about"][0]["name"] == "Elena Kovač" and article["datePublished"]
    assert any(d["@type"] == "BreadcrumbList" for d in data)
    author = html(site, PAGES["author"])
    data = [json.loads(s.text) for s in author.cssselect("script[type='application/ld+json']")]
    assert any(d["@type"] == "Person" and d["name"] == "Elena Kovač" for d in data)
    assert author.cssselect("link[rel=alternate]")[0].get("href").endswith("elena-kovac/feed.xml")


# -- in Chromium ----------------------------------------------------------------------------------
OVERFLOW_JS = """() => {
  const root = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1)
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
  return {scroll: root.scrollWidth, client: root.clientWidth, wide};
}"""
# The page's layout shift so far, and what moved: each source's element and rectangles.
LAYOUT_SHIFT_JS = """() => new Promise(resolve => {
  let total = 0;
  const moved = [];
  const box = r => r ? [r.x, r.y, r.width, r.height].map(Math.round).join(',') : '';
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
      if (entry.hadRecentInput) continue;
      total += entry.value;
      for (const s of entry.sources || []) {
        const node = s.node;
        const name = node ? (node.nodeName || '').toLowerCase() +
          (node.className && node.className.baseVal === undefined && node.className
            ? '.' + node.className : '') : '?';
        moved.push(`${name} ${box(s.previousRect)} -> ${box(s.currentRect)}`);
      }
    }
  }).observe({type: 'layout-shift', buffered: true});
  setTimeout(() => resolve({total, moved}), 50);
})"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_the_screen_and_loads_cleanly(
    contexts: Callable[..., BrowserContext], base_url: str, name: str, width: int
) -> None:
    url = base_url + PAGES[name]
    with visit(contexts, url, viewport={"width": width, "height": 900}) as (page, log, foreign):
        layout = page.evaluate(OVERFLOW_JS)
        shift = page.evaluate(LAYOUT_SHIFT_JS)
        page.screenshot(path=artifact(f"{name}-{width}.png"), full_page=True)
        assert layout["scroll"] <= layout["client"], f"horizontal overflow: {layout}"
        assert shift["total"] < 0.001, f"layout shift {shift['total']:.4f}: {shift['moved']}"
        assert not foreign, f"requests to other hosts: {foreign}"
        log.assert_clean()


@pytest.mark.parametrize("name", ["home", "interview", "analysis", "commentary", "author"])
def test_narrowest_phone_has_no_horizontal_scroll(
    contexts: Callable[..., BrowserContext], base_url: str, name: str
) -> None:
    with visit(contexts, base_url + PAGES[name], viewport={"width": 320, "height": 640}) as (
        page,
        log,
        _,
    ):
        layout = page.evaluate(OVERFLOW_JS)
        log.assert_clean()
    assert layout["scroll"] <= layout["client"], f"horizontal overflow: {layout}"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", AXE_PAGES)
def test_axe_finds_no_serious_violations(
    contexts: Callable[..., BrowserContext], base_url: str, name: str, scheme: str
) -> None:
    options = {"viewport": {"width": 1280, "height": 900}, "color_scheme": scheme}
    with visit(contexts, base_url + PAGES[name], **options) as (page, log, _):
        violations = run_axe(page)
        if scheme == "dark" and name in ("home", "interview"):
            page.screenshot(path=artifact(f"{name}-1280-dark.png"), full_page=True)
        log.assert_clean()
    minor = [v for v in violations if v not in severe_violations(violations)]
    if minor:
        print(f"\naxe, {name} ({scheme}), minor:\n{format_violations(minor)}")
    severe = severe_violations(violations)
    assert not severe, format_violations(severe)


def test_dark_scheme_darkens_the_page(
    contexts: Callable[..., BrowserContext], base_url: str
) -> None:
    colours = {}
    for scheme in SCHEMES:
        with visit(contexts, base_url, color_scheme=scheme) as (page, _, _):
            colours[scheme] = page.evaluate(
                "() => getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number)"
            )
    assert sum(colours["light"]) > 600 and sum(colours["dark"]) < 150, colours


CHARS_PER_LINE_JS = """(selector) => {
  const counts = [];
  const range = document.createRange();
  for (const block of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    const lines = [];
    let top = null, count = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (!rect || rect.width === 0) continue;
        if (top !== null && rect.top > top + rect.height / 2) { lines.push(count); count = 0; }
        top = rect.top;
        count += 1;
      }
    }
    counts.push(...lines);  // the last, short line of each paragraph is left out
  }
  return counts;
}"""


def test_long_form_measure_is_60_to_75_characters(
    contexts: Callable[..., BrowserContext], base_url: str
) -> None:
    url = base_url + PAGES["interview"]
    for width in (768, 1280):
        with visit(contexts, url, viewport={"width": width, "height": 900}) as (page, _, _):
            lines = page.evaluate(CHARS_PER_LINE_JS, ".prose > p:not(.question):not(:first-child)")
        average = sum(lines) / len(lines)
        print(f"\nmeasure at {width} px: {average:.1f} characters a line over {len(lines)} lines")
        assert MEASURE[0] <= average <= MEASURE[1], (width, average)
        assert max(lines) <= MEASURE[1] + 8, (width, max(lines))


def test_printed_interview_has_citation_at_the_end_and_no_navigation(
    contexts: Callable[..., BrowserContext], base_url: str, site: Path
) -> None:
    require(pypdf is not None, "pypdf not installed: pip install -e '.[test]'")
    with visit(contexts, base_url + PAGES["interview"]) as (page, log, _):
        pdf = page.pdf(format="A4")
        log.assert_clean()
    artifact("interview.pdf").write_bytes(pdf)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    # PDF text breaks lines anywhere and keeps ligatures (ﬁ): compare without spaces, NFKC.
    squeezed = unicodedata.normalize("NFKC", "".join(text.split()))

    source = html(site, PAGES["interview"])
    chicago = "".join(text_of(source.cssselect("#cite-chicago")[0]).split())
    assert "citethis" in squeezed.lower()
    assert chicago in squeezed, "the Chicago citation is printed"
    assert squeezed.rindex(chicago) > squeezed.index("takingnotes."), "the citation comes last"
    for element in source.cssselect(".site-header, .site-footer, .related, .skip-link"):
        assert "".join(text_of(element).split()) not in squeezed, text_of(element)[:60]
    # Link targets follow the links: internal ones made absolute, external ones as they are.
    assert f"({ORIGIN}{PREFIX}articles/early-warning/)" in squeezed
    assert "(https://example.com/archives/arms-control/" in squeezed


def test_copy_button_copies_a_citation(
    contexts: Callable[..., BrowserContext], base_url: str, site: Path
) -> None:
    options = {"permissions": ["clipboard-read", "clipboard-write"]}
    with visit(contexts, base_url + PAGES["interview"], **options) as (page, log, _):
        buttons = page.locator(".citation .copy-button")
        assert buttons.count() == 2
        buttons.first.click()
        page.wait_for_function(
            "() => document.querySelector('.citation [role=status]').textContent !== ''"
        )
        copied = page.evaluate("() => navigator.clipboard.readText()")
        log.assert_clean()
    expected = text_of(html(site, PAGES["interview"]).cssselect("#cite-chicago")[0])
    assert " ".join(copied.split()) == expected


def test_article_reads_without_javascript(
    contexts: Callable[..., BrowserContext], base_url: str
) -> None:
    options = {"java_script_enabled": False, "viewport": {"width": 360, "height": 800}}
    with visit(contexts, base_url + PAGES["interview"], **options) as (page, log, _):
        assert page.locator(".prose p.question").first.is_visible()
        assert page.locator("#cite-chicago").is_visible()
        assert page.locator(".copy-button").count() == 0  # no button that cannot work
        log.assert_clean()


def test_docs_screenshot_of_an_interview(
    contexts: Callable[..., BrowserContext], base_url: str
) -> None:
    """A small screenshot for the README: title, byline, photo, interviewee, first question.

    Written to docs/ only when SITEGEN_UPDATE_SCREENSHOT is set; always checked for size.
    """
    options = {"viewport": {"width": 1280, "height": 900}}
    with visit(contexts, base_url + PAGES["interview"], **options) as (page, _, _):
        bottom = page.locator(".prose p.question").first.bounding_box()
        assert bottom is not None
        height = min(1400, int(bottom["y"] + bottom["height"] + 8))
        clip = {"x": 0, "y": 0, "width": 1280, "height": height}
        shot = page.screenshot(full_page=True, clip=clip)
    artifact("screenshot-interview.png").write_bytes(shot)
    assert len(shot) <= 200 * 1024, f"{len(shot)} bytes"
    if os.environ.get("SITEGEN_UPDATE_SCREENSHOT"):
        DOCS_SCREENSHOT.write_bytes(shot)


# Last in the file, so that the checker has run alongside the browser tests by now.
def test_nu_html_checker_finds_no_errors(site: Path, vnu_report: Future) -> None:
    errors, warnings = vnu_report.result()
    print(f"\nvnu: {len(html_files(site))} files, {len(errors)} errors, {len(warnings)} warnings")
    for warning in warnings:
        print(f"  warning: {warning}")
    assert not errors, "\n".join(str(error) for error in errors)
