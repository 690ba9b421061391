"""The whole site as one index: lookups, taxonomies, archives, routes, link checks."""

from __future__ import annotations

import bisect
import itertools
import operator
import pickle
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Any

from .config import Settings
from .errors import ContentError, ErrorCollector, Warning_
from .loader import Sources
from .markdown import RenderedBody, cut_at_word
from .model import Article, Author, Page, Term
from .progress import Progress, silent
from .related import RelatedMemo, compute_related
from .slugs import slugify

term_slug = lru_cache(maxsize=65536)(slugify)  # the same few hundred names, many times


@dataclass(frozen=True)
class Pager:
    """One page of a paginated list."""

    number: int
    total: int
    items: tuple[Any, ...]
    base: str  # path of the list's first page, below the site root, e.g. `topics/china/`
    count: int  # items in the whole list

    def path_of(self, number: int) -> str:
        return page_path(self.base, number)

    @property
    def path(self) -> str:
        return self.path_of(self.number)

    @property
    def previous(self) -> str | None:
        return self.path_of(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.path_of(self.number + 1) if self.number < self.total else None


def page_path(base: str, number: int) -> str:
    """Where page `number` of a list whose first page is at `base` goes."""
    return base if number == 1 else f"{base}page/{number}/"


def page_count(count: int, per_page: int) -> int:
    """How many pages a list of `count` items has: an empty list still has its first."""
    return max(1, -(-count // per_page))


def paginate(items: Sequence[Any], per_page: int, base: str) -> list[Pager]:
    """Split a list into pagers; an empty list still has its first page."""
    total = page_count(len(items), per_page)
    return [page_of(items, per_page, base, n) for n in range(1, total + 1)]


def page_of(items: Sequence[Any], per_page: int, base: str, number: int) -> Pager:
    """Page `number` of a list, as `paginate` makes it."""
    return Pager(
        number=number,
        total=page_count(len(items), per_page),
        items=tuple(items[(number - 1) * per_page : number * per_page]),
        base=base,
        count=len(items),
    )


@dataclass(frozen=True)
class TermEntry:
    term: Term
    articles: Sequence[Article]  # a tuple; ArticleRefs in a library read back from the cache


@dataclass(frozen=True)
class Route:
    """One output file: where it goes, what kind of page it is, and what it shows."""

    path: str  # below the output folder, e.g. `articles/x/index.html`
    kind: str
    subject: Any = None
    pager: Pager | None = None


@dataclass
class Library:
    """Everything the renderer needs, computed once."""

    settings: Settings
    # In a library read back from the cache, the articles are StoredArticles and every
    # sequence of them is ArticleRefs (see kept_form).
    articles: Sequence[Article]  # newest first, slug breaks ties
    articles_by_slug: Mapping[str, Article]
    authors: dict[str, Author]
    pages: tuple[Page, ...]
    bodies: dict[tuple[str, str], RenderedBody]  # (kind, slug) -> rendered body
    summaries: dict[str, str]
    reading_minutes: dict[str, int]  # by article slug: with summaries, what a card takes of a body
    taxonomies: dict[str, dict[str, TermEntry]]
    terms_of: dict[str, dict[str, tuple[Term, ...]]]  # article slug -> taxonomy -> terms
    years: dict[int, Sequence[Article]]
    written_by: dict[str, Sequence[Article]]
    interviews_of: dict[str, Sequence[Article]]
    related: dict[str, tuple[str, ...]]
    redirects: tuple[tuple[str, str], ...]  # (alias path below root, target path below root)
    routes: Sequence[Route] = ()  # a tuple; KeptRoutes in a library read back from the cache
    warnings: list[Warning_] = field(default_factory=list)

    html_loader: Callable[[str, str], str] | None = None
    content_keys: dict[tuple[str, str], str] = field(default_factory=dict)
    # Article slug -> its content key when the library was made from the archive, for each
    # article whose body was patched since: its front matter is that file's (see
    # Fingerprints.card, which takes the card's body-made parts on their own).
    front_keys: dict[str, str] = field(default_factory=dict)
    related_memo: RelatedMemo | None = None  # kept for the next build
    link_targets: dict[str, set[str]] = field(default_factory=dict)  # slugs by kind
    # The articles a body links to: one of them cannot be deleted without a full build,
    # which reports the link. Patches only add to it, so it may hold more than that.
    linked: set[str] = field(default_factory=set)
    # Taxonomy -> term slug -> how often each spelling names it: the most used names it.
    spellings: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    # Article slug -> its last change (updated, else date) as a moment and as the sitemap
    # writes it, of each dated article; and the drafts (built with --drafts). With them the
    # sitemap reads no record: a kept library would unpickle all 10,000.
    last_changed: dict[str, tuple[datetime, str]] = field(default_factory=dict)
    drafts: frozenset[str] = frozenset()

    @cached_property
    def route_paths(self) -> tuple[list[str], set[str]]:
        """Each route's output path in order, and the set of them: made once, as a
        preview's rebuilds patch the same library again and again. Not a field, so not
        copied by `replace` nor kept in the cache."""
        routes = self.routes
        paths = routes.paths if isinstance(routes, KeptRoutes) else [r.path for r in routes]
        return paths, set(paths)

    def html(self, kind: str, slug: str) -> str:
        """A body's HTML, from memory or, after a warm start, from the cache."""
        html = self.bodies[(kind, slug)].html
        if html is None:
            if self.html_loader is None:
                raise KeyError(f"no HTML for {kind}/{slug}")
            html = self.html_loader(kind, slug)
        return html


def sort_key(article: Article) -> tuple:
    """Newest first, ties broken by slug; undated drafts last."""
    stamp = -article.date.moment.timestamp() if article.date else float("inf")
    return (stamp, article.slug)


def _name_from_slug(slug: str) -> str:
    return " ".join(part.capitalize() for part in slug.split("-"))


def _authors(
    sources: Sources, articles: Sequence[Article], warnings: list[Warning_]
) -> dict[str, Author]:
    authors = {a.slug: a for a in sources.authors}
    for article in articles:  # newest first: each warning is at the newest naming them
        for slug in (*article.authors, *article.interviewees):
            if slug not in authors:
                authors[slug] = Author(None, slug, _name_from_slug(slug), has_file=False)
                warnings.append(no_file_warning(slug, article))
    return dict(sorted(authors.items()))


def no_file_message(slug: str) -> str:
    """The warning for a person named without an author file, at the newest article."""
    return f"no author file for {slug!r}; a page is made from the slug"


def no_file_warning(slug: str, article: Article) -> Warning_:
    """The warning for a person named without an author file, at the newest article
    naming them: on its `authors` line, or else its `interviewees` line."""
    key = "authors" if slug in article.authors else "interviewees"
    hint = f"create content/authors/{slug}.md"
    return Warning_(no_file_message(slug), article.source, article.line_of(key), key, hint)


def with_files(library: Library) -> set[str]:
    """The slugs of the people who have author files."""
    return {slug for slug, person in library.authors.items() if person.has_file}


_Spellings = dict[str, dict[str, dict[str, int]]]  # as Library.spellings


def _taxonomies(
    settings: Settings, articles: Sequence[Article], errors: ErrorCollector
) -> tuple[dict[str, dict[str, TermEntry]], dict[str, dict[str, tuple[Term, ...]]], _Spellings]:
    taxonomies: dict[str, dict[str, TermEntry]] = {}
    terms_of: dict[str, dict[str, tuple[Term, ...]]] = defaultdict(dict)
    all_spellings: _Spellings = {}
    for taxonomy in settings.taxonomies:
        spellings: dict[str, Counter[str]] = defaultdict(Counter)
        members: dict[str, list[Article]] = defaultdict(list)
        for article in articles:
            seen: list[str] = []
            for name in article.terms.get(taxonomy, ()):
                slug = term_slug(name)
                if not slug:
                    errors.add(
                        ContentError(
                            f"{name!r} gives an empty slug",
                            article.source,
                            article.line_of(taxonomy),
                            taxonomy,
                            "use letters or digits",
                        )
                    )
                    continue
                spellings[slug][name] += 1
                if slug not in seen:
                    seen.append(slug)
                    members[slug].append(article)
            terms_of[article.slug][taxonomy] = tuple(seen)  # type: ignore[assignment]
        entries: dict[str, TermEntry] = {}
        for slug in sorted(members):
            entries[slug] = TermEntry(
                Term(taxonomy, term_name(spellings[slug]), slug), tuple(members[slug])
            )
        taxonomies[taxonomy] = entries
        all_spellings[taxonomy] = {slug: dict(spellings[slug]) for slug in entries}
    resolved = {
        article_slug: {
            taxonomy: tuple(taxonomies[taxonomy][s].term for s in slugs)  # type: ignore[union-attr]
            for taxonomy, slugs in by_taxonomy.items()
        }
        for article_slug, by_taxonomy in terms_of.items()
    }
    return taxonomies, resolved, all_spellings


def term_name(spellings: Mapping[str, int]) -> str:
    """One term per slug: the most used spelling names it, the first in order if tied."""
    return min(spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def check_links(
    sources_by_kind: Mapping[str, set[str]],
    items: Sequence[tuple[str, int, RenderedBody]],
    errors: ErrorCollector,
) -> None:
    for shown, body_line, body in items:
        for link in body.links:
            if link.slug not in sources_by_kind[link.kind]:
                errors.add(
                    ContentError(
                        f"link to a missing {link.kind[:-1]} {link.slug!r}",
                        shown,
                        body_line + link.line - 1,
                        "link",
                        f"is there a content/{link.kind}/{link.slug}.md?",
                    )
                )


def draft_links(
    drafts: Collection[str], items: Iterable[tuple[str, int, RenderedBody]]
) -> list[Warning_]:
    """A warning for each link to a draft that the build leaves out (`drafts`, by slug):
    the link is valid, but its page is not built, so a reader following it finds none."""
    return [
        Warning_(
            draft_link_message(link.slug),
            shown,
            body_line + link.line - 1,
            "link",
            "publish it, or take the link out",
        )
        for shown, body_line, body in items
        for link in body.links
        if link.kind == "articles" and link.slug in drafts
    ]


def draft_link_message(slug: str) -> str:
    return f"link to the draft {slug!r}, which this build leaves out"


def in_order(warnings: Iterable[Warning_]) -> list[Warning_]:
    """Warnings by file, line and key: a patching build's and a full build's alike."""
    return sorted(warnings, key=lambda w: (w.path or "", w.line or 0, w.key or "", w.message))


def linked_articles(bodies: Iterable[RenderedBody]) -> set[str]:
    """The slugs of the articles these bodies link to."""
    return {link.slug for body in bodies for link in body.links if link.kind == "articles"}


def _alias_path(alias: str) -> str | None:
    """The output path below the root for an alias, or None if it is not allowed."""
    if "?" in alias or "#" in alias or "//" in alias or "\\" in alias:
        return None
    if re.search(r"%(?:2e|2f|5c|00)|\s|[\x00-\x1f]", alias, re.IGNORECASE):
        return None  # browsers decode %2e%2e to `..`: an encoded way out of the site
    segments = alias.strip("/").split("/")
    if not alias.strip("/") or any(s in ("", ".", "..") for s in segments):
        return None
    path = "/".join(segments)
    return f"{path}/index.html" if alias.endswith("/") else path


def build_library(
    settings: Settings,
    sources: Sources,
    bodies: dict[tuple[str, str], RenderedBody],
    errors: ErrorCollector,
    drafts: bool = False,
    related_memo: RelatedMemo | None = None,
    progress: Progress = silent,
) -> Library:
    """Index the loaded sources; every problem goes to `errors`. `progress` hears of the
    related lists computed."""
    warnings: list[Warning_] = []
    articles = tuple(sorted((a for a in sources.articles if drafts or not a.draft), key=sort_key))
    by_slug = {a.slug: a for a in articles}
    authors = _authors(sources, articles, warnings)
    taxonomies, terms_of, spellings = _taxonomies(settings, articles, errors)

    page_slugs = {p.slug for p in sources.pages}
    known = {
        "articles": {a.slug for a in sources.articles},
        "authors": set(authors),
        "pages": page_slugs,
    }
    linking = (
        [(a.source, a.body_line, bodies[("articles", a.slug)]) for a in articles]
        + [(p.source, p.body_line, bodies[("pages", p.slug)]) for p in sources.pages]
        + [
            (a.source or "", a.body_line, bodies[("authors", a.slug)])
            for a in authors.values()
            if a.has_file
        ]
    )
    check_links(known, linking, errors)
    if not drafts:
        warnings += draft_links({a.slug for a in sources.articles if a.draft}, linking)

    summaries = {
        a.slug: a.summary or cut_at_word(bodies[("articles", a.slug)].first_paragraph)
        for a in articles
    }
    minutes = {a.slug: bodies[("articles", a.slug)].reading_minutes for a in articles}
    years: dict[int, list[Article]] = defaultdict(list)
    written: dict[str, list[Article]] = defaultdict(list)
    interviews: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        if article.date:
            years[article.date.year].append(article)
        for slug in dict.fromkeys(article.authors):  # a slug named twice counts once
            written[slug].append(article)
        for slug in dict.fromkeys(article.interviewees):
            interviews[slug].append(article)

    published = [a for a in articles if not a.draft]
    words = {a.slug: bodies[("articles", a.slug)].keywords for a in published}
    related = compute_related(published, words, settings.related_count, related_memo, progress)
    warnings += related_warnings(related.unmatched)
    related_by_slug = dict(related.by_slug)
    for article in articles:  # drafts built with --drafts get computed lists too
        related_by_slug.setdefault(article.slug, ())

    library = Library(
        settings=settings,
        articles=articles,
        articles_by_slug=by_slug,
        authors=authors,
        pages=sources.pages,
        bodies=bodies,
        summaries=summaries,
        reading_minutes=minutes,
        taxonomies=taxonomies,
        terms_of=terms_of,
        years={y: tuple(v) for y, v in sorted(years.items(), reverse=True)},
        written_by={k: tuple(v) for k, v in written.items()},
        interviews_of={k: tuple(v) for k, v in interviews.items()},
        related=related_by_slug,
        redirects=(),
        warnings=in_order(warnings),
        link_targets=known,
        linked=linked_articles(body for _, _, body in linking),
        spellings=spellings,
        last_changed={
            a.slug: (m.moment, m.isoformat()) for a in articles if (m := a.last_modified)
        },
        drafts=frozenset(a.slug for a in articles if a.draft),
    )
    library.related_memo = related.memo
    library.routes = tuple(_routes(library))
    library.redirects = tuple(_redirects(library, errors))
    return library


def related_warnings(unmatched: Iterable[tuple[Article, str]]) -> list[Warning_]:
    """A warning for each related entry that matches no article (key `related`)."""
    return [
        Warning_(
            f"related entry {entry!r} matches no article in the archive",
            article.source,
            article.line_of("related"),
            "related",
            "use an article's slug or exact title",
        )
        for article, entry in unmatched
    ]


def _listing(library: Library, kind: str, key: Any) -> tuple[Any, Sequence[Any], str]:
    """A paginated list of the site by its kind and key: (subject, items, first page's path)."""
    if kind == "home":
        return None, library.articles, ""
    if kind == "author_index":
        return None, list(library.authors.values()), "authors/"
    if kind == "author":
        author = library.authors[key]
        return author, works_of(library, key), author.url_path
    if kind == "taxonomy":
        return key, list(library.taxonomies[key].values()), f"{key}/"
    if kind == "term":
        entry = library.taxonomies[key[0]][key[1]]
        return entry, entry.articles, entry.term.url_path
    if kind == "archive":
        return None, list(library.years), "archive/"
    if kind == "archive_year":
        return key, library.years[key], f"archive/{key}/"
    raise ValueError(f"no list of kind {kind!r}")


ARTICLE_LISTS = frozenset({"home", "author", "term", "archive_year"})  # lists of articles


def list_slugs(library: Library, kind: str, key: Any) -> tuple[str, ...]:
    """The slugs of a list of articles (of ARTICLE_LISTS), by its kind and key."""
    return slugs_of(_listing(library, kind, key)[1])


def _list_routes(library: Library, kind: str, key: Any = None):
    subject, items, base = _listing(library, kind, key)
    for pager in paginate(items, library.settings.per_page, base):
        yield Route(f"{pager.path}index.html", kind, subject, pager)


ARTICLE_FILES = (("article", "index.html"), ("cite_bib", "cite.bib"), ("cite_ris", "cite.ris"))


def _routes(library: Library):
    """Every page the site has, in a stable order."""
    yield from _list_routes(library, "home")
    for article in library.articles:
        for kind, name in ARTICLE_FILES:
            yield Route(f"{article.url_path}{name}", kind, article)
    yield from _list_routes(library, "author_index")
    for author in library.authors.values():
        yield from _list_routes(library, "author", author.slug)
        yield Route(f"{author.url_path}feed.xml", "author_feed", author)
    for taxonomy, entries in library.taxonomies.items():
        yield from _list_routes(library, "taxonomy", taxonomy)
        for slug, entry in entries.items():
            yield from _list_routes(library, "term", (taxonomy, slug))
            yield Route(f"{entry.term.url_path}feed.xml", "term_feed", entry)
    yield from _list_routes(library, "archive")
    for year in library.years:
        yield from _list_routes(library, "archive_year", year)
    for page in library.pages:
        yield Route(f"{page.url_path}index.html", "page", page)
    yield Route("search/index.html", "search")
    yield Route("404.html", "not_found")
    yield Route("feed.xml", "feed")
    yield Route("sitemap.xml", "sitemap")
    yield Route("robots.txt", "robots")


def route_rows(library: Library) -> Iterator[tuple[str, str, Any, int]]:
    """Each route as (path, kind, subject's key, page number or 0), making no Route."""
    routes = library.routes
    if isinstance(routes, KeptRoutes):
        yield from routes.rows()
        return
    for route in routes:
        number = route.pager.number if route.pager else 0
        yield route.path, route.kind, _subject_key(route.subject), number


def _article_of(library: Library, slug: str) -> Article:
    return library.articles_by_slug[slug]


_SINGLE = {  # kinds of route with one record as subject: how to find it again by slug
    "article": _article_of,
    "cite_bib": _article_of,
    "cite_ris": _article_of,
    "author_feed": lambda library, slug: library.authors[slug],
    "term_feed": lambda library, key: library.taxonomies[key[0]][key[1]],
    "page": lambda library, slug: next(p for p in library.pages if p.slug == slug),
}


def _subject_key(subject: Any) -> Any:
    if isinstance(subject, (Article, Author, Page)):
        return subject.slug
    if isinstance(subject, TermEntry):
        return (subject.term.taxonomy, subject.term.slug)
    return subject  # a taxonomy's name, a year, or None


_INDEX = {"author": "author_index", "archive_year": "archive"}  # a list's index, by kind


class KeptRoutes(Sequence[Route]):
    """A library's routes as a kept snapshot stores them: each one's path, kind, subject's
    key and page number, made into a Route again when first asked for. Unpickling 41,000
    Routes was a third of loading the snapshot at 10,000 articles, and a build that
    patches body edits renders a few dozen of them. Pickled as one string of paths and
    columns of kinds, keys and numbers: 41,000 tuples took 15 ms to unpickle."""

    def __init__(self, routes: Sequence[Route], library: Library) -> None:
        self.paths = [route.path for route in routes]
        self._kinds = tuple(sorted({route.kind for route in routes}))
        index = {kind: i for i, kind in enumerate(self._kinds)}
        self._kind_of = bytes(index[route.kind] for route in routes)
        self._subjects = [_subject_key(route.subject) for route in routes]
        self._numbers = array("I", (route.pager.number if route.pager else 0 for route in routes))
        self._library = library
        self._made: dict[int, Route] = {}

    def __getstate__(self) -> tuple[Any, ...]:
        # No path holds a NUL: no file name can.
        columns = (self._kinds, self._kind_of, self._subjects, self._numbers)
        return "\0".join(self.paths), columns, self._library

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        paths, columns, self._library = state
        self.paths = paths.split("\0") if paths else []
        self._kinds, self._kind_of, self._subjects, self._numbers = columns
        self._made = {}

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self.paths)))]
        index = range(len(self.paths))[index]  # a negative index, or an IndexError
        route = self._made.get(index)
        if route is None:
            kind = self._kinds[self._kind_of[index]]
            route = self._make(self.paths[index], kind, self._subjects[index], self._numbers[index])
            self._made[index] = route
        return route

    def rows(self) -> Iterator[tuple[str, str, Any, int]]:
        """As library.route_rows."""
        kinds = self._kinds
        for path, kind, key, number in zip(
            self.paths, self._kind_of, self._subjects, self._numbers, strict=True
        ):
            yield path, kinds[kind], key, number

    def set_pages(self, kind: str, key: Any, total: int, base: str) -> tuple[list[str], list[str]]:
        """Give the list of this kind and key `total` pages: rows added after its last
        page, or dropped from the end, where a full build's routes have them. The paths
        added and dropped."""
        code = self._kinds.index(kind)
        rows = self._rows(kind, key)
        added: list[str] = []
        dropped: list[str] = []
        if total > len(rows):
            at, numbers = rows[-1] + 1, range(len(rows) + 1, total + 1)
            added = [f"{page_path(base, number)}index.html" for number in numbers]
            self.paths[at:at] = added
            self._subjects[at:at] = [key] * len(added)
            self._numbers[at:at] = array("I", numbers)
            self._kind_of = self._kind_of[:at] + bytes([code]) * len(added) + self._kind_of[at:]
        elif total < len(rows):
            at, end = rows[total], rows[-1] + 1  # a list's pages are consecutive rows
            dropped = self.paths[at:end]
            del self.paths[at:end], self._subjects[at:end], self._numbers[at:end]
            self._kind_of = self._kind_of[:at] + self._kind_of[end:]
        self.forget()
        return added, dropped

    def add_articles(self, bases: Sequence[str], slugs: Sequence[str]) -> list[str]:
        """Rows for new articles' page and cite files (at `bases`), after the last
        article's: `reorder` then puts them in their places. An article that has its
        rows already (an overlay's edits replayed) is left as it is. The paths added."""
        if not slugs:
            return []  # no walk of 41,000 rows for the edits that add nothing
        codes = [self._kinds.index(kind) for kind, _ in ARTICLE_FILES]
        rows = [at for at, code in enumerate(self._kind_of) if code in codes]
        have = {self._subjects[at] for at in rows}
        new = [(base, slug) for base, slug in zip(bases, slugs, strict=True) if slug not in have]
        if not new:
            return []
        at = rows[-1] + 1
        added = [f"{base}{name}" for base, _ in new for _, name in ARTICLE_FILES]
        self.paths[at:at] = added
        self._subjects[at:at] = [slug for _, slug in new for _ in ARTICLE_FILES]
        self._numbers[at:at] = array("I", [0] * len(added))
        self._kind_of = self._kind_of[:at] + bytes(codes) * len(new) + self._kind_of[at:]
        self.forget()
        return added

    def add_list(self, kind: str, key: Any, base: str) -> list[str]:
        """Rows for a new list's first page and feed (at `base`): a person's, a term's, or
        a year's, which has no feed. Where a full build puts them: among the rows of their
        kind (a term's, of its taxonomy) in the order of their keys (years newest first),
        or after the index's pages when there are none. The paths added (`set_pages`
        gives the list more pages)."""
        feed = kind != "archive_year"
        codes = bytes([self._code(kind)] + [self._code(f"{kind}_feed")] * feed)
        subjects = self._subjects
        if kind == "term":  # a taxonomy's terms, after its index
            index, ours = ("taxonomy", key[0]), lambda subject: subject[0] == key[0]
        else:
            index, ours = (_INDEX[kind], None), lambda subject: True
        rows = [at for at, code in enumerate(self._kind_of) if code in codes and ours(subjects[at])]
        if kind == "archive_year":
            at = next((at for at in rows if subjects[at] < key), None)
        else:
            at = next((at for at in rows if subjects[at] > key), None)
        if at is None:
            at = rows[-1] + 1 if rows else self._rows(*index)[-1] + 1
        added = [f"{base}index.html", f"{base}feed.xml"][: len(codes)]
        self.paths[at:at] = added
        self._subjects[at:at] = [key] * len(added)
        self._numbers[at:at] = array("I", [1, 0][: len(added)])
        self._kind_of = self._kind_of[:at] + codes + self._kind_of[at:]
        self.forget()
        return added

    def remove_list(self, kind: str, key: Any) -> list[str]:
        """Drop the rows of a list's pages and feed: a term's, a person's or a year's.
        The paths dropped."""
        dropped: list[str] = []
        for each in (kind, f"{kind}_feed"):
            rows = self._rows(each, key)  # consecutive rows
            if rows:
                at, end = rows.start, rows.stop
                dropped += self.paths[at:end]
                del self.paths[at:end], self._subjects[at:end], self._numbers[at:end]
                self._kind_of = self._kind_of[:at] + self._kind_of[end:]
        self.forget()
        return dropped

    def _code(self, kind: str) -> int:
        """The column code of a kind of route, made for a kind the routes had none of."""
        if kind not in self._kinds:
            self._kinds = (*self._kinds, kind)
        return self._kinds.index(kind)

    def remove_articles(self, slugs: Collection[str]) -> list[str]:
        """Drop deleted articles' page and cite files' rows. The paths dropped."""
        if not slugs:
            return []
        codes = {self._kinds.index(kind) for kind, _ in ARTICLE_FILES}
        subjects = self._subjects
        gone = {
            at for at, code in enumerate(self._kind_of) if code in codes and subjects[at] in slugs
        }
        if not gone:
            return []
        dropped = [self.paths[at] for at in sorted(gone)]
        keep = [at for at in range(len(self.paths)) if at not in gone]
        self.paths = [self.paths[at] for at in keep]
        self._subjects = [self._subjects[at] for at in keep]
        self._numbers = array("I", (self._numbers[at] for at in keep))
        self._kind_of = bytes(self._kind_of[at] for at in keep)
        self.forget()
        return dropped

    def reorder(self, kinds: Collection[str], keys: Sequence[Any]) -> None:
        """Put the rows of these kinds in the order of their subjects' keys, in the places
        such rows have (an article's page and cite files, after its date changed)."""
        codes = {at for at, kind in enumerate(self._kinds) if kind in kinds}
        places = [at for at, code in enumerate(self._kind_of) if code in codes]
        rows: dict[Any, list[int]] = defaultdict(list)
        for at in places:
            rows[self._subjects[at]].append(at)
        moved = [at for key in keys for at in rows.get(key, ())]
        if len(moved) != len(places):
            raise ValueError("the keys do not name every row of these kinds")
        paths, subjects, numbers = list(self.paths), list(self._subjects), array("I", self._numbers)
        kind_of = bytearray(self._kind_of)
        for place, at in zip(places, moved, strict=True):
            paths[place], subjects[place] = self.paths[at], self._subjects[at]
            numbers[place], kind_of[place] = self._numbers[at], self._kind_of[at]
        self.paths, self._subjects, self._numbers = paths, subjects, numbers
        self._kind_of = bytes(kind_of)
        self.forget()

    def forget(self) -> None:
        """Drop the routes made so far: they hold the records they were made with."""
        self._made = {}

    def paths_of(self, kinds: Collection[str], key: Any = None) -> list[str]:
        """The paths of the routes of these kinds (whose subject is `key`, if given),
        without making a Route of each."""
        if key is not None:
            return [self.paths[at] for at in sorted(at for k in kinds for at in self._rows(k, key))]
        wanted = {at for at, kind in enumerate(self._kinds) if kind in kinds}
        if not wanted:
            return []
        return [
            path for path, kind in zip(self.paths, self._kind_of, strict=True) if kind in wanted
        ]

    def _rows(self, kind: str, key: Any) -> range:
        """The rows of this kind whose subject is `key`: one list's pages, which are
        consecutive rows. Found with list.index, in C: a walk of the 41,000 rows in Python
        took 15 ms, and a new article moves some thirty lists."""
        if kind not in self._kinds:
            return range(0)
        code, subjects, kind_of = self._kinds.index(kind), self._subjects, self._kind_of
        at = 0
        try:
            while kind_of[at := subjects.index(key, at)] != code:
                at += 1  # the same key for another kind: a term's feed, an author's page
        except ValueError:
            return range(0)
        end = at + 1
        while end < len(subjects) and kind_of[end] == code and subjects[end] == key:
            end += 1
        return range(at, end)

    def _make(self, path: str, kind: str, key: Any, number: int) -> Route:
        library = self._library
        if kind in _SINGLE:
            return Route(path, kind, _SINGLE[kind](library, key))
        if number == 0:
            return Route(path, kind)
        subject, items, base = _listing(library, kind, key)
        return Route(path, kind, subject, page_of(items, library.settings.per_page, base, number))


class StoredArticles(Mapping[str, Article]):
    """Articles by slug as a kept snapshot stores them: each one pickled on its own, in a
    row of the cache, and unpickled when first read. A build that patches a body edit
    reads about a hundred of them (the cards of the pages it fingerprints); the 10,000
    records with their dates, terms and lines were half of loading the snapshot, and
    their bytes half of its row. A record is made once, so a slug always gives the same
    object. Pickled as its slugs; `read` (set once unpickled) gives records' bytes by
    slug, a page's at a time: a new article shifts every page of the home list, and
    10,000 reads of one record each were a second of its build."""

    def __init__(self, slugs: dict[str, None], records: dict[str, bytes] | None = None) -> None:
        self._slugs = slugs  # a dict for its order
        self.records = records or {}  # what is in memory: all, when just made
        self.read: Callable[[Sequence[str]], Mapping[str, bytes]] | None = None
        self._made: dict[str, Article] = {}

    @classmethod
    def of(cls, articles: Mapping[str, Article]) -> StoredArticles:
        records = {slug: pickle.dumps(a, pickle.HIGHEST_PROTOCOL) for slug, a in articles.items()}
        return cls(dict.fromkeys(records), records)

    def __reduce__(self) -> Any:
        return (StoredArticles, (self._slugs,))

    def __getitem__(self, slug: str) -> Article:
        article = self._made.get(slug)
        if article is None:
            return self.many((slug,))[0]
        return article

    def many(self, slugs: Sequence[str]) -> tuple[Article, ...]:
        """The articles of `slugs`, those not made yet read together."""
        made = self._made
        missing = [slug for slug in slugs if slug not in made]
        if missing:
            if unknown := [slug for slug in missing if slug not in self._slugs]:
                raise KeyError(unknown[0])
            unread = [slug for slug in missing if slug not in self.records]
            if unread and self.read is None:
                raise KeyError(unread[0])
            fetched = self.read(unread) if unread else {}
            for slug in missing:
                if slug not in made:  # a slug twice in `slugs`
                    made[slug] = pickle.loads(self.records.get(slug) or fetched[slug])
        return tuple(map(made.__getitem__, slugs))

    def put(self, slug: str, article: Article) -> None:
        """An edited article's record, in place of the one stored for its slug; or a new
        article's, after the others."""
        self._slugs[slug] = None
        self.records[slug] = pickle.dumps(article, pickle.HIGHEST_PROTOCOL)
        self._made[slug] = article

    def drop(self, slug: str) -> None:
        """A deleted article's record: gone, as if it had never been stored."""
        self._slugs.pop(slug, None)
        self.records.pop(slug, None)
        self._made.pop(slug, None)

    def __contains__(self, slug: object) -> bool:
        return slug in self._slugs

    def __iter__(self) -> Iterator[str]:
        return iter(self._slugs)

    def __len__(self) -> int:
        return len(self._slugs)


class ArticleRefs(Sequence[Article]):
    """A sequence of articles as a kept snapshot stores it: slugs, made into records
    only for the items read (a page's slice of a list, a feed's newest)."""

    def __init__(self, slugs: tuple[str, ...], store: StoredArticles) -> None:
        self._slugs = slugs
        self._store = store

    def __reduce__(self) -> Any:
        return (ArticleRefs, (self._slugs, self._store))

    def __len__(self) -> int:
        return len(self._slugs)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return self._store.many(self._slugs[index])
        return self._store[self._slugs[index]]

    def __iter__(self) -> Iterator[Article]:
        return map(self._store.__getitem__, self._slugs)

    @property
    def slugs(self) -> tuple[str, ...]:
        return self._slugs

    def __contains__(self, article: object) -> bool:
        slug = getattr(article, "slug", None)
        return slug in self._slugs and self._store[slug] == article

    def __eq__(self, other: object) -> bool:
        """Equal to the tuple it stands for (a TermEntry compares its articles)."""
        if isinstance(other, ArticleRefs) and other._store is self._store:
            return self._slugs == other._slugs
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]  # as its records, unhashable


def kept_form(library: Library) -> Library:
    """The library as a kept snapshot pickles it: articles stored one by one (see
    StoredArticles) and referred to by slug; routes as keys (KeptRoutes)."""
    store = StoredArticles.of(library.articles_by_slug)

    def refs(articles: Sequence[Article]) -> ArticleRefs:
        return ArticleRefs(tuple(a.slug for a in articles), store)

    kept = replace(
        library,
        articles=refs(library.articles),
        articles_by_slug=store,
        taxonomies={
            taxonomy: {
                slug: TermEntry(entry.term, refs(entry.articles)) for slug, entry in entries.items()
            }
            for taxonomy, entries in library.taxonomies.items()
        },
        years={year: refs(articles) for year, articles in library.years.items()},
        written_by={slug: refs(articles) for slug, articles in library.written_by.items()},
        interviews_of={slug: refs(articles) for slug, articles in library.interviews_of.items()},
    )
    kept.routes = KeptRoutes(library.routes, kept)
    return kept


def list_lastmod(library: Library, slugs: Iterable[str]) -> str | None:
    """A list page's lastmod in the sitemap: its articles' last change (the first such)."""
    dated = [stamp for stamp in map(library.last_changed.get, slugs) if stamp]
    return max(dated, key=_MOMENT)[1] if dated else None


_MOMENT = operator.itemgetter(0)  # datetimes compare in C


def slugs_of(articles: Sequence[Article]) -> tuple[str, ...]:
    """The slugs of a list of articles; of ArticleRefs, without reading a record."""
    if isinstance(articles, ArticleRefs):
        return articles.slugs
    return tuple(article.slug for article in articles)


def newest_published(articles: Iterable[Article], count: int) -> list[Article]:
    """The first `count` articles that are not drafts, reading no further."""
    return list(itertools.islice((a for a in articles if not a.draft), count))


def _redirects(library: Library, errors: ErrorCollector):
    owned = {route.path for route in library.routes}
    owned.add("_redirects")
    # Sorted, to tell whether a path is a folder of the site's files: the set of every
    # folder they make would be built for the few aliases an archive has.
    ordered = sorted(owned)

    def is_folder(path: str) -> bool:
        at = bisect.bisect_left(ordered, path + "/")
        return at < len(ordered) and ordered[at].startswith(path + "/")

    taken: dict[str, Article] = {}
    taken_folders: set[str] = set()
    for article in library.articles:
        for alias in article.aliases:
            path = _alias_path(alias)
            problem = None
            if path is None:
                problem = "is not a plain path below the site root"
            elif path in owned or is_folder(path) or path.split("/")[0] in ("assets", "pagefind"):
                problem = "is a path that a page of the site already owns"
            elif path in taken:
                problem = f"is already an alias of {taken[path].source}"
            elif path in taken_folders or any(
                folder in owned or folder in taken for folder in _folders_of({path})
            ):
                problem = "needs a folder where another file of the site stands"
            if problem:
                errors.add(
                    ContentError(
                        f"alias {alias!r} {problem}",
                        article.source,
                        article.line_of("aliases"),
                        "aliases",
                        "no `..`, `//` or query; e.g. /2019/10/old-title/",
                    )
                )
                continue
            assert path is not None
            taken[path] = article
            taken_folders |= _folders_of({path})
            yield path, article.url_path


def _folders_of(paths: set[str]) -> set[str]:
    """Every folder the given output paths need, e.g. `a` and `a/b` for `a/b/c.html`."""
    return {"/".join(p.split("/")[:i]) for p in paths for i in range(1, p.count("/") + 1)}


def works_of(library: Library, slug: str) -> Sequence[Article]:
    """A person's articles and interviews together, newest first."""
    written, interviews = library.written_by.get(slug, ()), library.interviews_of.get(slug, ())
    if not (written and interviews):  # each is newest first: read no record (StoredArticles)
        return written or interviews
    both = {a.slug: a for a in written}
    both.update((a.slug, a) for a in interviews)
    return sorted(both.values(), key=sort_key)
