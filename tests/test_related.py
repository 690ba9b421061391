"""Related posts: matching rules of the contract and the inverted index."""

from __future__ import annotations

from sitegen.config import Settings
from sitegen.loader import parse_article
from sitegen.related import compute_related, normalise_title, top_words

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


def test_catch_all_keys_stay_bounded():
    # 400 articles share one topic: each still gets a full list, chosen near in time.
    items = [
        article(f"a{i:03d}", f"2020-01-01T00:{i // 60:02d}:{i % 60:02d}", topics=["all"])
        for i in range(400)
    ]
    items.sort(key=lambda a: -a.date.moment.timestamp())
    result = compute_related(items, {}, 5)
    assert all(len(v) == 5 for v in result.by_slug.values())
