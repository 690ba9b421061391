"""The library in, `(path, bytes)` out: every page, feed, citation and map.

Pure but for the caller's sink, which receives each file in the process that rendered it.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Generic, TypeVar

import jinja2
from markupsafe import Markup

from . import citations, dates, feeds, structured
from .assets import Asset
from .errors import SitegenError
from .fingerprints import Fingerprints
from .library import (
    ARTICLE_LISTS,
    Library,
    Pager,
    Route,
    TermEntry,
    list_lastmod,
    list_slugs,
    newest_published,
    route_rows,
    slugs_of,
    works_of,
)
from .model import TYPE_LABELS, Article, Author, Page
from .parallel import MIN_ITEMS, chunks, parallel_map, worker_count
from .progress import Progress, batches_done, silent
from .templates import template_error

TEMPLATES = {
    "home": "home.html",
    "article": "article.html",
    "author_index": "author_index.html",
    "author": "author.html",
    "taxonomy": "taxonomy.html",
    "term": "term.html",
    "archive": "archive.html",
    "archive_year": "archive_year.html",
    "page": "page.html",
    "search": "search.html",
    "not_found": "404.html",
    "sitemap": "sitemap.xml",
    "robots": "robots.txt",
    "redirect": "redirect.html",
}
CARD_TEMPLATE = "partials/card.html"
R = TypeVar("R")
TAXONOMY_LABELS = {"topics": ("Topic", "Topics"), "regions": ("Region", "Regions")}


NEARBY_PAGES = 3  # numbered links either side of the current page; the theme shows 2 and a gap


def _nearby_pages(pager: Pager) -> list[int]:
    """The first and last page and those near the current one, in order: a list with a
    thousand pages links each page to a few, not to all (which made lists quadratic)."""
    near = range(
        max(1, pager.number - NEARBY_PAGES), min(pager.total, pager.number + NEARBY_PAGES) + 1
    )
    return sorted({1, pager.total, *near})


def taxonomy_label(taxonomy: str, plural: bool = True) -> str:
    default = taxonomy.replace("_", " ").title()
    return TAXONOMY_LABELS.get(taxonomy, (default.rstrip("s"), default))[plural]


class Renderer:
    """Renders routes of one library; caches the small views that many pages share."""

    def __init__(self, library: Library, env: jinja2.Environment, assets: dict[str, Asset]):
        self.library = library
        self.env = env
        self.assets = assets
        self.settings = library.settings
        self.base = library.settings.base_path
        self.absolute = library.settings.origin + self.base
        self._cards: dict[str, dict[str, Any]] = {}
        self._card_html: dict[tuple[str, str], Markup] = {}
        # A card looks the same on every list it is on: render it once per heading level.
        env.globals["render_card"] = self.render_card
        self._people: dict[str, dict[str, Any]] = {}
        self._feed_entries: dict[str, bytes] = {}
        self._sitemap: list[dict[str, str | None]] | None = None

    # -- URLs ---------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.base + path

    def abs_url(self, path: str) -> str:
        return self.absolute + path

    # -- views shared by many pages -------------------------------------------
    def person(self, slug: str) -> dict[str, Any]:
        view = self._people.get(slug)
        if view is None:
            author = self.library.authors[slug]
            view = {
                "slug": slug,
                "name": author.name,
                "role": author.role,
                "affiliation": author.affiliation,
                "url": self.url(author.url_path),
                "abs_url": self.abs_url(author.url_path),
                "photo": self._asset_file_url(author.photo) if author.photo else None,
                "links": dict(author.links),
                "has_file": author.has_file,
                "extra": dict(author.extra),
            }
            self._people[slug] = view
        return view

    def card(self, article: Article) -> dict[str, Any]:
        """What a list shows of an article, and what its own page builds on."""
        view = self._cards.get(article.slug)
        if view is None:
            terms = self.library.terms_of.get(article.slug, {})
            view = {
                "slug": article.slug,
                "title": article.title,
                "url": self.url(article.url_path),
                "abs_url": self.abs_url(article.url_path),
                "date": article.date,
                "updated": article.updated,
                "type": article.type,
                "type_label": TYPE_LABELS[article.type][0],
                "summary": self.library.summaries[article.slug],
                "authors": [self.person(s) for s in article.authors],
                "interviewees": [self.person(s) for s in article.interviewees],
                "image": self._image(article),
                "terms": {
                    taxonomy: [
                        {"name": t.name, "url": self.url(t.url_path), "taxonomy": taxonomy}
                        for t in terms.get(taxonomy, ())
                    ]
                    for taxonomy in self.settings.taxonomies
                },
                "reading_minutes": self.library.reading_minutes[article.slug],
                "lang": article.lang or self.settings.language,
                "draft": article.draft,
                "extra": dict(article.extra),
            }
            self._cards[article.slug] = view
        return view

    def keep_cards(self, made: Mapping[str, Markup], heading: str = "h2") -> None:
        """Cards rendered elsewhere (`_shared_cards`), as `render_card` would have made them."""
        self._card_html.update(((slug, heading), html) for slug, html in made.items())

    def render_card(self, article: dict[str, Any], heading: str = "h2") -> Markup:
        """`partials/card.html` for one article, rendered once per heading level."""
        key = (article["slug"], heading)
        html = self._card_html.get(key)
        if html is None:
            template = self.env.get_template(CARD_TEMPLATE)
            html = Markup(template.render(article=article, card_heading=heading))
            self._card_html[key] = html
        return html

    def _image(self, article: Article) -> dict[str, Any] | None:
        image = article.image
        if image is None:
            return None
        return {
            "src": self._asset_file_url(image.src) if image.src else None,
            "alt": image.alt or "",
            "credit": image.credit,
        }

    def _asset_file_url(self, src: str) -> str:
        if "://" in src or src.startswith("//"):
            return src
        name = src.lstrip("/").removeprefix("assets/")
        asset = self.assets.get(name)
        return self.url(asset.output if asset else f"assets/{name}")

    def pagination(self, pager: Pager | None) -> dict[str, Any] | None:
        if pager is None:
            return None
        return {
            "number": pager.number,
            "total": pager.total,
            "count": pager.count,
            "previous": self.url(pager.previous) if pager.previous is not None else None,
            "next": self.url(pager.next) if pager.next is not None else None,
            "pages": [(n, self.url(pager.path_of(n))) for n in _nearby_pages(pager)],
        }

    def meta(self, title: str, path: str, description: str = "", **more: Any) -> dict[str, Any]:
        data = {
            "title": title,
            "description": description or self.settings.description,
            "canonical": self.abs_url(path),
            "path": path,
            "og_type": "website",
            "image": None,
            "feeds": [{"title": self.settings.title, "url": self.url("feed.xml")}],
            "jsonld": [],
            "noindex": False,
            "lang": self.settings.language,
        }
        data.update(more)
        return data

    # -- pages --------------------------------------------------------------
    def render(self, route: Route) -> bytes:
        handler = getattr(self, f"_render_{route.kind}")
        return handler(route)

    def _template(self, name: str, **context: Any) -> bytes:
        try:
            return self.env.get_template(name).render(**context).encode("utf-8")
        except jinja2.TemplateError as exc:
            raise template_error(exc, name, self.env) from None
        except SitegenError as exc:  # raised by a template function such as asset()
            if exc.path is None:
                where = template_error(exc, name, self.env)
                exc.path, exc.line = where.path, where.line
            raise

    def _page(self, kind: str, **context: Any) -> bytes:
        return self._template(TEMPLATES[kind], **context)

    def _crumbs(self, *trail: tuple[str, str]) -> dict[str, Any]:
        pairs = [(self.settings.title, self.absolute), *[(n, self.abs_url(p)) for n, p in trail]]
        return structured.breadcrumbs(pairs)

    def _list_title(self, title: str, pager: Pager | None) -> str:
        if pager and pager.number > 1:
            return f"{title} (page {pager.number} of {pager.total})"
        return title

    def _render_home(self, route: Route) -> bytes:
        pager = route.pager
        assert pager is not None
        return self._page(
            "home",
            meta=self.meta(self._list_title(self.settings.title, pager), pager.path),
            articles=[self.card(a) for a in pager.items],
            pagination=self.pagination(pager),
        )

    def _render_article(self, route: Route) -> bytes:
        article: Article = route.subject
        card = self.card(article)
        authors = [self.library.authors[s] for s in article.authors]
        interviewees = [self.library.authors[s] for s in article.interviewees]
        citation = citations.format_citation(
            article, authors, interviewees, self.settings.title, card["abs_url"],
            article.lang or self.settings.language,
        )  # fmt: skip
        related = [
            self.card(self.library.articles_by_slug[s])
            for s in self.library.related.get(article.slug, ())
            if s in self.library.articles_by_slug
        ]
        image = card["image"]
        image_abs = (
            self.library.settings.origin + image["src"]
            if image and image["src"] and image["src"].startswith("/")
            else None
        )
        jsonld = [
            structured.article_data(
                article,
                url=card["abs_url"],
                summary=card["summary"],
                authors=[structured.person(a, self.abs_url(a.url_path)) for a in authors],
                interviewees=[structured.person(a, self.abs_url(a.url_path)) for a in interviewees],
                publisher=self.settings.title,
                publisher_url=self.absolute,
                image_url=image_abs,
                language=card["lang"],
            ),
            self._crumbs(("Articles", "archive/"), (article.title, article.url_path)),
        ]
        return self._page(
            "article",
            meta=self.meta(
                article.title,
                article.url_path,
                card["summary"],
                og_type="article",
                image=image_abs,
                jsonld=jsonld,
                lang=card["lang"],
                noindex=article.draft,
            ),
            article=card,
            body=Markup(self.library.html("articles", article.slug)),
            related=related,
            citation={
                "chicago": citation.chicago,
                "apa": citation.apa,
                "bib": self.url(f"{article.url_path}cite.bib"),
                "ris": self.url(f"{article.url_path}cite.ris"),
            },
        )

    def _render_cite_bib(self, route: Route) -> bytes:
        article: Article = route.subject
        authors = [self.library.authors[s] for s in article.authors]
        text = citations.bibtex(
            article, authors, self.settings.title, self.abs_url(article.url_path)
        )
        return text.encode("utf-8")

    def _render_cite_ris(self, route: Route) -> bytes:
        article: Article = route.subject
        text = citations.ris(
            article,
            [self.library.authors[s] for s in article.authors],
            [self.library.authors[s] for s in article.interviewees],
            self.settings.title,
            self.abs_url(article.url_path),
        )
        return text.encode("utf-8")

    def _render_author_index(self, route: Route) -> bytes:
        pager = route.pager
        assert pager is not None
        people = []
        for author in pager.items:
            view = dict(self.person(author.slug))
            view["written"] = len(self.library.written_by.get(author.slug, ()))
            view["interviews"] = len(self.library.interviews_of.get(author.slug, ()))
            people.append(view)
        return self._page(
            "author_index",
            meta=self.meta(self._list_title("Authors and experts", pager), pager.path,
                           jsonld=[self._crumbs(("Authors", "authors/"))]),
            people=people,
            pagination=self.pagination(pager),
        )  # fmt: skip

    def _render_author(self, route: Route) -> bytes:
        author: Author = route.subject
        pager = route.pager
        assert pager is not None
        view = self.person(author.slug)
        interviews = [self.card(a) for a in pager.items if author.slug in a.interviewees]
        written = [self.card(a) for a in pager.items if author.slug not in a.interviewees]
        bio = self.library.html("authors", author.slug) if author.has_file else ""
        person = structured.person(author, self.abs_url(author.url_path))
        feed = {
            "title": f"{author.name} — {self.settings.title}",
            "url": self.url(f"{author.url_path}feed.xml"),
        }
        description = author.role or f"Articles and interviews by {author.name}"
        return self._page(
            "author",
            meta=self.meta(
                self._list_title(author.name, pager),
                pager.path,
                description,
                og_type="profile",
                feeds=[feed, *self.meta("", "")["feeds"]],
                jsonld=[structured.person_page(person), self._crumbs(("Authors", "authors/"), (author.name, author.url_path))],
            ),
            author=view,
            biography=Markup(bio),
            written=written,
            interviews=interviews,
            written_total=len(self.library.written_by.get(author.slug, ())),
            interviews_total=len(self.library.interviews_of.get(author.slug, ())),
            pagination=self.pagination(pager),
            feed=feed,
        )  # fmt: skip

    def _render_taxonomy(self, route: Route) -> bytes:
        taxonomy: str = route.subject
        pager = route.pager
        assert pager is not None
        terms = [
            {"name": e.term.name, "url": self.url(e.term.url_path), "count": len(e.articles)}
            for e in pager.items
        ]
        label = taxonomy_label(taxonomy)
        return self._page(
            "taxonomy",
            meta=self.meta(self._list_title(label, pager), pager.path,
                           jsonld=[self._crumbs((label, f"{taxonomy}/"))]),
            taxonomy=taxonomy,
            label=label,
            terms=terms,
            pagination=self.pagination(pager),
        )  # fmt: skip

    def _render_term(self, route: Route) -> bytes:
        entry: TermEntry = route.subject
        pager = route.pager
        assert pager is not None
        term = entry.term
        label = taxonomy_label(term.taxonomy, plural=False)
        feed = {
            "title": f"{term.name} — {self.settings.title}",
            "url": self.url(f"{term.url_path}feed.xml"),
        }
        return self._page(
            "term",
            meta=self.meta(
                self._list_title(term.name, pager),
                pager.path,
                f"{label}: {term.name}. Interviews, analyses and commentary.",
                feeds=[feed, *self.meta("", "")["feeds"]],
                jsonld=[self._crumbs((taxonomy_label(term.taxonomy), f"{term.taxonomy}/"), (term.name, term.url_path))],
            ),
            term={"name": term.name, "taxonomy": term.taxonomy, "label": label,
                  "index_url": self.url(f"{term.taxonomy}/"),
                  "index_label": taxonomy_label(term.taxonomy)},
            articles=[self.card(a) for a in pager.items],
            pagination=self.pagination(pager),
            feed=feed,
        )  # fmt: skip

    def _render_archive(self, route: Route) -> bytes:
        pager = route.pager
        assert pager is not None
        years = [
            {"year": y, "url": self.url(f"archive/{y}/"), "count": len(self.library.years[y])}
            for y in pager.items
        ]
        return self._page(
            "archive",
            meta=self.meta(self._list_title("Archive", pager), pager.path,
                           jsonld=[self._crumbs(("Archive", "archive/"))]),
            years=years,
            pagination=self.pagination(pager),
        )  # fmt: skip

    def _render_archive_year(self, route: Route) -> bytes:
        year: int = route.subject
        pager = route.pager
        assert pager is not None
        return self._page(
            "archive_year",
            meta=self.meta(self._list_title(f"Archive {year}", pager), pager.path,
                           jsonld=[self._crumbs(("Archive", "archive/"), (str(year), f"archive/{year}/"))]),
            year=year,
            articles=[self.card(a) for a in pager.items],
            pagination=self.pagination(pager),
        )  # fmt: skip

    def _render_page(self, route: Route) -> bytes:
        page: Page = route.subject
        return self._page(
            "page",
            meta=self.meta(page.title, page.url_path, page.summary or "", lang=page.lang or self.settings.language),
            page={"title": page.title, "slug": page.slug, "extra": dict(page.extra)},
            body=Markup(self.library.html("pages", page.slug)),
        )  # fmt: skip

    def _render_search(self, route: Route) -> bytes:
        return self._page("search", meta=self.meta("Search", "search/", noindex=True))

    def _render_not_found(self, route: Route) -> bytes:
        recent = [self.card(a) for a in self.library.articles[:5]]
        return self._page(
            "not_found", meta=self.meta("Page not found", "404.html", noindex=True), recent=recent
        )

    def _render_sitemap(self, route: Route) -> bytes:
        return self._page("sitemap", entries=self.sitemap_entries())

    def sitemap_entries(self) -> list[dict[str, str | None]]:
        """Every public HTML page with a lastmod from the content, never the clock."""
        if self._sitemap is None:
            self._sitemap = list(self._sitemap_entries())
        return self._sitemap

    def _sitemap_entries(self) -> Iterator[dict[str, str | None]]:
        # From the routes' rows and the articles' last changes by slug: no Route or
        # record is made, and a kept library reads none from the cache.
        library = self.library
        newest = slugs_of(library.articles)[:1]
        latest = library.last_changed.get(newest[0]) if newest else None
        per_page = library.settings.per_page
        listed: tuple[Any, ...] = ("", None, ())  # (kind, key, slugs) of the last list
        for path, kind, key, number in route_rows(library):
            if not path.endswith("index.html") or kind == "search":
                continue
            lastmod = None
            if kind == "article":
                if key in library.drafts:
                    continue
                stamp = library.last_changed.get(key)
                lastmod = stamp[1] if stamp else None
            elif number and kind in ARTICLE_LISTS:
                if listed[:2] != (kind, key):
                    listed = (kind, key, list_slugs(library, kind, key))
                start = (number - 1) * per_page
                lastmod = list_lastmod(library, listed[2][start : start + per_page])
            elif kind in ("home", "archive", "author_index", "taxonomy"):
                lastmod = latest[1] if latest else None
            yield {"loc": self.abs_url(path[: -len("index.html")]), "lastmod": lastmod}

    def _render_robots(self, route: Route) -> bytes:
        return self._page("robots", sitemap=self.abs_url("sitemap.xml"))

    def render_redirect(self, target: str) -> bytes:
        return self._page("redirect", target=self.url(target), target_abs=self.abs_url(target))

    def render_redirects_file(self) -> bytes:
        lines = [
            f"{self.url(alias)} {self.url(target)} 301" for alias, target in self.library.redirects
        ]
        return ("\n".join(lines) + "\n" if lines else "").encode("utf-8")

    # -- feeds ----------------------------------------------------------------
    def _feed(self, path: str, page_path: str, title: str, articles: Iterable[Article]) -> bytes:
        return feeds.atom_feed(
            feed_url=self.abs_url(path),
            page_url=self.abs_url(page_path),
            title=title,
            subtitle=self.settings.description,
            language=self.settings.language,
            articles=newest_published(articles, self.settings.feed_size),
            entry_of=self._feed_entry,
        )

    def _feed_entry(self, article: Article) -> bytes:
        # An article is in several feeds (the site's, its people's, its terms'): made once.
        entry = self._feed_entries.get(article.slug)
        if entry is None:
            content = None
            if self.settings.feed_full_content:
                html = self.library.html("articles", article.slug)
                content = feeds.feed_content(html, self.settings.origin)
            entry = self._feed_entries[article.slug] = feeds.atom_entry(
                article,
                url=self.abs_url(article.url_path),
                authors=[
                    (author.name, self.abs_url(author.url_path))
                    for author in (self.library.authors[s] for s in article.authors)
                ],
                summary=self.library.summaries[article.slug],
                content=content,
            )
        return entry

    def _render_feed(self, route: Route) -> bytes:
        return self._feed("feed.xml", "", self.settings.title, self.library.articles)

    def _render_author_feed(self, route: Route) -> bytes:
        author: Author = route.subject
        works = works_of(self.library, author.slug)
        title = f"{author.name} — {self.settings.title}"
        return self._feed(route.path, author.url_path, title, tuple(works))

    def _render_term_feed(self, route: Route) -> bytes:
        entry: TermEntry = route.subject
        title = f"{entry.term.name} — {self.settings.title}"
        return self._feed(route.path, entry.term.url_path, title, entry.articles)


@dataclass
class RenderResult(Generic[R]):
    files: dict[str, R]  # rendered now, as the sink left each file
    kept: set[str]  # unchanged since the last build: the file already written stays
    # Of every output, for the next build; with `only`, of those fingerprinted now.
    fingerprints: dict[str, str]
    uses: dict[str, tuple[str, ...]]  # output -> the articles whose cards it shows
    cards: dict[str, str] = field(default_factory=dict)  # cards rendered now, for kept_cards

    @property
    def paths(self) -> set[str]:
        """Every output of the site."""
        return self.kept | self.files.keys()


# Set before workers fork: the render jobs, and what to do with each file made.
_JOBS: list[tuple[str, Callable[[], bytes]]] = []
_SINK: Callable[[str, bytes], Any] | None = None


def _render_chunk(indexes: Sequence[int]) -> tuple[list[Any], dict[Any, str]]:
    """What the sink made of each file, and the dates formatted for them (see dates.py)."""
    assert _SINK is not None
    return [_SINK(_JOBS[i][0], _JOBS[i][1]()) for i in indexes], dates.new_dates()


def render_site(
    library: Library,
    env: jinja2.Environment,
    assets: dict[str, Asset],
    sink: Callable[[str, bytes], R],
    template_sources: dict[str, str] | None = None,
    previous: Mapping[str, str] | None = None,
    only: Collection[str] | None = None,
    kept_cards: Callable[[Collection[str]], Mapping[str, str]] | None = None,
    progress: Progress = silent,
) -> RenderResult[R]:
    """Every output file of the site; those whose fingerprint is in `previous` are kept.

    Each file rendered goes to `sink(path, bytes)` in the process that rendered it (a
    worker, on a large site), and what the sink returns comes back: the bytes themselves
    need not cross between processes. With `only` (a patching build's), the routes outside
    it, the redirects and the assets are known to be unchanged: they are kept, and their
    fingerprints are neither computed nor looked up. `kept_cards` looks up cards rendered
    by earlier builds (see _shared_cards); the cards rendered now come back in the result.
    `progress` hears of the files rendered.
    """
    global _JOBS, _SINK
    renderer = Renderer(library, env, assets)
    prints = Fingerprints(renderer, template_sources or {})
    previous = {} if previous is None else previous  # not `or`: a lookup has no cheap length
    fingerprints: dict[str, str] = {}
    jobs: list[tuple[str, Callable[[], bytes]]] = []
    kept: set[str] = set()

    def claim(path: str, fingerprint: str) -> None:
        if path in fingerprints:  # a second output at one path would silently replace the first
            raise SitegenError(f"two outputs want the same path {path!r}", key="output")
        fingerprints[path] = fingerprint

    def add(path: str, fingerprint: str, produce: Callable[[], bytes]) -> None:
        claim(path, fingerprint)
        if previous.get(path) == fingerprint:
            kept.add(path)
        else:
            jobs.append((path, produce))

    routes = _outside(library, only, kept)
    progress("fingerprints", 0, len(routes))
    for number, route in enumerate(routes, 1):
        template = TEMPLATES.get(route.kind)
        add(route.path, prints.route(route, template), partial(renderer.render, route))
        # A cold build's 20,000 routes take seconds, in this process.
        if not number % 500 or number == len(routes):
            progress("fingerprints", number, len(routes))
    if only is not None:
        # A patching build's redirects and assets are the last build's, as are its settings
        # and templates (see snapshot_key): hundreds of aliases need no lookup.
        kept.update(path for path, _ in library.redirects)
        kept.add("_redirects")
        kept.update(asset.output for asset in assets.values())
    else:
        for alias_path, target in library.redirects:
            add(alias_path, prints.redirect(target), partial(renderer.render_redirect, target))
        add("_redirects", prints.redirects_file(), renderer.render_redirects_file)
        for asset in assets.values():
            add(asset.output, hashlib.sha256(asset.data).hexdigest(), partial(_asset_bytes, asset))

    if kept_cards is not None and CARD_TEMPLATE not in (template_sources or {}):
        kept_cards = None  # a card's key could not tell an edit to its template
    cards = _shared_cards(renderer, jobs, prints, kept_cards, progress)
    _JOBS, _SINK = jobs, sink
    try:
        batches = chunks(range(len(jobs)), 32)
        rendered = []
        finished = batches_done(progress, "rendering", batches)
        for made, formatted in parallel_map(_render_chunk, batches, 8, finished):
            rendered += made
            dates.add_dates(formatted)
    finally:
        _JOBS, _SINK = [], None
    files = {path: data for (path, _), data in zip(jobs, rendered, strict=True)}
    return RenderResult(files, kept, fingerprints, prints.uses, cards)


_CARD_RENDERER: Renderer | None = None  # set before workers fork: read by _cards_in


def _shared_cards(
    renderer: Renderer,
    jobs: Sequence[tuple[str, Any]],
    prints: Fingerprints,
    kept_cards: Callable[[Collection[str]], Mapping[str, str]] | None,
    progress: Progress = silent,
) -> dict[str, str]:
    """Render the cards that the pages to render list, before the page workers fork, which
    inherit them; the cards rendered here, by key, for the next builds.

    A worker renders every card it meets: on a cold build, two workers rendered nearly
    every card twice, a second of the build at 10,000 articles. So each card that two or
    more pages list is rendered once, here. With `kept_cards`, each listed card an earlier
    build rendered is taken as it was, and the others are rendered here to be kept: a new
    article shifts every page of the home list, which showed 10,000 cards again, and a
    template edit renders every list. Cards are made at the partial's default heading
    level; a list that asks for another makes its own.
    """
    global _CARD_RENDERER
    listed = prints.listed
    times = Counter(slug for path, _ in jobs for slug in listed.get(path, ()))
    keys: dict[str, str] = {}
    if kept_cards is not None:
        keys = {slug: prints.card_html_key(slug, CARD_TEMPLATE, "h2") for slug in times}
        found = kept_cards(keys.values())
        renderer.keep_cards({slug: Markup(found[k]) for slug, k in keys.items() if k in found})
        wanted = [slug for slug, key in keys.items() if key not in found]
    elif worker_count() < 2:
        return {}  # one process renders each card once anyway
    else:
        wanted = [slug for slug, count in times.items() if count > 1]
        if len(wanted) < MIN_ITEMS:
            return {}
    _CARD_RENDERER = renderer
    made: dict[str, str] = {}
    try:
        batches = chunks(wanted, 250)
        finished = batches_done(progress, "cards", batches)
        for cards, formatted in parallel_map(_cards_in, batches, 2, finished):
            renderer.keep_cards(cards)
            dates.add_dates(formatted)
            if keys:
                made.update((keys[slug], str(html)) for slug, html in cards.items())
    finally:
        _CARD_RENDERER = None
    return made


def _cards_in(slugs: Sequence[str]) -> tuple[dict[str, Markup], dict[Any, str]]:
    assert _CARD_RENDERER is not None
    renderer = _CARD_RENDERER
    articles = renderer.library.articles_by_slug
    made = {}
    for slug in slugs:
        try:
            made[slug] = renderer.render_card(renderer.card(articles[slug]))
        except Exception:  # the page that lists it fails too, and reports it in context
            continue
    return made, dates.new_dates()


def _outside(library: Library, only: Collection[str] | None, kept: set[str]) -> Sequence[Route]:
    """The routes to fingerprint: with `only`, the routes outside it are the last build's,
    kept as they are. Set operations in C, no loop in Python: a patching build at 10,000
    articles keeps 41,000 outputs, and a loop over them took a tenth of its time."""
    routes = library.routes
    if only is None:
        return routes
    paths, unique = library.route_paths
    if len(unique) < len(paths):
        return routes  # two outputs at one path: the full walk reports them
    redo = unique.intersection(only)
    kept.update(unique - redo)
    # By index: kept routes (KeptRoutes) are made only for the outputs to fingerprint.
    wanted = itertools.compress(range(len(paths)), map(redo.__contains__, paths))
    return [routes[i] for i in wanted]


def _asset_bytes(asset: Asset) -> bytes:
    return asset.data
