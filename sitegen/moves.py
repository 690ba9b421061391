"""Edits that move articles between lists, patched into a kept library.

An edit to an article's terms or people leaves its date, so the order of every list,
as it was; what changes is which term and person lists hold it, how a term is spelled
most, and a list's page count. list_moves tells what an edit changes (or that it makes
or drops a term or person, or renames a term: a full build's work), and patch_lists
brings a library of the kept form (library.kept_form) up to date, routes included, and
says which outputs that changes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from .library import (
    ArticleRefs,
    KeptRoutes,
    Library,
    StoredArticles,
    TermEntry,
    list_lastmod,
    list_slugs,
    slugs_of,
    term_name,
    term_slug,
    works_of,
)
from .model import Article

_Edits = Mapping[str, tuple[Article, Article]]  # article slug -> (record before, record now)
_PEOPLE = {"authors": "written_by", "interviewees": "interviews_of"}  # field -> library's lists
_Order = Callable[[Iterable[str]], tuple[str, ...]]  # article slugs in the archive's order


@dataclass
class ListMoves:
    """What edits to articles' terms and people change in a library (see list_moves)."""

    # (taxonomy, term slug) -> the slugs of its articles, newest first: the lists moved
    terms: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    # article slug -> taxonomy -> the slugs of its terms, for the taxonomies edited
    article_terms: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # (taxonomy, term slug) -> its spellings' counts, for each term an edit names
    spellings: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    # ("written_by" or "interviews_of", person slug) -> the slugs of the articles, newest first
    people: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def then(self, later: ListMoves) -> ListMoves:
        """These moves and then `later`'s, as one: a new object, neither is changed."""
        article_terms = dict(self.article_terms)
        for slug, by_taxonomy in later.article_terms.items():
            article_terms[slug] = {**article_terms.get(slug, {}), **by_taxonomy}
        return ListMoves(
            {**self.terms, **later.terms},
            article_terms,
            {**self.spellings, **later.spellings},
            {**self.people, **later.people},
        )

    def lists(self) -> list[tuple[str, str | tuple[str, str]]]:
        """The lists that change, as (kind of route, key): term and author pages."""
        people = dict.fromkeys(person for _, person in self.people)
        return [("term", key) for key in self.terms] + [("author", p) for p in people]


def list_moves(library: Library, edits: _Edits) -> ListMoves | None:
    """What edits to some articles' terms and people change. None when they change more
    than who is in which list, how many pages it has and how a term is spelled: a term
    or person is made or dropped (pages, feeds, warnings for people without a file), or
    a term's most used spelling is another now (its name, on every page showing it)."""
    moves = ListMoves()
    rank: dict[str, int] = {}  # article slug -> place in the archive, made when needed

    def ordered(slugs: Iterable[str]) -> tuple[str, ...]:
        if not rank:
            rank.update((slug, at) for at, slug in enumerate(slugs_of(library.articles)))
        return tuple(sorted(slugs, key=rank.__getitem__))

    for taxonomy in library.settings.taxonomies:
        if not _move_terms(library, edits, taxonomy, moves, ordered):
            return None
    for name, lists in _PEOPLE.items():
        if not _move_people(library, edits, name, lists, moves, ordered):
            return None
    return moves


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
        if not known.keys() >= set(now):
            return False  # a new term, or a name with no slug (the full build reports it)
        for names, sign in ((names_before, -1), (names_now, 1)):
            for name in names:
                spelled[term_slug(name)][name] += sign
        _join(joined, left, slug, before, now)
        moves.article_terms.setdefault(slug, {})[taxonomy] = now
    for term, change in spelled.items():
        counts = Counter(known[term])
        counts.update(change)
        counts = +counts  # spellings no article uses now go
        if not counts or term_name(counts) != entries[term].term.name:
            return False
        moves.spellings[(taxonomy, term)] = dict(counts)
    for term in joined.keys() | left.keys():
        members = slugs_of(entries[term].articles)
        moved = ordered((set(members) - left[term]) | joined[term])
        if not moved:
            return False
        moves.terms[(taxonomy, term)] = moved
    return True


def _move_people(
    library: Library, edits: _Edits, name: str, lists: str, moves: ListMoves, ordered: _Order
) -> bool:
    joined: dict[str, set[str]] = defaultdict(set)
    left: dict[str, set[str]] = defaultdict(set)
    with_files = {slug for slug, person in library.authors.items() if person.has_file}
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
    cards of the articles that moved: each list's pages and feed, the taxonomy's index or
    the author index (which count them), pages added, and the sitemap when a list page's
    newest change moves or pages come and go. And whether routes came or went."""
    routes = cast(KeptRoutes, library.routes)
    lists = moves.lists()
    before = {key: list_slugs(library, *key) for key in lists}
    outputs: set[str] = set()
    for kind, key in lists:
        outputs.update(routes.paths_of({kind, f"{kind}_feed"}, key))
    for taxonomy in dict.fromkeys(taxonomy for taxonomy, _ in moves.terms):
        outputs.update(routes.paths_of({"taxonomy"}, taxonomy))
    if moves.people:
        outputs.update(routes.paths_of({"author_index"}))
    added, dropped = apply_moves(library, moves)
    outputs.update(added)
    outputs.difference_update(dropped)
    per_page = library.settings.per_page
    if (
        added
        or dropped
        or any(
            _lastmods_differ(before[key], list_slugs(library, *key), per_page, library)
            for key in lists
        )
    ):
        outputs.add("sitemap.xml")
    return outputs, bool(added or dropped)


def apply_moves(library: Library, moves: ListMoves) -> tuple[list[str], list[str]]:
    """The lists, spellings and terms, and each moved list's page count, in a library of
    the kept form: its term and author routes read the lists again when next made. The
    paths added and dropped."""
    store, routes = library.articles_by_slug, library.routes
    assert isinstance(store, StoredArticles) and isinstance(routes, KeptRoutes)
    for (taxonomy, term), members in moves.terms.items():
        entry = library.taxonomies[taxonomy][term]
        library.taxonomies[taxonomy][term] = TermEntry(entry.term, ArticleRefs(members, store))
    for (taxonomy, term), counts in moves.spellings.items():
        library.spellings[taxonomy][term] = counts
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
    added: list[str] = []
    dropped: list[str] = []
    per_page = library.settings.per_page
    for kind, key in moves.lists():
        if kind == "term":
            count, base = len(moves.terms[key]), library.taxonomies[key[0]][key[1]].term.url_path
        else:
            count, base = len(works_of(library, key)), library.authors[key].url_path
        more, fewer = routes.set_pages(kind, key, max(1, -(-count // per_page)), base)
        added += more
        dropped += fewer
    if added or dropped:
        library.__dict__.pop("route_paths", None)  # a cached property: made again
    routes.forget()
    return added, dropped


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
