"""The last build's library, kept so that an edit to article bodies patches it.

An edit to an article's body, title, summary or related entries (the front matter
that shows on its page and card: see _PLACELESS) leaves the order of the archive,
its people, taxonomies, routes and redirects as they were. What changes is the
article's record and rendered body (summary, reading time, links, the words
related posts use), the related lists those reach, and the outputs that show its
card. An edit to its terms, people or date also moves it between or within lists
(see moves.py), which is patched in while no term, person or year is made or dropped
and no term renamed: those lists' pages and feeds, the indexes that count them and
perhaps the sitemap change too, and a list may gain or lose a page. An edit to an
author file changes the person's own pages and feed, the author index, and the
cards of their works (a card names its people); an edit to a page, its own output.
A new article is moved into its lists as if from none, on the same terms, while it is
dated, published and without aliases (see _addable), and so is a draft published now
(which a library built without --drafts leaves out); a deleted one out of them to none,
on the same terms, while no body links to it (see _removed), and so is one made a draft
(links to a draft are valid). An edit to a draft that stays one changes nothing the
library holds, only the content key kept of its file (see _left_as_draft); a new draft
adds its slug to the link targets, and a draft deleted takes it away. A new author
file brings a person in among the people, with their page, feed and place in the author
index, or is an edit of a person the articles named without one (see _newcomer): so an
interview imported with its new experts' files is patched in. So when every changed
file is such an edit, a new article or author file, a draft, or a deleted article, the build
takes the last library, patches those parts and fingerprints only the outputs the
snapshot says show the edited and deleted articles' and works' cards, and the person's
or page's own, instead of loading and indexing the whole archive. Anything else (a
deleted author file or page, a new page, an edit to an article's aliases, a
setting, a template, an asset, other options, a changed output folder) builds the usual
way, and that build keeps a new snapshot.

Storage: the library is pickled once per full build, by a forked child while
the build renders and writes; each patching build adds its changes to a small
overlay row instead of pickling the library again. A patching build reads only
what it needs: the head (which files the base was made of), then the base
without the parts it reads on demand: the related memo (when an edit changes an
article's top words), bodies (from the parse cache, for the pages and feed entries
it renders) and the outputs that show each edited article's card (rows of their
own). The base keeps its routes as keys (library.KeptRoutes), and each article pickled
in a row of its own (library.StoredArticles): Route objects and records are made again
only for the outputs the build fingerprints. A preview server keeps the snapshot in
memory and reads none of it.
"""

from __future__ import annotations

import hashlib
import os
from collections import ChainMap
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, cast

from . import __version__
from .assets import Asset
from .buildstate import BuildOptions, manifest_digest
from .cache import BuildCache
from .config import Settings
from .errors import CacheError, ErrorCollector, Warning_
from .ingest import BodyKey, Scan, parse_one
from .library import (
    KeptRoutes,
    Library,
    StoredArticles,
    check_links,
    draft_link_message,
    draft_links,
    in_order,
    kept_form,
    linked_articles,
    no_file_message,
    no_file_warning,
    page_count,
    related_warnings,
    slugs_of,
    sort_key,
    with_files,
)
from .loader import SourceFile, parse_source
from .markdown import RenderedBody, cut_at_word
from .model import Article, Author
from .moves import LISTED, ListMoves, apply_moves, blank, have_files, list_moves, patch_lists
from .related import RelatedMemo, patch_related, rank_by_date
from .writer import MARKER

if TYPE_CHECKING:  # multiprocessing is imported by full builds only (see parallel.py)
    from multiprocessing.process import BaseProcess

_BASE, _OVERLAY = "snapshot", "snapshot-overlay"
# The base's related memo, in a row of its own: a third of the base's objects, and only
# needed when an edit changes an article's top words (most corrections do not).
_MEMO = "snapshot-related"
# What a build needs to tell, without loading the base, that it cannot patch it.
_HEAD = "snapshot-head"
_MAX_PATCHED = 500  # edited articles an overlay holds before a full build starts over
# The fields of an article's record that no list, route or redirect depends on, with a
# blank for each: an edit to these alone is patched in. What they change is the page and
# the card (in the fingerprint of every output that shows it, see Fingerprints.card),
# the summary and top words, and the related lists (titles and entries are matched).
_PLACELESS: dict[str, Any] = {
    "title": "",
    "summary": None,
    "type": "",
    "image": None,
    "related": (),
    "lang": None,
    "extra": {},
    "key_lines": {},
    "body_line": 0,
    "body": "",
}


def _same_place(record: Any, old: Article) -> bool:
    """Whether an edited article's record differs from `old` only in _PLACELESS and
    LISTED fields (moves.py)."""
    if not isinstance(record, Article):
        return False
    return replace(record, **_PLACELESS, **LISTED) == replace(old, **_PLACELESS, **LISTED)


def _same_lists(record: Article, old: Article) -> bool:
    """Whether an edited article has the same LISTED fields (terms, people, dates)."""
    return all(getattr(record, name) == getattr(old, name) for name in LISTED)


def _random_token() -> str:
    return os.urandom(16).hex()


@dataclass
class Snapshot:
    key: str  # what it was built with: options, settings, templates, assets
    library: Library  # without its HTML loader; with its related memo
    content: dict[str, str]  # shown path -> content key, of every content file
    origins: dict[str, tuple[str, str]]  # shown path -> (kind, slug)
    # Article slug -> outputs whose fingerprint takes its card. The cache holds them in rows
    # of their own (BuildCache.cards): a loaded snapshot holds only the slugs read so far.
    card_users: dict[str, set[str]]
    token: str = field(default_factory=_random_token)
    manifest: str | None = None  # the output's manifest as the last build left it
    overlay: dict[str, Any] = field(default_factory=dict)
    cards_in_cache: bool = False  # True: `card_users` is read from the cache as needed


# An edited or new author file, or an edited page: shown -> (slug, content key, kind,
# record, body). Nothing lists either by what it sets: people are indexed by slug, and
# pages listed nowhere.
_FileEdit = tuple[str, str, str, Any, RenderedBody]
_FILES = ("authors", "pages")


@dataclass
class Patch:
    """A library patched for body edits, and what the build must redo."""

    snapshot: Snapshot
    library: Library
    affected: set[str]  # output paths whose fingerprints may have changed
    edited: dict[str, tuple[str, str]]  # shown -> (slug, content key)
    lists: dict[str, tuple[str, ...]]  # related lists that changed
    scan: Scan
    records: set[str] = field(default_factory=set)  # slugs whose front matter was edited
    # Edited author files and pages, as the overlay keeps them: see _FileEdit.
    files: dict[str, _FileEdit] = field(default_factory=dict)
    moves: ListMoves = field(default_factory=ListMoves)  # edits to terms, people, dates
    routes_changed: bool = False  # a list gained or lost a page, an article came or went
    added: dict[str, str] = field(default_factory=dict)  # shown -> slug, of new articles
    removed: dict[str, str] = field(default_factory=dict)  # shown -> slug, of deleted ones
    # Article files that are drafts now, left out of a library built without --drafts:
    # shown -> (slug, content key); and of those, the articles made drafts now (shown ->
    # slug), which leave their lists as deleted ones do.
    drafts: dict[str, tuple[str, str]] = field(default_factory=dict)
    drafted: dict[str, str] = field(default_factory=dict)


# The snapshot a preview server's last build used, with the overlay generation it had
# (random, so that another process's overlay never passes for this one's).
_MEMORY: tuple[str, str, str, Snapshot] | None = None


def snapshot_key(
    options: BuildOptions,
    settings: Settings,
    template_sources: Mapping[str, str],
    assets: Mapping[str, Asset],
) -> str:
    parts = (
        __version__,
        options.canonical(),
        repr(settings),
        sorted(settings.extra.items()),
        sorted(template_sources.items()),
        sorted((name, a.output, hashlib.sha256(a.data).hexdigest()) for name, a in assets.items()),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# -- reading ------------------------------------------------------------------------


def _remembered(cache: BuildCache, overlay: dict[str, Any]) -> Snapshot | None:
    """The snapshot this process holds, if the cache's overlay is the one it wrote."""
    key = (str(cache.path), overlay.get("token"), overlay.get("generation"))
    return _MEMORY[3] if _MEMORY is not None and _MEMORY[:3] == key else None


def _load(cache: BuildCache, overlay: dict[str, Any], head: _Head) -> Snapshot | None:
    """The base, with the head's content and origins (which the base leaves out)."""
    global _MEMORY
    _MEMORY = None
    snapshot = cache.state(_BASE)
    if not isinstance(snapshot, Snapshot) or snapshot.token != overlay.get("token"):
        return None
    if head[0] != snapshot.token or cache.cards(snapshot.token, ()) is None:
        return None  # the head or the rows of cards are another base's
    snapshot.content, snapshot.origins = head[2], head[3]
    snapshot.card_users, snapshot.cards_in_cache = {}, True
    library = snapshot.library
    if "linked" not in vars(library):
        return None  # a base an older sitegen kept, of another shape: build in full
    library.bodies = _CachedBodies(library.bodies, library.content_keys, cache)
    if isinstance(library.articles_by_slug, StoredArticles):
        library.articles_by_slug.read = _record_reader(cache, snapshot.token)
    try:
        _apply(snapshot, overlay)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # an overlay of another shape (an older sitegen): build in full
    return snapshot


def _record_reader(cache: BuildCache, token: str) -> Callable[[Sequence[str]], Mapping[str, bytes]]:
    """How a kept library reads articles' records (see library.StoredArticles)."""

    def read(slugs: Sequence[str]) -> Mapping[str, bytes]:
        records = cache.records(token, slugs)
        if len(records) < len(set(slugs)):  # the build starts again from the archive
            raise CacheError("the build cache lost an entry", str(cache.path), key="cache")
        return records

    return read


class _CachedBodies(dict):
    """The bodies a base kept (those the parse cache lacked), and the others read from the
    parse cache by content key when first asked for: a patching build renders a few
    bodies (its article's, its feeds' entries), and unpickling all 10,000 took a fifth of
    loading the base. Cards take none: library.summaries and reading_minutes have theirs."""

    def __init__(
        self,
        kept: Mapping[BodyKey, RenderedBody],
        content_keys: Mapping[BodyKey, str],
        cache: BuildCache,
    ) -> None:
        super().__init__(kept)
        self._content_keys = content_keys  # the library's own: edits update it
        self._cache = cache

    def __missing__(self, key: BodyKey) -> RenderedBody:
        content_key = self._content_keys[key]
        found = self._cache.parsed_meta([content_key]).get(content_key)
        if found is None:  # the build starts again from the archive: see build._build
            raise CacheError("the build cache lost an entry", str(self._cache.path), key="cache")
        body = self[key] = found[1]
        return body

    def __reduce__(self) -> Any:
        return (dict, (dict(self),))  # pickled as the plain dict of what it has loaded


_Changed = list[tuple[str, SourceFile, bytes | None]]  # jobs of a scan, as _changed gives them


def _changed(
    content: Mapping[str, str], scan: Scan, patched: int
) -> tuple[_Changed, list[str]] | None:
    """The scanned files whose content is not `content`'s, new files included, and the
    shown paths of the files gone; None when the overlay (`patched` files so far) would
    grow past its bound."""
    gone = sorted(content.keys() - scan.keys.keys())
    stale = scan.keys.items() - content.items()  # set operations in C: 11,000 files
    if len(stale) + len(gone) + patched > _MAX_PATCHED:
        return None
    shown = {path for path, _ in stale}
    return [job for job in scan.jobs if job[1].shown in shown] if shown else [], gone


# (token, key, content, origins) of the base: what tells whether it is worth loading.
_Head = tuple[str, str, dict[str, str], dict[str, tuple[str, str]]]
_Gone = list[str]  # the shown paths of the content files deleted, as _changed gives them


def _worth_loading(
    cache: BuildCache,
    overlay: dict[str, Any],
    key: str,
    scan: Scan,
    settings: Settings,
    options: BuildOptions,
) -> tuple[_Head, _Changed, _Gone] | None:
    """The head row, and the files changed and deleted since the base and its overlay;
    None when it already shows that the edits cannot be patched in: another key, another
    output, a file deleted that is not an article that can go (_removable) or a draft, an
    edit to an article's aliases or draft state (but for a draft published, which comes in
    as a new article, and an article made a draft, which goes as a deleted one), or a
    person without an author file added or dropped. Loading the base is then saved."""
    head = cache.state(_HEAD)
    if not isinstance(head, tuple) or len(head) != 4:
        return None
    token, head_key, content, origins = head
    if token != overlay.get("token") or head_key != key:
        return None
    if overlay.get("manifest") != manifest_digest(options.output):
        return None
    edits = {**overlay.get("bodies", {}), **overlay.get("files", {})}
    removed = overlay.get("removed", {})
    content, origins = _without_files(content, removed), _without_files(origins, removed)
    content.update((shown, edit[1]) for shown, edit in edits.items())
    origins.update(_origins_added(overlay.get("added", {})))  # a file deleted may be back
    origins.update(_origins_of_files(overlay.get("files", {})))  # new author files too
    drafts = overlay.get("drafts", {})
    for shown, (slug, draft_key) in drafts.items():  # made drafts too
        content[shown], origins[shown] = draft_key, ("articles", slug)
    found = _changed(content, scan, len(edits) + len(removed) + len(drafts))
    if found is None:
        return None
    changed, gone = found
    shown_now = [s.shown for _, s, _ in changed if s.shown in content]
    last = cache.parsed_meta(content[shown] for shown in [*shown_now, *gone])
    people = {slug for kind, slug in origins.values() if kind == "authors"}  # with a file
    newcomers = _newcomers(changed, origins, settings)
    if newcomers is None:
        return None
    people.update(newcomers.values())
    for shown in gone:
        if origins.get(shown, ("",))[0] != "articles":
            return None  # an author file or a page: a full build's work
        before = last.get(content[shown])
        if before is None:
            continue  # not in the parse cache: the base will tell
        if not (before[0].draft and not options.drafts) and not _removable(before[0], people):
            return None
    for _, source, data in changed:
        kind = origins.get(source.shown, ("",))[0]
        if kind in _FILES or source.shown in newcomers:
            continue  # any edit to an author file or a page can be patched in
        new = source.shown not in origins
        if kind != "articles" and not (new and source.kind == "articles"):
            return None
        before = None if new else last.get(content[source.shown])
        if before is None and not new:
            continue  # not in the parse cache: the base will tell
        try:
            record, problems = parse_source(source, data or source.read(), settings)
        except OSError:
            return None
        if problems:
            return None
        if _left_as_draft(record, source.shown, origins, options):
            was = None if new else before[0]  # type: ignore[index]
            if was is None or was.draft or _removable(was, people):  # new, or made one now
                continue
            return None
        # A draft the library leaves out, published now, comes in as a new article does.
        fresh = new or (not options.drafts and before[0].draft)  # type: ignore[index]
        if fresh and not _addable(record, origins, source.shown):
            return None
        old = blank(record) if fresh else before[0]  # type: ignore[index]
        if not _same_place(record, old) or not have_files(record, old, people):
            return None
    return head, changed, gone


def _origins_added(added: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """The origins of new articles (shown -> slug), as the head's origins give them."""
    return {shown: ("articles", slug) for shown, slug in added.items()}


def _origins_of_files(files: Mapping[str, _FileEdit]) -> dict[str, tuple[str, str]]:
    """The origins of the author files and pages an overlay holds: new ones' too."""
    return {shown: (edit[2], edit[0]) for shown, edit in files.items()}


def _newcomers(
    changed: _Changed, origins: Mapping[str, tuple[str, str]], settings: Settings
) -> dict[str, str] | None:
    """The new author files (shown -> slug), read for their front matter only; None when
    one cannot be patched in (see _newcomer), as far as that tells."""
    found = {}
    for _, source, data in changed:
        if source.kind != "authors" or source.shown in origins:
            continue
        try:
            record, problems = parse_source(source, data or source.read(), settings)
        except OSError:
            return None
        if problems or not isinstance(record, Author):
            return None
        found[source.shown] = record.slug
    return found


def _listed_only(record: Any) -> bool:
    """Whether an article is in lists and makes nothing else: published and dated (an
    undated article or a draft is in no list) and without aliases (which make redirects).
    Such an article can come or go by moving between lists."""
    return (
        isinstance(record, Article)
        and not record.draft
        and record.date is not None
        and not record.aliases
    )


def _addable(record: Any, origins: Mapping[str, tuple[str, str]], shown: str) -> bool:
    """Whether a new article, or a draft published now, at `shown`, can be patched in: one
    _listed_only, with a slug no other content file has (`origins`, drafts included; a
    slug used twice is an error for a full build to report), and a draft's with the slug
    it had (other files' links to it were checked against that one)."""
    key, own = ("articles", record.slug), origins.get(shown)
    if own is not None and own != key:
        return False
    taken = 0 if own is None else 1  # the draft's own file holds its slug
    return _listed_only(record) and list(origins.values()).count(key) == taken


def _removable(record: Any, people: Collection[str]) -> bool:
    """Whether a deleted article can be patched out: one _listed_only, every person it
    names with an author file (`people`), so that no person goes."""
    return _listed_only(record) and have_files(blank(record), record, people)


def _apply(snapshot: Snapshot, overlay: dict[str, Any]) -> None:
    """Bring a snapshot pickled at a full build up to date with the edits since."""
    library = snapshot.library
    for slug, record in overlay["records"].items():
        _set_record(library, slug, record)
    for slug, _, kind, record, _ in overlay["files"].values():
        if kind == "authors" and slug not in library.authors:  # new: before their works
            _add_person(library, record)
    apply_moves(library, overlay["moves"])
    for shown in overlay["removed"]:  # before the files added: one may be back
        snapshot.content.pop(shown, None)
        snapshot.origins.pop(shown, None)
    for slug in _gone(overlay):
        _drop_article(library, slug)
    _keep_drafts(snapshot, overlay["drafts"])  # made drafts: removed, their files kept
    snapshot.origins.update(_origins_added(overlay["added"]))
    for shown, (slug, key, body, summary, front) in overlay["bodies"].items():
        _set_body(library, slug, body, summary)
        library.content_keys[("articles", slug)] = key
        _set_front_key(library, slug, front)
        snapshot.content[shown] = key
    for shown, (slug, key, kind, record, body) in overlay["files"].items():
        _set_file(library, kind, slug, record, body, key)
        snapshot.content[shown] = key
    snapshot.origins.update(_origins_of_files(overlay["files"]))
    library.related.update(overlay["lists"])
    if overlay["warnings"] is not None:
        library.warnings = list(overlay["warnings"])
    snapshot.manifest = overlay["manifest"]
    snapshot.overlay = overlay


def last_related_memo(cache: BuildCache) -> RelatedMemo | None:
    """The related memo of the last full build, for a full build to start from (any
    earlier computation's memo will do): the one this process holds, else its row."""
    if _MEMORY is not None and _MEMORY[0] == str(cache.path):
        memo = _MEMORY[3].library.related_memo
        if memo is not None:
            return memo
    row = cache.state(_MEMO)
    memo = row[1] if isinstance(row, tuple) and len(row) == 2 else None
    return memo if isinstance(memo, RelatedMemo) else None


def _related_memo(cache: BuildCache, snapshot: Snapshot) -> RelatedMemo | None:
    """The related memo of the snapshot's library, read from its row when first needed and
    brought up to date with the overlay."""
    library = snapshot.library
    if library.related_memo is None:
        row = cache.state(_MEMO)
        if not isinstance(row, tuple) or len(row) != 2 or row[0] != snapshot.token:
            return None
        memo = row[1]
        if not isinstance(memo, RelatedMemo):
            return None
        overlay = snapshot.overlay
        memo.keys.update(overlay["keys"])
        if overlay.get("stamps"):  # dates edited since: the order follows
            memo.stamps.update(overlay["stamps"])  # new articles' too
            ranked = rank_by_date(memo.stamps, memo.stamps)
            memo.order.clear()
            memo.order.update(ranked)
        memo.titles.update(overlay["titles"])
        memo.entries.update(overlay["entries"])
        memo.by_slug.update(overlay["lists"])
        if overlay["unmatched"] is not None:
            unmatched = dict(overlay["unmatched"])
            memo.unmatched.clear()
            memo.unmatched.update(unmatched)
        if gone := _gone(overlay):  # deleted since: out of every part, and of the order
            parts = (memo.keys, memo.titles, memo.entries, memo.stamps, memo.by_slug)
            for slug in gone:
                for part in parts:
                    part.pop(slug, None)
            ranked = rank_by_date(memo.stamps, memo.stamps)
            memo.order.clear()
            memo.order.update(ranked)
        library.related_memo = memo
    return library.related_memo


# -- patching -----------------------------------------------------------------------


def try_patch(
    cache: BuildCache,
    key: str,
    scan: Scan,
    settings: Settings,
    options: BuildOptions,
) -> Patch | None:
    """The last library patched for the edits `scan` found, or None to build in full."""
    global _MEMORY
    if (options.output / MARKER).exists():
        return None  # a build was killed while writing: the manifest may be stale
    overlay = cache.state(_OVERLAY)
    if not isinstance(overlay, dict):
        return None
    snapshot = _remembered(cache, overlay)
    found = None
    if snapshot is None:
        worth = _worth_loading(cache, overlay, key, scan, settings, options)
        if worth is None:
            return None
        head, *found = worth  # the base's content, with the overlay's: as the head's
        snapshot = _load(cache, overlay, head)
    if snapshot is None or snapshot.key != key:
        return None
    if snapshot.manifest is None or snapshot.manifest != manifest_digest(options.output):
        return None  # the output is not as the last build left it
    if found is None:
        found = _changed(snapshot.content, scan, _patched(snapshot.overlay))
    if found is None:
        return None
    changed, gone = found
    library = snapshot.library
    removed = _removed(snapshot, gone, options)  # shown -> slug, of the articles deleted
    if removed is None:
        return None
    edited: dict[str, tuple[str, str]] = {}
    bodies: dict[str, RenderedBody] = {}
    records: dict[str, Article] = {}  # the edited articles whose front matter changed
    files: dict[str, _FileEdit] = {}  # as Patch.files
    fresh: dict[str, tuple[Any, str]] = {}
    added: dict[str, str] = {}  # shown -> slug, of new articles
    newcomers: set[str] = set()  # people whose author files are new
    drafts: dict[str, tuple[str, str]] = {}  # shown -> (slug, key), as Patch.drafts
    drafted: dict[str, str] = {}  # shown -> slug, of the articles made drafts now
    claimed: set[str] = set()  # the slugs of new article files, drafts too
    for job_key, source, data in changed:
        parsed = _parse(source, data, settings)
        if parsed is None:
            return None
        record, body = parsed
        stored = replace(body, html=None)  # the HTML is read back from the cache
        fresh[job_key] = ((record, stored), body.html or "")
        origin = snapshot.origins.get(source.shown)
        new = origin is None
        if _left_as_draft(record, source.shown, snapshot.origins, options):
            slug = record.slug
            if new:
                if slug in claimed:
                    return None  # a slug used twice: the full build reports it
                claimed.add(slug)
            if slug in library.articles_by_slug:  # published until now
                if not _removable(library.articles_by_slug[slug], with_files(library)):
                    return None
                if slug in library.linked:
                    return None  # a link to it warns now: the full build finds each
                drafted[source.shown] = slug
            drafts[source.shown] = (slug, job_key)
            continue
        if new and source.kind == "authors":
            kind, fit = "authors", _newcomer(library, record, body)
        elif new or _left_out(library, origin, options):
            # A draft the library leaves out, published now: new to the library.
            kind, fit = "articles", _new_article(snapshot, source, record, body)
            new = True
        else:
            kind, slug = origin
            fit = _edit(library, kind, slug, record, body)
        if not fit:
            return None
        if new and kind == "authors":
            slug = record.slug
            newcomers.add(slug)
        elif new:
            if record.slug in claimed or record.slug in library.articles_by_slug:
                return None  # a slug used twice: the full build reports it
            slug = added[source.shown] = record.slug
            claimed.add(slug)
        if kind in _FILES:
            files[source.shown] = (slug, job_key, kind, record, stored)
            continue
        edited[source.shown] = (slug, job_key)
        bodies[slug] = stored
        if slug not in library.articles_by_slug or record != library.articles_by_slug[slug]:
            records[slug] = record
    now = ChainMap(records, library.articles_by_slug)  # the records as edited
    new_slugs = set(added.values())
    gone_slugs = set(removed.values())  # drafts deleted too: the library has none of them
    out_slugs = {slug for slug in gone_slugs if slug in library.articles_by_slug}
    out_slugs.update(drafted.values())  # the articles the library loses
    if gone_slugs & linked_articles([*bodies.values(), *(edit[4] for edit in files.values())]):
        return None  # an edit links to an article deleted now: the full build reports it
    before = {  # a new article moves into its lists from none
        slug: blank(record) if slug in new_slugs else library.articles_by_slug[slug]
        for slug, record in records.items()
    }
    moved = {
        slug: (before[slug], record)
        for slug, record in records.items()
        if not _same_lists(record, before[slug])
    }
    for slug in out_slugs:  # and a deleted one, or one made a draft, out of them to none
        record = library.articles_by_slug[slug]
        moved[slug] = (record, blank(record))
    moves = list_moves(library, moved, new_slugs, out_slugs, newcomers) if moved else ListMoves()
    if moves is None:
        return None
    try:
        related = _patch_related(cache, snapshot, bodies, now, new_slugs, out_slugs)
    except CacheError:  # the cache lost the edited article's last body: build in full
        return None
    if related is None:
        return None
    # The outputs that show a card: of each edited or deleted article, and of each edited
    # person's works.
    people = [slug for slug, _, kind, *_ in files.values() if kind == "authors"]
    works = [work for slug in people for work in _works(library, slug)]
    users = _card_users(cache, snapshot, [*bodies, *works, *out_slugs])
    if users is None:
        return None  # the rows are another base's now
    # From here on the snapshot in memory is being changed: it is remembered again
    # only once the build has written its output and stored the overlay.
    _MEMORY = None
    cache.store_parsed(fresh)
    snapshot.origins.update(_origins_added(added))
    if (records or files or removed or drafted) and not isinstance(
        library.articles_by_slug, StoredArticles
    ):
        # A library this process made holds each record in many lists and routes; in the
        # kept form they all read it by slug, so that one `put` replaces it everywhere.
        library = snapshot.library = kept_form(library)
    for slug, record in records.items():
        _set_record(library, slug, record)
    affected: set[str] = set().union(*users.values())
    routes_changed = False
    for slug, _, _, record, _ in files.values():
        if slug not in newcomers:
            continue
        if slug in library.authors:  # named before without a file: warned about no more
            message = no_file_message(slug)
            library.warnings = [w for w in library.warnings if w.message != message]
        else:  # before the moves: the lists of their works move in
            affected.update(_add_person(library, record), ["sitemap.xml"])
            routes_changed = True
    if moved:
        outputs, routes_changed = patch_lists(library, moves)
        affected.update(outputs)
    for shown, slug in removed.items():
        _drop_article(library, slug)
        del snapshot.content[shown], snapshot.origins[shown]
    for slug in drafted.values():
        _drop_article(library, slug)
    _keep_drafts(snapshot, drafts)
    for shown, (slug, job_key, kind, record, body) in files.items():
        _set_file(library, kind, slug, record, body, job_key)
        affected.update(_file_outputs(library, kind, slug))
        snapshot.content[shown] = job_key
        snapshot.origins[shown] = (kind, slug)  # a new author file has none yet
    for slug, body in bodies.items():
        article: Article = library.articles_by_slug[slug]
        _set_body(library, slug, body, article.summary or cut_at_word(body.first_paragraph))
    lists = {
        slug: chosen
        for slug, chosen in related.by_slug.items()
        if library.related.get(slug) != chosen
    }
    for slug, chosen in lists.items():
        library.related[slug] = chosen
        affected.add(f"{library.articles_by_slug[slug].url_path}index.html")
    for shown, (slug, job_key) in edited.items():
        # A card takes its front matter's file as one input: the file edited now, if
        # its front matter changed; else the file the front matter was read from.
        front = None if slug in records else _front_key(library, slug)
        library.content_keys[("articles", slug)] = job_key
        _set_front_key(library, slug, front)
        snapshot.content[shown] = job_key
    if related.memo is not None:
        library.related_memo = related.memo
        library.warnings = [w for w in library.warnings if w.key != "related"]
        library.warnings += related_warnings(related.unmatched)
    if records:
        library.warnings = _at_lines_now(library.warnings, records)
    if moved:
        library.warnings = _no_file_warnings_now(library, moved.values())
    relinked = [
        (shown, library.articles_by_slug[slug].body_line, bodies[slug])
        for shown, (slug, _) in edited.items()
    ] + [(shown, edit[3].body_line, edit[4]) for shown, edit in files.items()]
    library.warnings = _draft_links_now(library, relinked, [*removed, *drafted], added.values())
    return Patch(
        snapshot,
        library,
        affected,
        edited,
        lists,
        scan,
        set(records),
        files,
        moves,
        routes_changed,
        added,
        removed,
        drafts,
        drafted,
    )


def _no_file_warnings_now(
    library: Library, moved: Iterable[tuple[Article, Article]]
) -> list[Warning_]:
    """The warnings, with each person without an author file whom a moved article names
    (before or now) warned about at the newest article naming them now: a date edit can
    make another one the newest."""
    people = {
        person
        for pair in moved
        for record in pair
        for person in (*record.authors, *record.interviewees)
        if person in library.authors and not library.authors[person].has_file
    }
    if not people:
        return library.warnings
    messages = {no_file_message(person) for person in people}
    warnings = [w for w in library.warnings if w.message not in messages]
    for person in people:
        lists = (library.written_by.get(person, ()), library.interviews_of.get(person, ()))
        newest = min((works[0] for works in lists if works), key=sort_key, default=None)
        if newest is not None:
            warnings.append(no_file_warning(person, newest))
    return warnings


def _draft_links_now(
    library: Library,
    relinked: Sequence[tuple[str, int, RenderedBody]],
    gone: Iterable[str],
    published: Iterable[str],
) -> list[Warning_]:
    """The warnings, with those for links to drafts made again for the files edited or
    new (`relinked`: shown path, body line, body) and dropped for the files gone and the
    drafts published now (`published`, by slug), in order. A link's target exists, or the
    patch would have been refused: one the library has no article for is a draft."""
    paths = {shown for shown, _, _ in relinked}.union(gone)
    names = {draft_link_message(slug) for slug in published}
    kept = [
        w
        for w in library.warnings
        if not (w.key == "link" and (w.path in paths or w.message in names))
    ]
    drafts = {
        link.slug
        for _, _, body in relinked
        for link in body.links
        if link.kind == "articles" and link.slug not in library.articles_by_slug
    }
    return in_order([*kept, *draft_links(drafts, relinked)])


def _at_lines_now(warnings: list[Warning_], records: Mapping[str, Article]) -> list[Warning_]:
    """The warnings, each on its key's line in the edited articles as they are now: an
    edit above a key moves it (a person without a file is warned about on `authors`)."""
    by_source = {record.source: record for record in records.values()}
    moved = []
    for warning in warnings:
        record = by_source.get(warning.path or "")
        line = record.line_of(warning.key) if record is not None and warning.key else None
        moved.append(replace(warning, line=line) if line is not None else warning)
    return moved


def _parse(
    source: SourceFile, data: bytes | None, settings: Settings
) -> tuple[Any, RenderedBody] | None:
    """A changed content file parsed, with its body's HTML; None when it has an error (for
    the full build to report) or cannot be read."""
    try:
        record, body, problems = parse_one(source, data or source.read(), settings)
    except OSError:
        return None  # the full build reports it
    return None if problems or body is None else (record, body)


def _links_found(library: Library, record: Any, body: RenderedBody, also: str = "") -> bool:
    """Whether every link in a body names a file the library knows (or the article `also`,
    new with it)."""
    targets = library.link_targets
    if also:
        targets = {**targets, "articles": targets["articles"] | {also}}
    errors = ErrorCollector()
    check_links(targets, [(record.source or "", record.body_line, body)], errors)
    return not errors.errors


def _edit(library: Library, kind: str, slug: str, record: Any, body: RenderedBody) -> bool:
    """Whether an edited article, author file or page can be patched in: not an article
    that moved in the archive, nor a body linking to a missing file."""
    if kind == "pages":
        old: Any = next((page for page in library.pages if page.slug == slug), None)
    elif kind in ("articles", "authors"):
        old = (library.articles_by_slug if kind == "articles" else library.authors).get(slug)
    else:
        return None
    if old is None or (kind == "articles" and not _same_place(record, old)):
        return False
    return _links_found(library, record, body)


def _new_article(snapshot: Snapshot, source: SourceFile, record: Any, body: RenderedBody) -> bool:
    """Whether a new article (or a draft published now) can be patched in: see _addable;
    its links name files that exist, and no alias takes one of its paths."""
    if source.kind != "articles" or not _addable(record, snapshot.origins, source.shown):
        return False
    library = snapshot.library
    folder = record.url_path
    if any(path == folder[:-1] or path.startswith(folder) for path, _ in library.redirects):
        return False
    return _links_found(library, record, body, also=record.slug)


def _newcomer(library: Library, record: Any, body: RenderedBody) -> bool:
    """Whether a new author file can be patched in: its links name files that exist. The
    person may be named already without a file: their page was made from the slug, and
    the file changes it as an edit would. (A person's aliases are spellings for the
    importer: no redirects.)"""
    if not isinstance(record, Author):
        return False
    known = library.authors.get(record.slug)
    if known is not None and known.has_file:
        return False  # another file gives this slug: the full build tells
    return _links_found(library, record, body)


def _left_as_draft(
    record: Any, shown: str, origins: Mapping[str, tuple[str, str]], options: BuildOptions
) -> bool:
    """Whether a changed article file is a draft now, which a library built without
    --drafts leaves out, with the slug its file had (other files' links to it were checked
    against that one), or, new, with a slug no other file has (a slug used twice is an
    error for a full build to report). It changes no output, only which links are valid;
    or, if it was published, it takes its article out of the lists."""
    if options.drafts or not isinstance(record, Article) or not record.draft:
        return False
    key, own = ("articles", record.slug), origins.get(shown)
    return own == key if own is not None else key not in origins.values()


def _keep_drafts(snapshot: Snapshot, drafts: Mapping[str, tuple[str, str]]) -> None:
    """The content files that are drafts now (shown -> (slug, content key)): their slugs
    stay link targets, as a full build has every article file's."""
    for shown, (slug, key) in drafts.items():
        snapshot.content[shown] = key
        snapshot.origins[shown] = ("articles", slug)
        snapshot.library.link_targets["articles"].add(slug)


def _add_person(library: Library, person: Author) -> list[str]:
    """A person whose author file is new, in a library of the kept form: among the people
    in the order of their slugs, as a full build has them, with their first page and feed
    (the moves give them more pages), and the author index with as many pages as it
    needs now. The paths added."""
    library.authors = dict(sorted({**library.authors, person.slug: person}.items()))
    library.link_targets["authors"].add(person.slug)
    routes = cast(KeptRoutes, library.routes)
    added = routes.add_list("author", person.slug, person.url_path)
    pages = page_count(len(library.authors), library.settings.per_page)
    more, _ = routes.set_pages("author_index", None, pages, "authors/")
    library.__dict__.pop("route_paths", None)  # a cached property: made again
    return added + more


def _left_out(library: Library, origin: tuple[str, str], options: BuildOptions) -> bool:
    """Whether a content file is a draft that the library leaves out (built without
    --drafts): an article file whose slug the library has no article for."""
    kind, slug = origin
    return kind == "articles" and not options.drafts and slug not in library.articles_by_slug


def _gone(overlay: Mapping[str, Any]) -> set[str]:
    """The articles of the base an overlay deleted and did not add again."""
    return set(overlay["removed"].values()) - set(overlay["added"].values())


def _without_files(by_file: Mapping[str, Any], removed: Mapping[str, str]) -> dict[str, Any]:
    """A head's content or origins without the files an overlay deleted."""
    return {shown: value for shown, value in by_file.items() if shown not in removed}


def _patched(overlay: Mapping[str, Any]) -> int:
    """How many content files an overlay holds edits to or deletions of."""
    return sum(len(overlay[part]) for part in ("bodies", "files", "removed", "drafts"))


def _removed(
    snapshot: Snapshot, gone: Sequence[str], options: BuildOptions
) -> dict[str, str] | None:
    """The deleted content files (`gone`), shown -> slug; None unless each is an article
    that can go (_removable) or a draft the library leaves out, and no body links to it
    (a full build reports such a link)."""
    library = snapshot.library
    people = with_files(library)
    removed = {}
    for shown in gone:
        origin = snapshot.origins[shown]
        kind, slug = origin
        if kind != "articles" or slug in library.linked:
            return None
        if not (
            _left_out(library, origin, options)
            or _removable(library.articles_by_slug.get(slug), people)
        ):
            return None
        removed[shown] = slug
    return removed


def _drop_article(library: Library, slug: str) -> None:
    """What a library of the kept form holds of a deleted article besides its lists and
    routes (see moves.apply_moves), or of a draft it left out: its slug as a link target."""
    cast(StoredArticles, library.articles_by_slug).drop(slug)
    library.link_targets["articles"].discard(slug)
    for part in (library.summaries, library.reading_minutes, library.related, library.front_keys):
        part.pop(slug, None)
    library.bodies.pop(("articles", slug), None)
    library.content_keys.pop(("articles", slug), None)
    cast(KeptRoutes, library.routes).forget()


def _works(library: Library, slug: str) -> tuple[str, ...]:
    """The slugs of the articles a person wrote or was interviewed in."""
    written = slugs_of(library.written_by.get(slug, ()))
    return written + slugs_of(library.interviews_of.get(slug, ()))


def _file_outputs(library: Library, kind: str, slug: str) -> list[str]:
    """The outputs that show an author file or page, besides cards: a person's own pages
    and feed and the author index (the page that lists them; fingerprints tell which),
    or the page's own."""
    routes = cast(KeptRoutes, library.routes)
    if kind == "pages":
        return routes.paths_of({"page"}, slug)
    return routes.paths_of({"author", "author_feed"}, slug) + routes.paths_of({"author_index"})


def _set_file(
    library: Library, kind: str, slug: str, record: Any, body: RenderedBody, key: str
) -> None:
    """An edited author file or page, in a library of the kept form: its routes read it
    by slug."""
    if kind == "authors":
        library.authors[slug] = record
    else:
        library.pages = tuple(record if page.slug == slug else page for page in library.pages)
    library.bodies[(kind, slug)] = body
    library.content_keys[(kind, slug)] = key
    library.linked.update(linked_articles([body]))
    cast(KeptRoutes, library.routes).forget()


def _set_record(library: Library, slug: str, record: Article) -> None:
    """An edited article's record, in a library of the kept form (see kept_form)."""
    cast(StoredArticles, library.articles_by_slug).put(slug, record)
    cast(KeptRoutes, library.routes).forget()


def _set_body(library: Library, slug: str, body: RenderedBody, summary: str) -> None:
    """An edited article's body, and what its card takes of it."""
    library.bodies[("articles", slug)] = body
    library.summaries[slug] = summary
    library.reading_minutes[slug] = body.reading_minutes
    library.linked.update(linked_articles([body]))


def _front_key(library: Library, slug: str) -> str:
    """The content key of the file an article's front matter was read from."""
    return library.front_keys.get(slug) or library.content_keys[("articles", slug)]


def _set_front_key(library: Library, slug: str, front: str | None) -> None:
    """Where an article's front matter was read from, if not its content key's file."""
    if front is None or front == library.content_keys[("articles", slug)]:
        library.front_keys.pop(slug, None)
    else:
        library.front_keys[slug] = front


def _card_users(
    cache: BuildCache, snapshot: Snapshot, slugs: Iterable[str]
) -> dict[str, set[str]] | None:
    """The outputs that show each article's card (the same sets the snapshot holds, so
    that adding to one adds to the snapshot's); None when the cache's rows are gone."""
    users = snapshot.card_users
    if snapshot.cards_in_cache:
        missing = [slug for slug in slugs if slug not in users]
        if missing:
            found = cache.cards(snapshot.token, missing)
            if found is None:
                return None
            users.update(found)
    return {slug: users.setdefault(slug, set()) for slug in slugs}


@dataclass
class _Related:
    by_slug: Mapping[str, tuple[str, ...]]  # every list; none when `memo` is None
    memo: RelatedMemo | None  # None: no article's keys, title or entries changed
    unmatched: tuple[tuple[Article, str], ...] = ()  # with `memo`: entries matching nothing


def _patch_related(
    cache: BuildCache,
    snapshot: Snapshot,
    bodies: Mapping[str, RenderedBody],
    articles: Mapping[str, Article],
    added: Collection[str] = (),
    removed: Collection[str] = (),
) -> _Related | None:
    """The related lists after the edits (`articles` holds the edited records), the new
    articles (`added`) and the deleted ones (`removed`); None when they cannot be patched."""
    library = snapshot.library
    before = library.articles_by_slug
    # An article's keys are made of its people, its terms and the set of its top words;
    # its list also reads its title and entries. When these are as before, so is every
    # list, and the memo need not be read.
    unchanged = (
        not added
        and not removed
        and all(
            set(body.keywords) == set(library.bodies[("articles", slug)].keywords)
            and articles[slug].title == before[slug].title
            and articles[slug].related == before[slug].related
            and _same_lists(articles[slug], before[slug])
            for slug, body in bodies.items()
        )
    )
    if unchanged:
        return _Related({}, None)
    memo = _related_memo(cache, snapshot)
    if memo is None:
        return None
    words = {slug: body.keywords for slug, body in bodies.items()}
    stamps = {
        slug: articles[slug].date.moment.timestamp()  # type: ignore[union-attr]
        for slug in bodies
        # both dated (see moves._move_dates), as is a new article (_addable)
        if slug in added or articles[slug].date != before[slug].date
    }
    related = patch_related(memo, articles, words, stamps, added, removed)
    if related is None:
        return None
    return _Related(related.by_slug, related.memo, related.unmatched)


# -- writing ------------------------------------------------------------------------


@dataclass
class PendingBase:
    """A full build's snapshot, being pickled and stored by a forked child."""

    snapshot: Snapshot
    process: BaseProcess | None

    def abandon(self) -> None:
        """The build failed: its snapshot must not be stored."""
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join()


def begin_full(
    cache: BuildCache,
    key: str,
    library: Library,
    content: dict[str, str],
    origins: dict[str, tuple[str, str]],
    unstored: Collection[tuple[str, str]] = (),
) -> PendingBase:
    """Start keeping a full build's library for the next build to patch.

    Pickling it is a second or more at 10,000 articles; a forked child does it while
    the build renders and writes. It is forked before rendering, while the process
    is at its smallest (the child's peak memory is the parent's at the fork, plus the
    pickle); the cards each output shows are stored when the build has rendered.
    Bodies keep their HTML only where the cache lacks it (`unstored`): a build that
    parsed everything holds every body's HTML, which would make the snapshot four
    times bigger (109 MB at 10,000 articles) and every patching build slower to load it.
    """
    bodies = {
        key: body if body.html is None or key in unstored else replace(body, html=None)
        for key, body in library.bodies.items()
    }
    # The loader is a closure of this build's.
    kept = replace(library, html_loader=None, bodies=bodies)
    snapshot = Snapshot(key, kept, content, origins, {})
    import multiprocessing

    process = None
    if "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        process = context.Process(target=_store_base, args=(cache, snapshot), daemon=True)
        process.start()
    return PendingBase(snapshot, process)


def _store_base(cache: BuildCache, snapshot: Snapshot) -> None:
    """In the forked child: a connection of its own (see BuildCache._db)."""
    _store_rows(cache, snapshot)
    cache.close()


def _store_rows(cache: BuildCache, snapshot: Snapshot) -> None:
    """The base, the memo, and the head. The base leaves out what has rows of its own
    (the related memo; content and origins, in the head) and the bodies the parse cache
    holds (all but those with their HTML): see _CachedBodies. Its articles and routes
    are kept in the forms that are read on demand (library.kept_form)."""
    library = snapshot.library
    bodies = {key: body for key, body in library.bodies.items() if body.html is not None}
    kept = kept_form(replace(library, related_memo=None, bodies=bodies))
    cache.store_records(snapshot.token, cast(StoredArticles, kept.articles_by_slug).records)
    base = replace(snapshot, library=kept, content={}, origins={}, card_users={})
    cache.store_state(_BASE, base)
    cache.store_state(_MEMO, (snapshot.token, library.related_memo))
    _store_head(cache, snapshot)


def _store_head(cache: BuildCache, snapshot: Snapshot) -> None:
    head = (snapshot.token, snapshot.key, snapshot.content, snapshot.origins)
    cache.store_state(_HEAD, head)


def finish_full(
    cache: BuildCache,
    pending: PendingBase,
    uses: Mapping[str, Iterable[str]],
    output_manifest: str | None,
) -> None:
    """Once the output is written: the base, the cards each output shows, then the
    overlay that names them."""
    global _MEMORY
    snapshot, process = pending.snapshot, pending.process
    for path, slugs in uses.items():
        for slug in slugs:
            snapshot.card_users.setdefault(slug, set()).add(path)
    if process is not None:
        process.join()
    if process is None or process.exitcode != 0:
        _store_rows(cache, snapshot)
    cache.store_cards(snapshot.token, snapshot.card_users, replace=True)
    overlay = {
        "token": snapshot.token,
        "generation": _random_token(),
        "bodies": {},
        "records": {},  # slug -> the record of an article whose front matter was edited
        "files": {},  # shown -> what an edit made of an author file or page (_FileEdit)
        "added": {},  # shown -> slug, of each new article (its body and record are above)
        "removed": {},  # shown -> slug, of each article deleted or made a draft since
        "drafts": {},  # shown -> (slug, content key), of each article file a draft now
        "lists": {},
        "moves": ListMoves(),  # every edit to articles' terms, people and dates, as one
        "keys": {},
        "stamps": {},  # slug -> date, of the articles whose date a patch changed
        "titles": {},
        "entries": {},
        "unmatched": None,  # the memo's, when an edit changed it
        "warnings": None,  # the library's, as the last patch left them
        "manifest": output_manifest,
    }
    cache.store_state(_OVERLAY, overlay)
    snapshot.manifest, snapshot.overlay = output_manifest, overlay
    _MEMORY = (str(cache.path), snapshot.token, overlay["generation"], snapshot)


def store_patch(
    cache: BuildCache,
    patch: Patch,
    uses: Mapping[str, Iterable[str]],
    output_manifest: str | None,
) -> None:
    """Add a patching build's changes to the overlay."""
    global _MEMORY
    snapshot, library = patch.snapshot, patch.library
    overlay = _without(snapshot.overlay, {*patch.removed.values(), *patch.drafted.values()})
    overlay["generation"] = _random_token()
    overlay["manifest"] = snapshot.manifest = output_manifest
    overlay["removed"] = {**overlay["removed"], **patch.removed, **patch.drafted}
    # A draft published now is an article's file again (see patch.edited), and one
    # deleted is no file.
    drafts = {
        shown: draft
        for shown, draft in overlay["drafts"].items()
        if shown not in patch.edited and shown not in patch.removed
    }
    overlay["drafts"] = {**drafts, **patch.drafts}
    overlay["bodies"] = {**overlay["bodies"]}  # shown -> what the edit made of the file
    for shown, (slug, key) in patch.edited.items():
        body = library.bodies[("articles", slug)]
        front = library.front_keys.get(slug)
        overlay["bodies"][shown] = (slug, key, body, library.summaries[slug], front)
    overlay["files"] = {**overlay["files"], **patch.files}
    overlay["added"] = {**overlay["added"], **patch.added}
    records = library.articles_by_slug
    overlay["records"] = {
        **overlay["records"],
        **{slug: records[slug] for slug in patch.records},
    }
    overlay["lists"] = {**overlay["lists"], **patch.lists}
    overlay["moves"] = overlay["moves"].then(patch.moves)
    memo = library.related_memo
    if memo is not None:  # else no edit changed an article's keys, title or entries
        slugs = [slug for slug, _ in patch.edited.values() if slug in memo.keys]
        parts = {"keys": memo.keys, "titles": memo.titles, "entries": memo.entries}
        for name, part in {**parts, "stamps": memo.stamps}.items():
            overlay[name] = {**overlay[name], **{slug: part[slug] for slug in slugs}}
        overlay["unmatched"] = memo.unmatched
    # Entries matched, lines moved, a person named without a file has one, links to drafts.
    overlay["warnings"] = library.warnings
    # A list may show other cards now: remember that it shows them, in the rows first (a
    # row that names an output too many costs a fingerprint, never a stale page).
    shown = {slug for path in patch.affected for slug in uses.get(path, ())}
    users = _card_users(cache, snapshot, shown) or {}
    grown = {}
    for path in patch.affected:
        for slug in uses.get(path, ()):
            if slug in users and path not in users[slug]:
                users[slug].add(path)
                grown[slug] = users[slug]
    cache.store_cards(snapshot.token, grown)
    cache.store_state(_OVERLAY, overlay)
    snapshot.overlay = overlay
    _MEMORY = (str(cache.path), snapshot.token, overlay["generation"], snapshot)


def _without(overlay: Mapping[str, Any], gone: Collection[str]) -> dict[str, Any]:
    """An overlay without what it holds of articles deleted now (`gone`): their edits,
    records, related lists and memo parts. One the patch added is then as if never added;
    one of the base is dropped by the patch's moves and the overlay's "removed"."""
    overlay = dict(overlay)
    if not gone:
        return overlay
    overlay["bodies"] = {s: e for s, e in overlay["bodies"].items() if e[0] not in gone}
    overlay["added"] = {s: slug for s, slug in overlay["added"].items() if slug not in gone}
    for name in ("records", "lists", "keys", "stamps", "titles", "entries"):
        overlay[name] = {slug: v for slug, v in overlay[name].items() if slug not in gone}
    return overlay


def discard(cache: BuildCache) -> None:
    """The kept library is not to be patched again: the next build starts from the archive."""
    forget()
    cache.store_state(_OVERLAY, None)


def forget() -> None:
    """Drop the snapshot held in memory: the next build reads it back from the cache."""
    global _MEMORY
    _MEMORY = None
