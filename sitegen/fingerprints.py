"""What each output is made of, as one hash: unchanged inputs mean an unchanged file.

Each kind of output names the data its template reads (the article's card and
body, the cards on a list page, a person's view ...). Equal fingerprints let a
build keep the file already written instead of rendering it again. The guard
against a forgotten input is the test that compares incremental builds with
clean ones after random edits.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from . import __version__
from .library import Route, TermEntry, newest_published, works_of

if TYPE_CHECKING:  # the renderer imports this module
    from .render import Renderer


_SLUG = operator.attrgetter("slug")


def _hash(data: Any) -> str:
    # repr, not pickle: pickle's bytes depend on which equal objects happen to be shared.
    return hashlib.sha256(repr(data).encode()).hexdigest()


class Fingerprints:
    """Fingerprints of a renderer's outputs; card hashes are computed once per article."""

    def __init__(self, renderer: Renderer, template_sources: dict[str, str]) -> None:
        self.renderer = renderer
        self.library = renderer.library
        self.template_sources = template_sources
        settings = renderer.settings
        assets = sorted((name, asset.output) for name, asset in renderer.assets.items())
        self.common = _hash((__version__, repr(settings), sorted(settings.extra.items()), assets))
        self._cards: dict[str, str] = {}
        # Which articles' cards each output's fingerprint took in: the outputs an edit to
        # an article's body can change, for the next build (see snapshot.py).
        self.uses: dict[str, tuple[str, ...]] = {}
        self._using: list[str] = []
        # Which articles each output lists as cards, for the renderer to share the cards
        # that many outputs show (render._shared_cards).
        self.listed: dict[str, tuple[str, ...]] = {}
        self._path = ""

    @cache  # noqa: B019 - one Fingerprints object lives for one build
    def template(self, name: str) -> str:
        return self.template_sources.get(name, "")

    def card(self, slug: str) -> str:
        """An article card's digest, which the output being fingerprinted takes in."""
        self._using.append(slug)
        return self._card_digest(slug)

    def _card_digest(self, slug: str) -> str:
        digest = self._cards.get(slug)
        if digest is None:
            library = self.library
            article = library.articles_by_slug[slug]
            key = library.front_keys.get(slug) or library.content_keys.get(("articles", slug))
            if key is None:  # a library made without the loader: the card itself
                inputs: Any = self.renderer.card(article)
            else:
                # What a card is made of, cheaper than the card: the file its front matter
                # was read from (title, date ...), what its body gives the card, the people
                # it names and the terms as the site spells them. A file's key alone would
                # change with any edit to its body, and a list page showing the card would
                # be rendered again to the same bytes.
                inputs = (
                    key,
                    library.summaries[slug],
                    library.reading_minutes[slug],
                    [self._person_digest(s) for s in (*article.authors, *article.interviewees)],
                    library.terms_of.get(slug),
                )
            digest = self._cards[slug] = _hash(inputs)
        return digest

    def card_html_key(self, slug: str, template: str, heading: str) -> str:
        """What an article's card is kept under once rendered (see render._shared_cards):
        its digest, with the card template's and the settings' (dates, links)."""
        return _hash((self.common, self.template(template), heading, self._card_digest(slug)))

    @cache  # noqa: B019 - one Fingerprints object lives for one build
    def _person_digest(self, slug: str) -> str:
        return _hash(self._person(slug))

    def cards(self, articles: Iterable[Any]) -> list[str]:
        """The hashes of a list's cards; the output being fingerprinted lists them."""
        slugs = tuple(map(_SLUG, articles))
        self.listed[self._path] = slugs
        return self._cards_of(slugs)

    def _cards_of(self, slugs: Iterable[str]) -> list[str]:
        """`[self.card(slug) for slug in slugs]`, without a call a card: 175,000 cards
        are taken in at 10,000 articles, on every full build."""
        known = self._cards
        digests = [known.get(slug) or self._card_digest(slug) for slug in slugs]
        self._using += slugs
        return digests

    def route(self, route: Route, template: str | None) -> str:
        pager = route.pager
        paging = (pager.number, pager.total, pager.count, pager.base) if pager else None
        self._using = []
        self._path = route.path
        inputs = getattr(self, f"_{route.kind}", self._static)(route)
        if self._using:
            self.uses[route.path] = tuple(self._using)
        return _hash(
            (self.common, route.kind, route.path, self.template(template or ""), paging, inputs)
        )

    # -- inputs by kind ---------------------------------------------------------
    def _static(self, route: Route) -> Any:
        return None

    def _list(self, route: Route) -> Any:
        assert route.pager is not None
        return self.cards(route.pager.items)

    _home = _list
    _archive_year = _list

    def _term(self, route: Route) -> Any:
        entry: TermEntry = route.subject
        return (entry.term, self._list(route))

    def _article(self, route: Route) -> Any:
        slug = route.subject.slug
        related = self.library.related.get(slug, ())
        articles = self.library.articles_by_slug
        return self._with_body(slug), self._cards_of([s for s in related if s in articles])

    def _with_body(self, slug: str) -> tuple[str, str | None]:
        """An article's card and its body's key, for the outputs that show its body."""
        return self.card(slug), self.library.content_keys.get(("articles", slug))

    def _cite_bib(self, route: Route) -> Any:
        return self.card(route.subject.slug)

    _cite_ris = _cite_bib

    def _person(self, slug: str) -> Any:
        return (self.renderer.person(slug), self.library.content_keys.get(("authors", slug)))

    def _author_index(self, route: Route) -> Any:
        assert route.pager is not None
        return [
            (
                self._person(a.slug),
                len(self.library.written_by.get(a.slug, ())),
                len(self.library.interviews_of.get(a.slug, ())),
            )
            for a in route.pager.items
        ]

    def _author(self, route: Route) -> Any:
        slug = route.subject.slug
        return (
            self._person(slug),
            self._list(route),
            len(self.library.written_by.get(slug, ())),
            len(self.library.interviews_of.get(slug, ())),
        )

    def _feed_inputs(self, articles: Iterable[Any]) -> Any:
        newest = newest_published(articles, self.library.settings.feed_size)
        return [self._with_body(a.slug) for a in newest]

    def _feed(self, route: Route) -> Any:
        return self._feed_inputs(self.library.articles)

    def _author_feed(self, route: Route) -> Any:
        slug = route.subject.slug
        return (self._person(slug), self._feed_inputs(works_of(self.library, slug)))

    def _term_feed(self, route: Route) -> Any:
        entry: TermEntry = route.subject
        return (entry.term, self._feed_inputs(entry.articles))

    def _taxonomy(self, route: Route) -> Any:
        assert route.pager is not None
        return [(e.term, len(e.articles)) for e in route.pager.items]

    def _archive(self, route: Route) -> Any:
        assert route.pager is not None
        return [(year, len(self.library.years[year])) for year in route.pager.items]

    def _page(self, route: Route) -> Any:
        page = route.subject
        return (page, self.library.content_keys.get(("pages", page.slug)))

    def _not_found(self, route: Route) -> Any:
        return self.cards(self.library.articles[:5])

    def _sitemap(self, route: Route) -> Any:
        return list(self.renderer.sitemap_entries())

    def redirect(self, target: str) -> str:
        return _hash((self.common, "redirect", self.template("redirect.html"), target))

    def redirects_file(self) -> str:
        return _hash((self.common, "_redirects", self.library.redirects))
