"""Related posts: matching rules of the contract and the inverted index."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.config import Settings
from sitegen.loader import parse_article
from sitegen.model import ArchiveDate, Article
from sitegen.related import (
    STOP_WORDS,
    compute_related,
    normalise_title,
    patch_related,
    top_words,
    words,
)

SETTINGS = Settings(title="t", base_url="https://example.org/")


def article(slug: str, date: str, topics=(), related=(), authors=("a",), title=None):
    lines = [
        "---",
        f"title: {title or slug.title()}",
        f"date: {date}",
        f"authors: [{', '.join(authors)}]",
        f"topics: [{', '.join(topics)}]",
    ]
    if related:
        lines.append("related:")
        lines.extend(f"  - '{r}'" for r in related)
    text = "\n".join([*lines, "---", f"Body of {slug}.", ""])
    return parse_article(f"{slug}.md", text, slug, SETTINGS)


def test_title_normalisation_treats_quotes_case_and_spaces_alike():
    assert normalise_title("Why “Strategic  Stability” Still Matters.") == normalise_title(
        'why "strategic stability" still matters'
    )


def test_editor_entries_first_in_order_then_computed():
    items = [
        article("c", "2020-03-01", topics=["x"]),
        article("b", "2020-02-01", topics=["x"]),
        article("a", "2020-01-01", topics=["x"], related=["b", "Nope", "a"]),
    ]
    result = compute_related(items, {}, 3)
    assert result.by_slug["a"] == ("b", "c")
    assert [entry for _, entry in result.unmatched] == ["Nope"]


def test_never_self_or_twice():
    items = [article("a", "2020-01-01", related=["a", "b", "B"]), article("b", "2020-01-02")]
    assert compute_related(items, {}, 5).by_slug["a"] == ("b",)


def test_shared_keys_outrank_and_ties_break_deterministically():
    items = [
        article("near", "2020-01-01", topics=["x", "y"]),
        article("far", "2020-01-02", topics=["x"]),
        article("other", "2020-01-03", topics=["z"], authors=("b",)),
        article("me", "2020-01-04", topics=["x", "y"]),
    ]
    result = compute_related(items, {}, 5)
    assert result.by_slug["me"][:2] == ("near", "far")
    assert "other" not in result.by_slug["me"]
    assert compute_related(items, {}, 5).by_slug == result.by_slug


def test_top_words_use_a_fixed_stop_list():
    words = top_words("Radar", "which would which warning radar systems systems")
    assert words[:2] == ("radar", "systems") and "which" not in words and "would" not in words


# Letters, digits, punctuation, curly quotes, dashes, marks, other scripts and odd spaces.
_PROSE = st.text(
    st.sampled_from("aAbéÉßſǅﬁİ²½٣_-'’—.,!?0 \n\t\u00a0\u2009\u0301\u0660шЖ中ひ")
    | st.characters(codec="utf-8"),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(_PROSE)
def test_words_are_found_as_the_pattern_finds_them(text):
    # Related lists rest on each article's words: the fast split must find the same ones.
    assert sorted(words(text)) == sorted(re.findall(r"[^\W\d_]{4,}", text.casefold()))


def _top_words_as_defined(title: str, text: str) -> tuple[str, ...]:
    counts = Counter(re.findall(r"[^\W\d_]{4,}", text.casefold()))
    for word in re.findall(r"[^\W\d_]{4,}", title.casefold()):
        counts[word] += 3
    ranked = sorted((-n, word) for word, n in counts.items() if word not in STOP_WORDS)
    return tuple(word for _, word in ranked[:12])


# Twenty words, some of them stop words or in other scripts, each repeated up to four times
# (so that counts tie at the twelfth place), shuffled among bits of prose.
_VOCABULARY = ["radar", "Radar", "signal", "border", "water", "grain", "trade", "treaty"]
_VOCABULARY += ["power", "cable", "forest", "which", "would", "naïve", "straße", "ДОМА"]
_VOCABULARY += ["中文中文", "école", "don’t", "co-op"]
_REPEATS = (
    st.tuples(
        st.lists(st.integers(0, 4), min_size=len(_VOCABULARY), max_size=len(_VOCABULARY)),
        st.lists(_PROSE, max_size=5),
    )
    .map(
        lambda drawn: (
            [w for w, n in zip(_VOCABULARY, drawn[0], strict=True) for _ in range(n)] + drawn[1]
        )
    )
    .flatmap(st.permutations)
    .map(" ".join)
)


@settings(max_examples=200, deadline=None)
@given(_PROSE, _REPEATS)
def test_top_words_are_the_most_frequent_words_as_the_pattern_finds_them(title, text):
    # Counted as bytes for speed, ranked by count and then alphabetically, as in text.
    assert top_words(title, text) == _top_words_as_defined(title, text)


def test_catch_all_keys_stay_bounded():
    # 400 articles share one topic: each still gets a full list, chosen near in time.
    items = [
        article(f"a{i:03d}", f"2020-01-01T00:{i // 60:02d}:{i % 60:02d}", topics=["all"])
        for i in range(400)
    ]
    items.sort(key=lambda a: -a.date.moment.timestamp())
    result = compute_related(items, {}, 5)
    assert all(len(v) == 5 for v in result.by_slug.values())


# -- incremental recomputation ------------------------------------------------------
# With the memo of the last computation only the lists an edit can reach are computed
# again. Whatever the edits, the result must equal a computation from scratch; the
# pool is large enough that popular topics, authors and words are catch-all keys.


WORDS = [f"word{letter}{n}" for letter in "abcdefgh" for n in range(6)]
TOPICS = ["common", "usual", *(f"topic{n}" for n in range(12))]
BASE = Article("x.md", "x", "X", None, ("a",), "", 1)
START = datetime(2010, 1, 1, tzinfo=UTC)


def _corpus_article(n: int, draw) -> tuple[Article, tuple[str, ...]]:
    topics = draw(st.lists(st.sampled_from(TOPICS), max_size=3, unique=True))
    if n % 3:
        topics = ["common", *[t for t in topics if t != "common"]]
    moment = START + timedelta(days=draw(st.integers(0, 400)))
    art = replace(
        BASE,
        slug=f"s{n:03d}",
        title=draw(st.sampled_from(["Same title", f"Title {n}", f"Title {n % 7}"])),
        date=ArchiveDate(moment, "day", moment.date().isoformat()),
        authors=(draw(st.sampled_from(["a", "b", "c", f"p{n % 40}"])),),
        interviewees=tuple(draw(st.lists(st.sampled_from(["i1", "i2", "i3"]), max_size=1))),
        terms={"topics": tuple(topics), "regions": ("everywhere",) if n % 2 else ()},
        related=tuple(
            draw(st.lists(st.sampled_from(["s001", "s050", "Title 3", "Same title"]), max_size=2))
        ),
    )
    words = tuple(draw(st.lists(st.sampled_from(WORDS), max_size=6, unique=True)))
    return art, words


def _draw_corpus(data) -> dict[str, tuple[Article, tuple[str, ...]]]:
    count = data.draw(st.integers(70, 160))
    return {f"s{n:03d}": _corpus_article(n, data.draw) for n in range(count)}


def _related(corpus: dict[str, tuple[Article, tuple[str, ...]]], previous=None):
    articles = sorted(
        (a for a, _ in corpus.values()), key=lambda a: (-a.date.moment.timestamp(), a.slug)
    )
    words = {a.slug: w for a, w in corpus.values()}
    return compute_related(articles, words, 4, previous)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_incremental_related_equals_a_full_computation(data):
    corpus = _draw_corpus(data)
    memo = _related(corpus).memo
    for _ in range(data.draw(st.integers(1, 4))):
        edits = data.draw(st.integers(1, 3))
        for _ in range(edits):
            slug = data.draw(st.sampled_from(sorted(corpus)))
            action = data.draw(st.sampled_from(["change", "delete", "add", "date", "words"]))
            article, words = corpus[slug]
            if action == "delete" and len(corpus) > 2:
                del corpus[slug]
            elif action == "add":
                number = 500 + len(corpus)
                corpus[f"s{number:03d}"] = _corpus_article(number, data.draw)
            elif action == "date":
                moment = START + timedelta(days=data.draw(st.integers(0, 400)))
                corpus[slug] = (replace(article, date=ArchiveDate(moment, "day", "d")), words)
            elif action == "words":
                corpus[slug] = (
                    article,
                    tuple(data.draw(st.lists(st.sampled_from(WORDS), max_size=6))),
                )
            else:
                fresh, _ = _corpus_article(int(slug[1:]), data.draw)
                corpus[slug] = (fresh, words)
        incremental = _related(corpus, memo)
        full = _related(corpus)
        assert dict(incremental.by_slug) == dict(full.by_slug)
        assert [(a.slug, e) for a, e in incremental.unmatched] == [
            (a.slug, e) for a, e in full.unmatched
        ]
        memo = incremental.memo


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_patching_words_titles_and_entries_equals_a_full_computation(data):
    # The build patches the lists when only bodies, titles, terms, people, dates or
    # related entries changed, or articles were added: the same lists, and the same
    # entries matching nothing, as computing all.
    corpus = _draw_corpus(data)
    memo = _related(corpus).memo
    for step in range(data.draw(st.integers(1, 4))):
        edited = data.draw(st.lists(st.sampled_from(sorted(corpus)), min_size=0, max_size=3))
        new_words = {}
        stamps: dict[str, float] = {}
        added = []
        for n in range(data.draw(st.integers(0 if edited else 1, 2))):
            # Entries name "Title 3", "Same title" (a title many share: an entry means the
            # newest) and "New", which may have matched nothing until now.
            number = 900 + 10 * step + n
            article, words = _corpus_article(number, data.draw)
            slug = article.slug
            title = data.draw(st.sampled_from([article.title, "Title 3", "Same title", "New"]))
            corpus[slug] = (replace(article, title=title), words)
            new_words[slug] = words
            stamps[slug] = article.date.moment.timestamp()
            added.append(slug)
        for slug in edited:
            article, words = corpus[slug]
            change = data.draw(
                st.sampled_from(["words", "title", "entries", "terms", "people", "date"])
            )
            if change == "date":
                moment = START + timedelta(days=data.draw(st.integers(0, 400)))
                article = replace(article, date=ArchiveDate(moment, "day", "d"))
                stamps[slug] = moment.timestamp()
            elif change == "terms":  # "common" is a catch-all topic: a move can cross the cap
                topics = data.draw(st.lists(st.sampled_from(TOPICS), max_size=3, unique=True))
                article = replace(article, terms={**article.terms, "topics": tuple(topics)})
            elif change == "people":  # "a" writes a third of the corpus: a catch-all key
                writer = data.draw(st.sampled_from(["a", "b", "p1", "p2"]))
                guests = data.draw(st.lists(st.sampled_from(["i1", "i2", "i3"]), max_size=2))
                article = replace(article, authors=(writer,), interviewees=tuple(guests))
            elif change == "words":
                words = tuple(data.draw(st.lists(st.sampled_from(WORDS), max_size=6)))
            elif change == "title":
                title = data.draw(st.sampled_from(["Same title", "Title 3", "Title 1", "New"]))
                article = replace(article, title=title)
            else:
                named = ["s001", "s050", "Title 3", "Same title", "New", "nothing"]
                entries = data.draw(st.lists(st.sampled_from(named), max_size=2))
                article = replace(article, related=tuple(entries))
            corpus[slug] = (article, words)
            new_words[slug] = words
        by_slug = {slug: article for slug, (article, _) in corpus.items()}
        patched = patch_related(memo, by_slug, new_words, stamps, added)
        full = _related(corpus)
        assert patched is not None
        assert dict(patched.by_slug) == dict(full.by_slug)
        assert [(a.slug, e) for a, e in patched.unmatched] == [
            (a.slug, e) for a, e in full.unmatched
        ]
        # and the patched memo serves the next computation as a full one's would
        assert dict(_related(corpus, patched.memo).by_slug) == dict(full.by_slug)
        memo = patched.memo


def test_an_edit_recomputes_only_the_lists_it_can_reach():
    # 300 articles on 30 rare topics: a new title on one reaches a handful of lists.
    items = [
        replace(
            BASE,
            slug=f"s{n:03d}",
            title=f"T{n}",
            date=ArchiveDate(START + timedelta(days=n), "day", "d"),
            authors=(f"p{n}",),
            terms={"topics": (f"topic{n % 30}",)},
        )
        for n in range(300)
    ]
    items.reverse()
    first = compute_related(items, {}, 4)
    edited = [replace(a, title="Changed") if a.slug == "s150" else a for a in items]
    second = compute_related(edited, {}, 4, first.memo)
    assert second.by_slug == compute_related(edited, {}, 4).by_slug
    assert 0 < second.recomputed <= 12
    again = compute_related(edited, {}, 4, second.memo)  # nothing changed since
    assert again.recomputed == 0 and again.memo is second.memo
