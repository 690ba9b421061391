"""Related posts: editor entries first, then computed ones from an inverted index.

No article is compared with every other: candidates come only from keys shared
by few articles, and keys shared by many (catch-all topics, regions, words) only
add to the score of candidates found otherwise, or fill in by nearby dates.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import math
import re
import string
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .model import Article
from .parallel import chunks, parallel_map
from .progress import Progress, batches_done, silent

WEIGHTS = {"interviewee": 5.0, "author": 3.0, "topics": 2.0, "regions": 1.0, "word": 0.5}
CATCH_ALL = 60  # a key shared by more articles than this does not propose candidates
TOP_WORDS = 12
_WORD = re.compile(r"[^\W\d_]{4,}")  # a run of four letters or more
# ASCII digits and punctuation end a word as the pattern does; blanking them first lets
# most words be found by a split, several times faster than the pattern over the text.
_ASCII_BREAKS = str.maketrans(dict.fromkeys(string.digits + string.punctuation, " "))
STOP_WORDS = frozenset(
    [
        "about",
        "above",
        "after",
        "again",
        "against",
        "also",
        "although",
        "among",
        "another",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "came",
        "cannot",
        "could",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "either",
        "else",
        "even",
        "ever",
        "every",
        "from",
        "further",
        "gets",
        "give",
        "given",
        "going",
        "have",
        "having",
        "here",
        "hers",
        "herself",
        "himself",
        "into",
        "itself",
        "just",
        "know",
        "last",
        "least",
        "less",
        "like",
        "made",
        "make",
        "many",
        "more",
        "most",
        "much",
        "must",
        "near",
        "need",
        "never",
        "next",
        "none",
        "often",
        "once",
        "only",
        "other",
        "ought",
        "ours",
        "ourselves",
        "over",
        "own",
        "part",
        "rather",
        "said",
        "same",
        "seem",
        "seems",
        "shall",
        "should",
        "show",
        "since",
        "some",
        "still",
        "such",
        "take",
        "than",
        "that",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "though",
        "through",
        "thus",
        "together",
        "under",
        "until",
        "upon",
        "very",
        "want",
        "well",
        "were",
        "what",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "whom",
        "whose",
        "will",
        "with",
        "within",
        "without",
        "would",
        "year",
        "years",
        "your",
        "yours",
        "could",
        "would",
        "should",
        "might",
        "shall",
        "today",
        "time",
        "times",
        "according",
        "told",
        "says",
        "saying",
        "very",
        "really",
        "first",
        "second",
        "third",
        "new",
        "old",
        "also",
        "however",
        "therefore",
    ]
)
_STOP_BYTES = frozenset(word.encode() for word in STOP_WORDS)
# `_ASCII_BREAKS` for UTF-8 bytes: the bytes of other characters are left as they are.
_BYTE_BREAKS = bytes(
    ord(" ") if chr(byte) in string.digits + string.punctuation else byte for byte in range(256)
)
_UTF8_ERRORS = "surrogatepass"  # a lone surrogate in a body must not stop the build


_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})


@functools.lru_cache(maxsize=1 << 16)  # every title and entry, at every build
def normalise_title(title: str) -> str:
    """Titles compared as the contract says: NFKC, quotes alike, spaces collapsed, casefolded."""
    text = unicodedata.normalize("NFKC", title)
    text = text.translate(_QUOTES)
    text = " ".join(text.split()).casefold()
    return text.rstrip(".!?;:,…").rstrip()


@dataclass(frozen=True)
class RelatedMemo:
    """What one computation saw, so that the next recomputes only what an edit can change."""

    count: int
    catch_all: int  # CATCH_ALL when it was made; weights are in the keys themselves
    order: dict[str, int]  # slug -> rank, newest first
    stamps: dict[str, float]  # slug -> date; an unchanged date keeps the relative order
    keys: dict[str, dict[str, float]]
    titles: dict[str, str]  # slug -> normalised title
    entries: dict[str, tuple[str, ...]]  # slug -> the editor's related entries
    by_slug: dict[str, tuple[str, ...]]
    unmatched: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class RelatedResult:
    by_slug: Mapping[str, tuple[str, ...]]
    unmatched: tuple[tuple[Article, str], ...]  # (article, entry) for warnings
    memo: RelatedMemo
    recomputed: int  # how many lists were computed rather than reused


def words(text: str) -> list[str]:
    """The words of `_WORD.findall(text.casefold())`, in another order: the pattern runs only
    on chunks between spaces with something besides letters (curly quotes, dashes, marks)."""
    chunks = text.casefold().translate(_ASCII_BREAKS).split()
    found = [chunk for chunk in chunks if len(chunk) >= 4 and chunk.isalpha()]
    for chunk in chunks:
        if not chunk.isalpha():
            found += _WORD.findall(chunk)
    return found


def top_words(title: str, text: str) -> tuple[str, ...]:
    """An article's own most frequent words against a fixed stop list (no corpus statistics).

    The words of `words(text)`, counted another way: as UTF-8 bytes, split and counted in
    C, with only the distinct chunks looked at in Python (a body has a thousand words and
    a few hundred distinct ones). A chunk with anything but ASCII letters goes through the
    pattern as text. UTF-8 sorts as the code points do, so ties fall as they would in text.
    """
    counts = Counter(text.casefold().encode("utf-8", _UTF8_ERRORS).translate(_BYTE_BREAKS).split())
    for chunk in [chunk for chunk in counts if len(chunk) < 4 or not chunk.isalpha()]:
        times = counts.pop(chunk)
        if not chunk.isalpha():
            for word in _WORD.findall(chunk.decode("utf-8", _UTF8_ERRORS)):
                counts[word.encode("utf-8", _UTF8_ERRORS)] += times
    for word in words(title):
        counts[word.encode("utf-8", _UTF8_ERRORS)] += 3
    for word in _STOP_BYTES.intersection(counts):
        del counts[word]
    # Only the words counted at least as often as the twelfth most frequent can place.
    floor = heapq.nlargest(TOP_WORDS, counts.values())[-1] if len(counts) > TOP_WORDS else 0
    ranked = sorted((-count, word) for word, count in counts.items() if count >= floor)
    return tuple(word.decode("utf-8", _UTF8_ERRORS) for _, word in ranked[:TOP_WORDS])


def _keys(article: Article, words: Sequence[str]) -> dict[str, float]:
    keys: dict[str, float] = {}
    for slug in article.interviewees:
        keys[f"interviewee:{slug}"] = WEIGHTS["interviewee"]
    for slug in article.authors:
        keys.setdefault(f"author:{slug}", WEIGHTS["author"])
    for taxonomy, terms in article.terms.items():
        weight = WEIGHTS.get(taxonomy, 1.0)
        for term in terms:
            keys[f"{taxonomy}:{term.casefold()}"] = weight
    for word in words:
        keys.setdefault(f"word:{word}", WEIGHTS["word"])
    return keys


def _editor_entries(
    article: Article, by_slug: Mapping[str, Article], by_title: Mapping[str, Article]
) -> tuple[list[str], list[str]]:
    chosen: list[str] = []
    unmatched: list[str] = []
    for entry in article.related:
        target = by_slug.get(entry) or by_title.get(normalise_title(entry))
        if target is None:
            unmatched.append(entry)
        elif target.slug != article.slug and target.slug not in chosen and not target.draft:
            chosen.append(target.slug)
    return chosen, unmatched


def compute_related(
    articles: Sequence[Article],
    words: Mapping[str, Sequence[str]],
    count: int,
    previous: RelatedMemo | None = None,
    progress: Progress = silent,
) -> RelatedResult:
    """Related slugs for every article; `articles` are newest first, drafts excluded.

    With the memo of an earlier computation, only the lists an edit can change are
    computed again; the result is the same as computing every list. `progress` hears
    of the lists computed.
    """
    by_slug = {a.slug: a for a in articles}
    by_title: dict[str, Article] = {}
    titles = {a.slug: normalise_title(a.title) for a in articles}
    for article in articles:
        by_title.setdefault(titles[article.slug], article)
    order = {a.slug: i for i, a in enumerate(articles)}  # newest first
    keys = {a.slug: _keys(a, words.get(a.slug, ())) for a in articles}
    postings: dict[str, list[str]] = defaultdict(list)
    positions: dict[str, dict[str, int]] = {}  # slug -> key -> index in that posting
    for article in articles:  # newest first, so each posting list is in date order
        where = positions[article.slug] = {}
        for key in keys[article.slug]:
            posting = postings[key]
            where[key] = len(posting)
            posting.append(article.slug)
    entries = {a.slug: tuple(a.related) for a in articles}
    stamps = {a.slug: a.date.moment.timestamp() if a.date else math.inf for a in articles}
    memo = RelatedMemo(count, CATCH_ALL, order, stamps, keys, titles, entries, {}, {})
    stale = _stale(previous, memo, postings) if previous is not None else None

    todo = [a.slug for a in articles if stale is None or a.slug in stale]
    index = (by_slug, by_title, keys, postings, positions, order, count)
    computed = _lists_of(todo, index, progress)
    unmatched: list[tuple[Article, str]] = []
    for article in articles:
        slug = article.slug
        if slug in computed:
            memo.by_slug[slug], missing = computed[slug]
        else:
            memo.by_slug[slug] = previous.by_slug[slug]  # type: ignore[union-attr]
            missing = previous.unmatched.get(slug, ())  # type: ignore[union-attr]
        if missing:
            memo.unmatched[slug] = tuple(missing)
            unmatched.extend((article, entry) for entry in missing)
    if stale is not None and not stale and previous.order.keys() == order.keys():  # type: ignore[union-attr]
        memo = previous  # nothing it holds has changed: the caller need not store it again
    recomputed = len(articles) if stale is None else len(stale)
    return RelatedResult(memo.by_slug, tuple(unmatched), memo, recomputed)


_Index = tuple[
    Mapping[str, Article],  # by slug
    Mapping[str, Article],  # by normalised title
    Mapping[str, Mapping[str, float]],  # keys
    Mapping[str, list[str]],  # postings
    Mapping[str, Mapping[str, int]],  # positions
    Mapping[str, int],  # order
    int,  # count
]
_INDEX: _Index | None = None  # set before workers fork; read by _lists_in


def _lists_of(
    slugs: list[str], index: _Index, progress: Progress
) -> dict[str, tuple[tuple[str, ...], list[str]]]:
    """The lists of `slugs`, computed in workers when there are many (a cold build's
    10,000 take seconds in one process; the index they read is shared through fork)."""
    global _INDEX
    _INDEX = index
    batches = chunks(slugs, 250)
    finished = batches_done(progress, "related posts", batches)
    try:
        parts = parallel_map(_lists_in, batches, min_items=8, finished=finished)
    finally:
        _INDEX = None
    return {
        slug: made
        for batch, part in zip(batches, parts, strict=True)
        for slug, made in zip(batch, part, strict=True)
    }


def _lists_in(slugs: Sequence[str]) -> list[tuple[tuple[str, ...], list[str]]]:
    assert _INDEX is not None
    by_slug = _INDEX[0]
    return [_list_of(by_slug[slug], *_INDEX) for slug in slugs]


def _list_of(
    article: Article,
    by_slug: Mapping[str, Article],
    by_title: Mapping[str, Article],
    keys: Mapping[str, Mapping[str, float]],
    postings: Mapping[str, list[str]],
    positions: Mapping[str, Mapping[str, int]],
    order: Mapping[str, int],
    count: int,
) -> tuple[tuple[str, ...], list[str]]:
    """One article's list (editor entries first) and its entries that match nothing."""
    chosen, missing = _editor_entries(article, by_slug, by_title)
    if len(chosen) < count:
        exclude = {article.slug, *chosen}
        wanted = count - len(chosen)
        chosen.extend(_computed(article.slug, keys, postings, positions, order, wanted, exclude))
    return tuple(chosen[:count]), missing


def rank_by_date(slugs: Iterable[str], stamps: Mapping[str, float]) -> dict[str, int]:
    """Each slug's place as library.sort_key orders articles: newest first, undated
    (an infinite stamp) last, the slug breaking ties."""

    def key(slug: str) -> tuple[float, str]:
        stamp = stamps[slug]
        return (-stamp if math.isfinite(stamp) else stamp, slug)

    return {slug: at for at, slug in enumerate(sorted(slugs, key=key))}


def patch_related(
    previous: RelatedMemo,
    articles_by_slug: Mapping[str, Article],
    edited: Mapping[str, Sequence[str]],
    stamps: Mapping[str, float] | None = None,
    added: Collection[str] = (),
    removed: Collection[str] = (),
) -> RelatedResult | None:
    """The lists after edits to some articles' bodies, titles, terms, people or related
    entries, after new articles, and after deleted ones.

    `edited` gives each edited or new article's top words now, and `articles_by_slug` its
    record now; `stamps` the new date of each whose date changed, and of each new one
    (`added`); `removed` the deleted articles, which leave every list and posting.
    Terms and people change only keys, and the rest of the archive keeps its relative
    order: this skips what `compute_related` rebuilds for the whole archive. None when
    the change is too large to patch.
    """
    order, moved = previous.order, {}
    keys, titles, entries = previous.keys, previous.titles, previous.entries
    removed = {slug for slug in removed if slug in order}  # drafts have no list
    if removed:
        keys, titles, entries = (_without(part, removed) for part in (keys, titles, entries))
    if stamps or removed:
        moved = {
            slug: stamp for slug, stamp in (stamps or {}).items() if slug in order or slug in added
        }
        kept = [slug for slug in order if slug not in removed] if removed else order
        order = rank_by_date([*kept, *added], {**previous.stamps, **moved})
    new_keys: dict[str, dict[str, float]] = {}
    new_titles: dict[str, str] = {}
    new_entries: dict[str, tuple[str, ...]] = {}
    for slug, words in edited.items():
        if slug not in order:  # drafts have no list
            continue
        article = articles_by_slug[slug]
        if (made := _keys(article, words)) != keys.get(slug):
            new_keys[slug] = made
        if (title := normalise_title(article.title)) != titles.get(slug):
            new_titles[slug] = title
        if (named := tuple(article.related)) != entries.get(slug):
            new_entries[slug] = named
    # Records are looked up only for the lists recomputed: a kept library unpickles each
    # article when first read (library.StoredArticles).
    published = _Records({slug: slug for slug in order}, articles_by_slug)
    if not (new_keys or new_titles or new_entries or moved or removed):
        return RelatedResult(previous.by_slug, _unmatched(previous, published), previous, 0)
    keys = {**keys, **new_keys}
    titles = {**titles, **new_titles}  # in the same order: each slug keeps its place
    postings: dict[str, list[str]] = defaultdict(list)
    for slug in order:  # newest first, as compute_related made them
        for key in keys[slug]:
            postings[key].append(slug)
    memo = RelatedMemo(
        previous.count,
        previous.catch_all,
        order,
        _without({**previous.stamps, **moved}, removed),
        keys,
        titles,
        {**entries, **new_entries},
        _without(previous.by_slug, removed),
        _without(previous.unmatched, removed),
    )
    changed = {*new_keys, *new_titles, *new_entries, *moved, *removed}
    stale = _stale(previous, memo, postings, changed)
    if stale is None:
        return None
    title_slugs: dict[str, str] = {}
    for slug in order:  # newest first: the newest of equal titles wins
        title_slugs.setdefault(titles[slug], slug)
    by_title = _Records(title_slugs, articles_by_slug)
    positions = _Positions(postings, order, keys)
    for slug in stale:
        memo.by_slug[slug], missing = _list_of(
            published[slug], published, by_title, keys, postings, positions, order, memo.count
        )
        if missing:
            memo.unmatched[slug] = tuple(missing)
        else:
            memo.unmatched.pop(slug, None)
    return RelatedResult(memo.by_slug, _unmatched(memo, published), memo, len(stale))


def _without(part: Mapping[str, Any], slugs: Collection[str]) -> dict[str, Any]:
    """A memo's part without the deleted articles' entries, in its order."""
    return {slug: value for slug, value in part.items() if slug not in slugs}


class _Records(Mapping[str, Article]):
    """Articles by a key (slug or title), each read from `articles` when looked up."""

    def __init__(self, slugs: Mapping[str, str], articles: Mapping[str, Article]) -> None:
        self._slugs = slugs
        self._articles = articles

    def __getitem__(self, key: str) -> Article:
        return self._articles[self._slugs[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._slugs)

    def __len__(self) -> int:
        return len(self._slugs)


class _Positions(dict):
    """Where each key of an article sits in its posting, found when first asked for."""

    def __init__(self, postings, order, keys) -> None:
        super().__init__()
        self.postings, self.order, self.keys = postings, order, keys

    def __missing__(self, slug: str) -> dict[str, int]:
        rank = self.order[slug]
        where = self[slug] = {
            key: bisect.bisect_left(self.postings[key], rank, key=self.order.__getitem__)
            for key in self.keys[slug]
        }
        return where


def _unmatched(memo: RelatedMemo, published: Mapping[str, Article]):
    return tuple(
        (published[slug], entry) for slug in memo.order for entry in memo.unmatched.get(slug, ())
    )


def _stale(
    old: RelatedMemo,
    new: RelatedMemo,
    postings: Mapping[str, list[str]],
    changed: set[str] | None = None,
) -> set[str] | None:
    """The articles whose lists may differ from `old`'s; None when all must be computed.

    A list depends on the article's own keys and entries, on the candidates its rare
    keys propose, on its date neighbours in catch-all keys, and on the titles and
    slugs its entries name. So an edited article touches the members of its rare
    postings, the neighbours around it in its catch-all postings (where it is now and
    where it was), and the articles whose entries name it. `changed`: the articles whose
    keys, title or entries differ, when the caller knows them; else all are compared.
    """
    if old.count != new.count or old.catch_all != new.catch_all:
        return None
    if changed is None:
        changed = {
            slug
            for slug in old.order.keys() | new.order.keys()
            if slug not in old.order
            or slug not in new.order
            or old.keys[slug] != new.keys[slug]
            or old.titles[slug] != new.titles[slug]
            or old.entries[slug] != new.entries[slug]
            or old.stamps[slug] != new.stamps[slug]  # others keep their relative order
        }
    if len(changed) > max(50, len(new.order) // 10):
        return None  # a large change: computing everything is as quick
    stale = {slug for slug in changed if slug in new.order}
    reach = new.count + 1
    for key in {key for slug in changed for memo in (old, new) for key in memo.keys.get(slug, ())}:
        now = postings.get(key, [])
        members = [s for s in now if s not in changed]
        members += [s for s in changed if key in old.keys.get(s, ())]
        before = sorted(members, key=old.order.__getitem__)
        if min(len(before), len(now)) <= CATCH_ALL:
            stale.update(now)  # a rare key on either side: all its members (the others changed)
            continue
        for posting in (now, before):
            for at, slug in enumerate(posting):
                if slug in changed:
                    window = posting[max(0, at - reach) : at + reach + 1]
                    stale.update(s for s in window if s in new.order)
    names = set(changed)
    names.update(
        memo.titles[slug] for slug in changed for memo in (old, new) if slug in memo.titles
    )
    for slug, entries in new.entries.items():
        if any(entry in names or normalise_title(entry) in names for entry in entries):
            stale.add(slug)
    return stale


def _computed(
    slug: str,
    keys: Mapping[str, Mapping[str, float]],
    postings: Mapping[str, list[str]],
    positions: Mapping[str, Mapping[str, int]],
    order: Mapping[str, int],
    wanted: int,
    exclude: set[str],
) -> list[str]:
    """The best `wanted` others by summed weight of shared keys; newer first on ties."""
    own = keys[slug]
    rare: dict[float, Counter[str]] = {}
    catch_all: list[str] = []
    for key, weight in own.items():
        posting = postings[key]
        if len(posting) > CATCH_ALL:
            catch_all.append(key)
        elif len(posting) > 1:
            counter = rare.get(weight)
            if counter is None:
                counter = rare[weight] = Counter()
            counter.update(posting)  # counted in C
    scores: dict[str, float] = defaultdict(float)
    for weight, counter in rare.items():
        for candidate, shared in counter.items():
            scores[candidate] += weight * shared
    # Catch-all people, topics and regions propose only their articles nearest in
    # date, a bounded number; catch-all words only add to the exact scores below.
    where = positions[slug]
    for key in catch_all:
        weight = own[key]
        if weight < 1:
            continue
        at = where[key]
        for neighbour in postings[key][max(0, at - wanted) : at + wanted + 1]:
            scores[neighbour] += weight
    for candidate in exclude:
        scores.pop(candidate, None)
    # Exact scores (catch-all keys included) only for the best few by rare keys.
    shortlist = heapq.nsmallest(
        3 * wanted + 6, scores.items(), key=lambda item: (-item[1], order[item[0]])
    )
    ranked = []
    for candidate, _ in shortlist:
        other = keys[candidate]
        score = sum(own[key] for key in own.keys() & other.keys())
        if score > 0:
            ranked.append((-score, order[candidate], candidate))
    ranked.sort()
    return [candidate for _, _, candidate in ranked[:wanted]]
