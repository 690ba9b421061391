"""Edits that move articles between lists, and new and deleted articles, patched into a
kept library.

An edit to an article's terms or people changes which term and person lists hold it,
how a term is spelled most, and a list's page count; an edit to its date, its place in
every list it is in, its year, and the sitemap's last change. A new article is moved in
from a blank record (`blank`): into the home pages, its year, its terms and people, with
routes for its page and cite files. A deleted article is moved out to a blank record,
and its routes dropped. A term or a year is made when an edit or a new article first
names it, and dropped with its pages when its last article leaves it. list_moves tells
what edits change (or that they make or drop a person, or rename a term: a full build's
work), and patch_lists brings a library of the kept form (library.kept_form) up to
date, routes included, and says which outputs that changes.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, cast

from .library import (
    ARTICLE_FILES,
    ArticleRefs,
    KeptRoutes,
    Library,
    StoredArticles,
    TermEntry,
    list_lastmod,
    list_slugs,
    page_count,
    page_path,
    slugs_of,
    sort_key,
    term_name,
    term_slug,
    with_files,
    works_of,
)
from .model import Article, Term

_Edits = Mapping[str, tuple[Article, Article]]  # article slug -> (record before, record now)
_PEOPLE = {"authors": "written_by", "interviewees": "interviews_of"}  # field -> library's lists
_Order = Callable[[Iterable[str]], tuple[str, ...]]  # article slugs in the archive's order
# The fields that place an article in term, person and year lists and order them, with
# a blank for each: an edit to these moves it between or within lists, and is patched in
# too while no person is made or dropped and no term renamed (list_moves tells).
LISTED: dict[str, Any] = {
    "terms": {},
    "authors": (),
    "interviewees": (),
    "date": None,  # orders every list the article is in
    "updated": None,  # its last change: the sitemap's
}


# Lists whose pages show nothing but the list: when it holds the same articles in another
# order, only the pages between an article's old and new places change. A person's pages
# also count their works and interviews, which a people edit can change alone.
_ONLY_LISTS = frozenset({"home", "term", "archive_year"})


@dataclass
class ListMoves:
    """What edits to articles' terms, people and dates change in a library (list_moves)."""

    # (taxonomy, term slug) -> the slugs of its articles, newest first: the lists moved
    # (a term not in the library is made; one with none is dropped)
    terms: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    # article slug -> taxonomy -> the slugs of its terms, for the taxonomies edited
    article_terms: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # (taxonomy, term slug) -> its spellings' counts, for each term an edit names (none:
    # the term is dropped)
    spellings: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    # ("written_by" or "interviews_of", person slug) -> the slugs of the articles, newest first
    people: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    # After date edits: every article's slug, newest first; each year's articles moved
    # (a year not in the library is made; one with none is dropped);
    # each edited article's last change (as Library.last_changed).
    order: tuple[str, ...] | None = None
    years: dict[int, tuple[str, ...]] = field(default_factory=dict)
    last_changed: dict[str, tuple[datetime, str]] = field(default_factory=dict)
    # The articles new since the full build, by slug: their page and cite files' routes.
    added: tuple[str, ...] = ()
    # The articles deleted since, by slug: moved out of every list, their routes dropped.
    removed: tuple[str, ...] = ()

    def then(self, later: ListMoves) -> ListMoves:
        """These moves and then `later`'s, as one: a new object, neither is changed."""
        article_terms = dict(self.article_terms)
        for slug, by_taxonomy in later.article_terms.items():
            article_terms[slug] = {**article_terms.get(slug, {}), **by_taxonomy}
        # An article deleted later is in no list; one deleted, then added again, is in its
        # lists as `later` has them, and added: apply_moves keeps any rows it has.
        gone, back = set(later.removed), set(later.added)
        last_changed = {**self.last_changed, **later.last_changed}
        return ListMoves(
            {**self.terms, **later.terms},
            {slug: terms for slug, terms in article_terms.items() if slug not in gone},
            {**self.spellings, **later.spellings},
            {**self.people, **later.people},
            later.order or self.order,
            {**self.years, **later.years},
            {slug: change for slug, change in last_changed.items() if slug not in gone},
            tuple(slug for slug in dict.fromkeys(self.added + later.added) if slug not in gone),
            tuple(slug for slug in dict.fromkeys(self.removed + later.removed) if slug not in back),
        )

    def lists(self) -> list[tuple[str, Any]]:
        """The lists that change, as (kind of route, key): home, term, author and year
        pages."""
        people = dict.fromkeys(person for _, person in self.people)
        return (
            [("home", None)] * (self.order is not None)
            + [("term", key) for key in self.terms]
            + [("author", p) for p in people]
            + [("archive_year", year) for year in self.years]
        )


def list_moves(
    library: Library,
    edits: _Edits,
    added: Collection[str] = (),
    removed: Collection[str] = (),
    newcomers: Collection[str] = (),
) -> ListMoves | None:
    """What edits to some articles' terms, people and dates change, new articles
    (`added`, whose record before is `blank(record)`) and deleted ones (`removed`, whose
    record now is `blank(record)`). `newcomers` are people whose author files are new:
    they have files, whether the library has them yet or not. None when they change more
    than which lists hold an article and where, how many pages a list has, which terms
    and years there are and how a term is spelled: a person is made or dropped (pages,
    feeds, warnings for people without a file; a newcomer's page is the caller's to
    make), or a term's most used spelling is another now (its name, on every page
    showing it)."""
    moves = ListMoves(added=tuple(added), removed=tuple(removed))
    rank: dict[str, int] = {}  # article slug -> place in the archive, made when needed

    def ordered(slugs: Iterable[str]) -> tuple[str, ...]:
        if not rank:
            order = moves.order or slugs_of(library.articles)
            rank.update((slug, at) for at, slug in enumerate(order))
        return tuple(sorted(slugs, key=rank.__getitem__))

    redated = _move_dates(library, edits, moves, ordered)
    if redated is None:
        return None
    for taxonomy in library.settings.taxonomies:
        if not _move_terms(library, edits, taxonomy, moves, ordered):
            return None
    filed = with_files(library) | set(newcomers)
    for name, lists in _PEOPLE.items():
        if not _move_people(library, edits, name, lists, moves, ordered, filed):
            return None
    for slug in redated:  # the lists it stays in put it in its new place too
        record = edits[slug][1]
        for taxonomy, names in record.terms.items():
            if taxonomy in library.taxonomies:
                for term in _unique_slugs(names):
                    key = (taxonomy, term)
                    if key not in moves.terms:
                        members = slugs_of(library.taxonomies[taxonomy][term].articles)
                        moves.terms[key] = ordered(members)
        for name, lists in _PEOPLE.items():
            for person in getattr(record, name):
                if (lists, person) not in moves.people:
                    members = slugs_of(getattr(library, lists).get(person, ()))
                    moves.people[(lists, person)] = ordered(members)
    return moves


def _move_dates(
    library: Library, edits: _Edits, moves: ListMoves, ordered: _Order
) -> list[str] | None:
    """The new order of the archive and its years after date edits, and each edited
    article's last change; the slugs whose date moved. None when an article has no date
    (undated articles are kept apart) or is a draft. A year no article had is made, and
    one none has now is emptied: dropped by apply_moves."""
    redated: list[str] = []
    for slug, (old, new) in edits.items():
        if (old.date, old.updated) == (new.date, new.updated):
            continue
        gone = slug in moves.removed
        if (old.date is None and slug not in moves.added) or old.draft:
            return None
        if new.date is None and not gone:
            return None
        if not gone:
            change = new.last_modified
            moves.last_changed[slug] = (change.moment, change.isoformat())  # type: ignore[union-attr]
        if old.date != new.date:
            redated.append(slug)
    if not redated:
        return redated
    records = library.articles_by_slug

    def key(slug: str) -> tuple:
        return sort_key(edits[slug][1] if slug in edits else records[slug])

    moving = set(redated)
    order = [slug for slug in slugs_of(library.articles) if slug not in moving]
    for slug in redated:  # each a bisection: a dozen records read
        if slug not in moves.removed:
            bisect.insort(order, slug, key=key)
    moves.order = tuple(order)
    years: dict[int, set[str]] = {}
    for slug in redated:
        old, new = edits[slug]
        for date in (old.date, new.date):
            if date is None:
                continue  # a new article's blank
            years.setdefault(date.year, set(slugs_of(library.years.get(date.year, ()))))
        if old.date is not None:
            years[old.date.year].discard(slug)
        if new.date is not None:  # else deleted
            years[new.date.year].add(slug)
    for year, members in years.items():
        moves.years[year] = ordered(members)
    return redated


def _move_terms(
    library: Library, edits: _Edits, taxonomy: str, moves: ListMoves, ordered: _Order
) -> bool:
    entries = library.taxonomies.get(taxonomy, {})
    known = library.spellings.get(taxonomy, {})
    joined: dict[str, set[str]] = defaultdict(set)
    left: dict[str, set[str]] = defaultdict(set)
    spelled: dict[str, Counter[str]] = defaultdict(Counter)  # term slug -> name -> change
    for slug, (old, new) in edits.items():
        names_before, names_now = old.terms.get(taxonomy, ()), new.terms.get(taxonomy, ())
        if names_before == names_now:
            continue
        before, now = _unique_slugs(names_before), _unique_slugs(names_now)
        if not all(now):
            return False  # a name with no slug: the full build reports it
        for names, sign in ((names_before, -1), (names_now, 1)):
            for name in names:
                spelled[term_slug(name)][name] += sign
        _join(joined, left, slug, before, now)
        if slug not in moves.removed:  # a deleted article's terms go with it
            moves.article_terms.setdefault(slug, {})[taxonomy] = now
    for term, change in spelled.items():
        counts = Counter(known.get(term, {}))
        counts.update(change)
        counts = +counts  # spellings no article uses now go: all of a term dropped
        if counts and term in entries and term_name(counts) != entries[term].term.name:
            return False  # renamed: its name changes on every page that shows it
        moves.spellings[(taxonomy, term)] = dict(counts)
    for term in joined.keys() | left.keys():
        members = slugs_of(entries[term].articles) if term in entries else ()
        # No article in it now: the term is dropped (see apply_moves).
        moves.terms[(taxonomy, term)] = ordered((set(members) - left[term]) | joined[term])
    return True


def _move_people(
    library: Library,
    edits: _Edits,
    name: str,
    lists: str,
    moves: ListMoves,
    ordered: _Order,
    with_files: Collection[str],
) -> bool:
    joined: dict[str, set[str]] = defaultdict(set)
    left: dict[str, set[str]] = defaultdict(set)
    for slug, (old, new) in edits.items():
        before, now = getattr(old, name), getattr(new, name)
        if before == now:
            continue
        if not have_files(new, old, with_files):
            return False
        _join(joined, left, slug, before, now)
    works = getattr(library, lists)
    for person in joined.keys() | left.keys():
        members = slugs_of(works.get(person, ()))
        moves.people[(lists, person)] = ordered((set(members) - left[person]) | joined[person])
    return True


def have_files(record: Article, old: Article, with_files: Collection[str]) -> bool:
    """Whether every person an edit adds to or drops from an article has an author file.
    A person without one is made by the articles naming them, and warned about at the
    newest: adding or dropping them is a full build's work."""
    return all(
        person in with_files
        for name in _PEOPLE
        for person in set(getattr(record, name)) ^ set(getattr(old, name))
    )


def blank(record: Article) -> Article:
    """A new article as if it had been in no list before: the record it is moved from."""
    return replace(record, **LISTED)


def _join(
    joined: dict[str, set[str]],
    left: dict[str, set[str]],
    slug: str,
    before: Iterable[str],
    now: Iterable[str],
) -> None:
    """Note that article `slug` left the lists of `before` and joined those of `now`."""
    for key in set(before) - set(now):
        left[key].add(slug)
    for key in set(now) - set(before):
        joined[key].add(slug)


def _unique_slugs(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(map(term_slug, names)))


def patch_lists(library: Library, moves: ListMoves) -> tuple[set[str], bool]:
    """Apply moves to a library of the kept form. The outputs they change, besides the
    cards of the articles that moved: each list's feed and pages (only those between an
    article's old and new places, when the list holds the same articles), the indexes
    that count them, pages added, and the sitemap when a list page's newest change moves
    or pages come and go. And whether routes came or went."""
    routes = cast(KeptRoutes, library.routes)
    lists = moves.lists()
    before = {key: _slugs(library, *key) for key in lists}
    outputs: set[str] = set()
    for taxonomy in dict.fromkeys(taxonomy for taxonomy, _ in moves.terms):
        outputs.update(routes.paths_of({"taxonomy"}, taxonomy))
    if moves.people:
        outputs.update(routes.paths_of({"author_index"}))
    if moves.order is not None:  # the site's feed, the 404 page's newest, years' counts
        outputs.update(["feed.xml", "404.html", *routes.paths_of({"archive"})])
    added, dropped = apply_moves(library, moves)
    per_page = library.settings.per_page
    lastmods = bool(added or dropped or moves.last_changed)
    for kind, key in lists:
        now = _slugs(library, kind, key)
        outputs.update(routes.paths_of({f"{kind}_feed"}, key))
        same = len(now) == len(before[(kind, key)]) and set(now) == set(before[(kind, key)])
        if same and kind in _ONLY_LISTS:
            base = _page_base(routes, kind, key)
            outputs.update(_pages_between(before[(kind, key)], now, per_page, base))
        else:  # each page shows how many the list holds, or the person's counts
            outputs.update(routes.paths_of({kind}, key))
        lastmods = lastmods or _lastmods_differ(before[(kind, key)], now, per_page, library)
    outputs.update(added)
    outputs.difference_update(dropped)
    if lastmods:
        outputs.add("sitemap.xml")
    return outputs, bool(added or dropped)


def _slugs(library: Library, kind: str, key: Any) -> tuple[str, ...]:
    """A list's slugs (list_slugs), or none for a term or year not made yet or dropped."""
    if kind == "term" and key[1] not in library.taxonomies[key[0]]:
        return ()
    if kind == "archive_year" and key not in library.years:
        return ()
    return list_slugs(library, kind, key)


def _page_base(routes: KeptRoutes, kind: str, key: Any) -> str:
    """Where a list's first page is, from its routes: `topics/china/` for `topics/china/index.html`."""
    first = routes.paths_of({kind}, key)[0]
    return first.removesuffix("index.html")


def apply_moves(library: Library, moves: ListMoves) -> tuple[list[str], list[str]]:
    """The lists, spellings and terms, each moved list's page count, and new articles'
    routes and link targets, in a library of the kept form: its term and author routes
    read the lists again when next made. The paths added and dropped."""
    store, routes = library.articles_by_slug, library.routes
    assert isinstance(store, StoredArticles) and isinstance(routes, KeptRoutes)
    for (taxonomy, term), counts in moves.spellings.items():
        if counts:
            library.spellings[taxonomy][term] = counts
        else:  # as a full build: none for a term no article has
            library.spellings[taxonomy].pop(term, None)
    added, dropped = _apply_terms(library, moves.terms, store, routes)
    for slug in moves.added:  # as a full build: every taxonomy, if only with no term
        # (Not kept from a record of the same slug deleted since: its terms went with it.)
        library.terms_of[slug] = dict.fromkeys(library.settings.taxonomies, ())
        library.link_targets["articles"].add(slug)
    for slug in moves.removed:
        library.terms_of.pop(slug, None)
        library.link_targets["articles"].discard(slug)
        library.last_changed.pop(slug, None)
    for slug, by_taxonomy in moves.article_terms.items():
        library.terms_of[slug] = {
            **library.terms_of[slug],
            **{
                taxonomy: tuple(library.taxonomies[taxonomy][term].term for term in terms)
                for taxonomy, terms in by_taxonomy.items()
            },
        }
    for (lists, person), members in moves.people.items():
        works = getattr(library, lists)
        if members:
            works[person] = ArticleRefs(members, store)
        else:  # as a full build: no entry for a person with none
            works.pop(person, None)
    added += routes.add_articles([store[slug].url_path for slug in moves.added], moves.added)
    dropped += routes.remove_articles(set(moves.removed))
    if moves.order is not None:
        library.articles = ArticleRefs(moves.order, store)
        routes.reorder([kind for kind, _ in ARTICLE_FILES], moves.order)
    more, fewer = _apply_years(library, moves.years, store, routes)
    added += more
    dropped += fewer
    library.last_changed.update(moves.last_changed)
    per_page = library.settings.per_page
    for kind, key in moves.lists():
        if kind == "home":
            count, base = len(library.articles), ""
        elif kind == "term":
            if not moves.terms[key]:
                continue  # dropped, with its pages and feed
            count, base = len(moves.terms[key]), library.taxonomies[key[0]][key[1]].term.url_path
        elif kind == "archive_year":
            if not moves.years[key]:
                continue  # dropped, with its pages
            count, base = len(moves.years[key]), f"archive/{key}/"
        else:
            count, base = len(works_of(library, key)), library.authors[key].url_path
        more, fewer = routes.set_pages(kind, key, page_count(count, per_page), base)
        added += more
        dropped += fewer
    if added or dropped or moves.order is not None:
        library.__dict__.pop("route_paths", None)  # a cached property: made again
    routes.forget()
    return added, dropped


def _apply_terms(
    library: Library,
    terms: Mapping[tuple[str, str], tuple[str, ...]],
    store: StoredArticles,
    routes: KeptRoutes,
) -> tuple[list[str], list[str]]:
    """The term lists moved, in a library whose spellings are moved already: a term no
    article had is made, named by its spellings, with its first page and feed among its
    taxonomy's in the order of their slugs, as a full build has them; one no article has
    now is dropped with its pages and feed; each taxonomy whose terms came or went has
    as many index pages as it needs now. The paths added and dropped."""
    added: list[str] = []
    dropped: list[str] = []
    counted: set[str] = set()  # the taxonomies whose terms came or went
    for (taxonomy, term), members in terms.items():
        entries = library.taxonomies[taxonomy]
        entry = entries.get(term)
        if not members:
            if entry is not None:
                del entries[term]
                dropped += routes.remove_list("term", (taxonomy, term))
                counted.add(taxonomy)
            continue
        # A term dropped and made again since the library was kept may be spelled anew.
        name = term_name(library.spellings[taxonomy][term])
        kept = entry.term if entry is not None and entry.term.name == name else None
        entries[term] = TermEntry(kept or Term(taxonomy, name, term), ArticleRefs(members, store))
        if entry is None:
            library.taxonomies[taxonomy] = dict(sorted(entries.items()))
            added += routes.add_list("term", (taxonomy, term), entries[term].term.url_path)
            counted.add(taxonomy)
    for taxonomy in counted:
        pages = page_count(len(library.taxonomies[taxonomy]), library.settings.per_page)
        more, fewer = routes.set_pages("taxonomy", taxonomy, pages, f"{taxonomy}/")
        added += more
        dropped += fewer
    return added, dropped


def _apply_years(
    library: Library,
    years: Mapping[int, tuple[str, ...]],
    store: StoredArticles,
    routes: KeptRoutes,
) -> tuple[list[str], list[str]]:
    """The year lists moved: a year no article had is made, with its first page among
    the years' newest first, as a full build has them; one no article has now is dropped
    with its pages; the archive has as many pages of years as it needs now. The paths
    added and dropped."""
    added: list[str] = []
    dropped: list[str] = []
    for year, members in years.items():
        if members:
            if year not in library.years:
                added += routes.add_list("archive_year", year, f"archive/{year}/")
            library.years[year] = ArticleRefs(members, store)
        elif library.years.pop(year, None) is not None:
            dropped += routes.remove_list("archive_year", year)
    if added or dropped:
        library.years = dict(sorted(library.years.items(), reverse=True))
        pages = page_count(len(library.years), library.settings.per_page)
        more, fewer = routes.set_pages("archive", None, pages, "archive/")
        added += more
        dropped += fewer
    return added, dropped


def _pages_between(
    before: Sequence[str], now: Sequence[str], per_page: int, base: str
) -> list[str]:
    """The pages of a list whose slices differ between two orders of its articles."""
    changed = [at for at, pair in enumerate(zip(before, now, strict=True)) if pair[0] != pair[1]]
    if not changed:
        return []
    numbers = range(changed[0] // per_page + 1, changed[-1] // per_page + 2)
    return [f"{page_path(base, number)}index.html" for number in numbers]


def _lastmods_differ(
    before: Sequence[str], now: Sequence[str], per_page: int, library: Library
) -> bool:
    """Whether a list's pages show another newest change in the sitemap: from the first
    page that differs (one gaining an article moves the later ones' slices)."""
    same = next(
        (at for at, pair in enumerate(zip(before, now, strict=False)) if pair[0] != pair[1]),
        min(len(before), len(now)),
    )
    for at in range(same - same % per_page, max(len(before), len(now)), per_page):
        if list_lastmod(library, before[at : at + per_page]) != list_lastmod(
            library, now[at : at + per_page]
        ):
            return True
    return False
