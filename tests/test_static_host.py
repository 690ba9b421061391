"""The built site on a real static host: nginx (the Debian package) serves it under
`/archive/`, and a crawler built on lxml walks every link, asset and feed from the home page."""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urldefrag, urljoin, urlsplit

import lxml.html
import pytest
from lxml import etree
from support.env import REPO_ROOT
from support.nginx import nginx_serving
from support.site import SITES, build

BASE_URL = "https://example.org/archive/"
PREFIX = "/archive/"
SITES_TO_SERVE = {
    "shipped archive": REPO_ROOT,  # the repository root is the archive's site folder
    "theme fixture": SITES / "theme",
}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
REFRESH_URL = re.compile(r"url=(.+)$", re.IGNORECASE)
# What nginx must say each kind of asset is, so that browsers use it.
CONTENT_TYPES = {
    ".css": "text/css",
    ".js": "application/javascript",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".html": "text/html",
}


@dataclass
class Crawl:
    """What a walk over the served site found."""

    statuses: dict[str, int] = field(default_factory=dict)  # local path -> HTTP status
    content_types: dict[str, str] = field(default_factory=dict)
    referrers: dict[str, set[str]] = field(default_factory=dict)  # local path -> pages
    fragments: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    anchors: dict[str, set[str]] = field(default_factory=dict)  # page -> ids and names
    outside: list[str] = field(default_factory=list)  # links to this host outside the prefix
    external: set[str] = field(default_factory=set)

    def broken(self) -> list[str]:
        return [
            f"{path} -> {status} (linked from {', '.join(sorted(self.referrers[path])[:3])})"
            for path, status in sorted(self.statuses.items())
            if status != 200
        ]

    def missing_fragments(self) -> list[str]:
        return [
            f"{path}#{fragment} (linked from {', '.join(sorted(pages)[:3])})"
            for (path, fragment), pages in sorted(self.fragments.items())
            if self.statuses.get(path) == 200 and fragment not in self.anchors.get(path, set())
        ]


class Crawler:
    """Breadth-first over every internal URL the site's HTML, CSS, feeds and maps name."""

    def __init__(self, served: str) -> None:
        parts = urlsplit(served)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.crawl = Crawl()
        self.queue: list[str] = []

    def get(self, path: str) -> tuple[int, str, bytes]:
        self.connection.request("GET", quote(path, safe="/%:@!$&'()*+,;=-._~"))
        response = self.connection.getresponse()
        body = response.read()
        return response.status, response.getheader("Content-Type", ""), body

    def add(self, url: str, base: str, referrer: str) -> None:
        """Queue a link found at `base` (a local or public URL), if it is the site's own."""
        url = url.strip()
        if not url or url.startswith(("mailto:", "tel:", "javascript:", "data:")):
            return
        absolute, fragment = urldefrag(urljoin(base, url))
        parts = urlsplit(absolute)
        public = urlsplit(BASE_URL)
        if parts.netloc not in (public.netloc, urlsplit(self.origin).netloc):
            self.crawl.external.add(absolute)
            return
        path = unquote(parts.path) + (f"?{parts.query}" if parts.query else "")
        if not path.startswith(PREFIX):
            self.crawl.outside.append(f"{referrer}: {url}")
            return
        self.crawl.referrers.setdefault(path, set()).add(referrer)
        if fragment:
            self.crawl.fragments.setdefault((path.split("?")[0], fragment), set()).add(referrer)
        if path not in self.crawl.statuses and path not in self.queue:
            self.queue.append(path)

    def run(self, seeds: list[str]) -> Crawl:
        for seed in seeds:
            self.add(seed, self.origin + PREFIX, "(seed)")
        while self.queue:
            path = self.queue.pop(0)
            status, content_type, body = self.get(path)
            self.crawl.statuses[path] = status
            self.crawl.content_types[path] = content_type
            if status == 200:
                self.read(path, content_type, body)
        self.connection.close()
        return self.crawl

    def read(self, path: str, content_type: str, body: bytes) -> None:
        here = self.origin + path
        if content_type.startswith("text/html"):
            self.read_html(path, here, body)
        elif content_type.startswith("text/css"):
            for match in CSS_URL.finditer(body.decode("utf-8")):
                self.add(match.group(2) or match.group(4), here, path)
        elif path.endswith(".xml"):
            self.read_xml(path, here, body)
        elif path.endswith("robots.txt"):
            for line in body.decode("utf-8").splitlines():
                if line.lower().startswith("sitemap:"):
                    self.add(line.split(":", 1)[1], here, path)

    def read_html(self, path: str, here: str, body: bytes) -> None:
        document = lxml.html.document_fromstring(body)
        self.crawl.anchors[path] = {
            value for element in document.iter() if isinstance(element.tag, str)
            for value in (element.get("id"), element.get("name")) if value
        }  # fmt: skip
        for element in document.iter():
            if not isinstance(element.tag, str):
                continue
            for name in ("href", "src", "poster", "data-bundle"):
                if element.get(name) is not None:
                    self.add(element.get(name), here, path)
            if element.tag == "form" and element.get("action"):
                self.add(element.get("action"), here, path)
            for candidate in (element.get("srcset") or "").split(","):
                if candidate.split():
                    self.add(candidate.split()[0], here, path)
            if element.tag == "meta" and element.get("http-equiv", "").lower() == "refresh":
                found = REFRESH_URL.search(element.get("content", ""))
                if found:
                    self.add(found.group(1), here, path)
            if element.tag == "meta" and element.get("content", "").startswith("http"):
                self.add(element.get("content"), here, path)  # og:url, og:image
            if element.tag == "style" and element.text:
                for match in CSS_URL.finditer(element.text):
                    self.add(match.group(2) or match.group(4), here, path)

    def read_xml(self, path: str, here: str, body: bytes) -> None:
        root = etree.fromstring(body)
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            local = etree.QName(element).localname
            if local in ("loc", "uri") and element.text:
                self.add(element.text, here, path)
            if local == "link" and element.get("href"):
                self.add(element.get("href"), here, path)
            if local == "content" and element.text and element.get("type") == "html":
                fragment = lxml.html.fragment_fromstring(element.text, create_parent="div")
                for link in fragment.iter("a", "img"):
                    url = link.get("href") or link.get("src") or ""
                    if not url.startswith("#"):  # footnotes point into the entry itself
                        self.add(url, here, path)


@pytest.fixture(scope="module", params=sorted(SITES_TO_SERVE))
def site(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A site built with base_url `https://example.org/archive/`, served by nginx there."""
    output = tmp_path_factory.mktemp("host") / "output"
    build(SITES_TO_SERVE[request.param], output, base_url=BASE_URL)
    with nginx_serving(output, PREFIX) as served:
        yield output, served


@pytest.fixture(scope="module")
def crawl(site: tuple[Path, str]) -> Crawl:
    output, served = site
    redirects = (output / "_redirects").read_text(encoding="utf-8").split("\n")
    seeds = [PREFIX, f"{PREFIX}404.html", f"{PREFIX}robots.txt", f"{PREFIX}feed.xml"]
    seeds += [line.split()[0] for line in redirects if line.strip()]
    return Crawler(served).run(seeds)


def test_every_internal_link_answers_200(crawl: Crawl) -> None:
    assert len(crawl.statuses) > 20
    assert crawl.broken() == []


def test_no_link_leaves_the_archive_path(crawl: Crawl) -> None:
    assert crawl.outside == []


def test_every_fragment_link_finds_its_anchor(crawl: Crawl) -> None:
    assert crawl.missing_fragments() == []


def test_every_asset_answers_200_with_its_content_type(
    site: tuple[Path, str], crawl: Crawl
) -> None:
    output, _ = site
    assets = sorted(p for p in crawl.statuses if p.startswith(f"{PREFIX}assets/"))
    assert any(p.endswith(".css") for p in assets) and any(p.endswith(".js") for p in assets)
    wrong = [
        f"{path}: {crawl.content_types[path]}"
        for path in assets
        if Path(path).suffix in CONTENT_TYPES
        and not crawl.content_types[path].startswith(CONTENT_TYPES[Path(path).suffix])
    ]
    assert wrong == []
    on_disk = {f"{PREFIX}{p.relative_to(output).as_posix()}" for p in output.rglob("assets/**/*")}
    referenced = {p for p in on_disk if Path(p).suffix in (".css", ".js")}
    assert referenced <= set(crawl.statuses), "stylesheets or scripts that no page loads"


def test_every_page_of_the_site_is_reached_by_links(site: tuple[Path, str], crawl: Crawl) -> None:
    output, _ = site
    pages = {
        PREFIX + p.relative_to(output).as_posix().removesuffix("index.html")
        for p in output.rglob("*.html")
        if not p.relative_to(output).as_posix().startswith("pagefind/")
    }
    reached = set(crawl.statuses) | {p.removesuffix("index.html") for p in crawl.statuses}
    assert sorted(pages - reached) == []


def test_the_search_index_is_where_the_search_page_looks(crawl: Crawl) -> None:
    assert crawl.statuses.get(f"{PREFIX}pagefind/pagefind.js") == 200


@pytest.mark.parametrize("missing", ["no-such-page/", "articles/gone/", "a/b/c/missing.html"])
def test_missing_path_gets_the_sites_404_page(site: tuple[Path, str], missing: str) -> None:
    output, served = site
    crawler = Crawler(served)
    status, content_type, body = crawler.get(PREFIX + missing)
    assert status == 404
    assert content_type.startswith("text/html")
    assert body == (output / "404.html").read_bytes()
