"""Incremental builds give the same bytes as clean builds, after any sequence of edits."""

from __future__ import annotations

import contextlib
import pickle
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support.site import SITES, build, contents, html, snapshot, text_of

from sitegen import cache as cache_module
from sitegen import dates, search
from sitegen import snapshot as snapshot_module
from sitegen.build import build_site, prepare
from sitegen.buildstate import BuildOptions, input_signature, unchanged_since_last_build
from sitegen.cache import BuildCache
from sitegen.config import load_settings
from sitegen.errors import BuildFailed, ErrorCollector
from sitegen.ingest import parse_one, scan_sources
from sitegen.library import KeptRoutes, StoredArticles, kept_form, route_rows, slugs_of
from sitegen.loader import SourceFile
from sitegen.render import Renderer
from sitegen.snapshot import forget as forget_snapshot
from sitegen.writer import MANIFEST

WORDS = [
    "early",
    "warning",
    "radar",
    "treaty",
    "Arctic",
    "Caucasus",
    "missile",
    "trade",
    "“quoted”",
]
TOPICS = ["Military cooperation", "Arctic", "Strategic stability", "Trade", "Energy"]
EDITS = [
    "body", "title", "summary", "date", "topics", "related", "author", "template",
    "setting", "delete", "new", "author_file", "interviewees", "page", "newcomer",
    "publish", "draft", "link",
]  # fmt: skip


def _articles(site: Path) -> list[Path]:
    return sorted((site / "content/articles").glob("*.md"))


def _set_key(text: str, key: str, value: str) -> str:
    pattern = re.compile(rf"^{key}:.*(?:\n(?:  |- ).*)*", re.MULTILINE)
    if pattern.search(text):
        return pattern.sub(f"{key}: {value}", text, count=1)
    return text.replace("\n---\n", f"\n{key}: {value}\n---\n", 1)


def _linked(articles: list[Path], target: Path) -> bool:
    """Whether another article links to `target`: deleting it would be a real error."""
    return any(f"({target.stem}.md" in a.read_text() for a in articles if a != target)


def apply_edit(site: Path, edit: str, pick: int, word: str, step: int) -> None:
    """One editor's change to the fixture site; always leaves a valid site."""
    articles = _articles(site)
    target = articles[pick % len(articles)]
    text = target.read_text()
    if edit == "body":
        target.write_text(text + f"\nA new paragraph about {word} ({step}).\n")
    elif edit == "title":
        target.write_text(_set_key(text, "title", f"'Retitled {word} {step}'"))
    elif edit == "summary":
        target.write_text(_set_key(text, "summary", f"'In short: {word} ({step}).'"))
    elif edit == "date":
        target.write_text(_set_key(text, "date", f"20{10 + pick % 15}-0{1 + step % 9}"))
    elif edit == "topics":
        chosen = [TOPICS[(pick + i) % len(TOPICS)] for i in range(1 + step % 3)]
        target.write_text(_set_key(text, "topics", "[" + ", ".join(chosen) + "]"))
    elif edit == "related":
        other = articles[(pick + 1) % len(articles)].stem
        target.write_text(_set_key(text, "related", f"[{other}]"))
    elif edit == "author":
        target.write_text(_set_key(text, "authors", f"[kenan-agazade, writer-{pick % 3}]"))
    elif edit == "template" and step % 2:  # the card: every list shows it
        card = site / "templates/partials/card.html"
        card.parent.mkdir(parents=True, exist_ok=True)
        default = Path(__file__).parents[1] / "templates/partials/card.html"
        card.write_text(default.read_text().replace("card-meta", f"card-meta meta-{step}"))
    elif edit == "template":
        templates = site / "templates"
        templates.mkdir(exist_ok=True)
        (templates / "404.html").write_text(
            '{% extends "base.html" %}{% block content %}<h1>Lost ' + str(step) + "</h1>"
            "{% endblock %}"
        )
    elif edit == "setting":
        config = site / "sitegen.toml"
        config.write_text(
            re.sub(r"per_page = \d+", f"per_page = {1 + step % 3}", config.read_text())
        )
    elif edit == "delete" and len(articles) > 2 and not _linked(articles, target):
        target.unlink()
    elif edit == "author_file":
        bio = site / "content/authors/kenan-agazade.md"
        bio.write_text(_set_key(bio.read_text(), "role", f"'Fellow of {word}'"))
    elif edit == "interviewees":  # people with author files: the edit can be patched in
        guests = ["dmitry-trenin", "kenan-agazade"][: 1 + step % 2]
        target.write_text(_set_key(text, "interviewees", "[" + ", ".join(guests) + "]"))
    elif edit == "newcomer":  # as `sitegen import` does: an expert's file and interview
        # Or the file of a person the fixture names without one (a page from the slug).
        guest = ["maria-olsen", "ola-nordmann"][pick % 2] if pick % 3 == 0 else f"guest-{step}"
        (site / f"content/authors/{guest}.md").write_text(f"---\nname: Guest {step}\n---\nBio.\n")
        (site / f"content/articles/talk-{step}.md").write_text(
            f"---\ntitle: A talk on {word} {step}\ndate: 2022-0{1 + step % 9}-1{pick % 9}\n"
            f"type: interview\nauthors: [kenan-agazade]\ninterviewees: [{guest}]\n---\n"
            f"**What about {word}?**\n\nIt matters.\n"
        )
    elif edit == "publish":  # a draft dated and published: the target, or the fixture's
        draft = target if "draft: true\n" in text else site / "content/articles/unfinished.md"
        if draft.exists():  # (the fixture's may have been deleted)
            text = draft.read_text().replace("draft: true\n", "")
            draft.write_text(_set_key(text, "date", f"2022-0{1 + step % 9}-0{1 + pick % 9}"))
    elif edit == "draft" and pick % 5 == 4:  # a piece imported with no date: a new draft
        (site / f"content/articles/draft-{step}.md").write_text(
            f"---\ntitle: A draft on {word} {step}\ndraft: true\nauthors: [kenan-agazade]\n"
            f"topics: [{TOPICS[pick % len(TOPICS)]}]\n---\nNotes on {word}.\n"
        )
    elif edit == "draft":  # an article made a draft, or a draft edited: left out
        if "draft: true\n" in text:
            target.write_text(text + f"\nA draft's note on {word} ({step}).\n")
        else:
            target.write_text(text.replace("---\n", "---\ndraft: true\n", 1))
    elif edit == "link":  # to another article file: a draft's warns while it is one
        other = articles[(pick + 2) % len(articles)].stem
        target.write_text(text + f"\nSee [the {word} piece]({other}.md).\n")
    elif edit == "page":
        about = site / "content/pages/about.md"
        about.write_text(_set_key(about.read_text(), "title", f"'About {word} {step}'"))
    else:  # new article, also the fallback for a refused delete
        (site / f"content/articles/new-{step}.md").write_text(
            f"---\ntitle: New on {word} {step}\ndate: 2023-0{1 + step % 9}-0{1 + pick % 9}\n"
            f"authors: [kenan-agazade]\ntopics: [{TOPICS[pick % len(TOPICS)]}]\n---\n"
            f"Text about {word}.\n"
        )


edit_steps = st.lists(
    st.tuples(st.sampled_from(EDITS), st.integers(0, 50), st.sampled_from(WORDS)),
    min_size=1,
    max_size=20,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=edit_steps)
# Found at 200 examples: a person named as an interviewee of a piece they wrote keeps
# their works, but their pages count their interviews.
@example(steps=[("body", 0, "early")] * 3 + [("interviewees", 1, "early")])
# Interviews with new experts, their works moved and deleted, and a draft published:
# each is patched in.
@example(
    steps=[
        ("publish", 0, "early"),
        ("newcomer", 0, "early"),
        ("newcomer", 1, "radar"),
        ("newcomer", 3, "trade"),
        ("interviewees", 2, "trade"),
        ("delete", 2, "early"),
        ("author_file", 0, "Arctic"),
        ("newcomer", 3, "treaty"),
    ]
)
# Articles made drafts, edited as drafts, published again, deleted: each is patched in.
@example(
    steps=[
        ("new", 0, "early"),
        ("new", 5, "radar"),  # a second piece of 2023: the year stays when one goes
        ("draft", 3, "early"),
        ("draft", 3, "radar"),
        ("body", 1, "trade"),
        ("publish", 3, "treaty"),
        ("draft", 3, "Arctic"),
        ("draft", 6, "early"),  # the fixture's draft, edited
        ("publish", 6, "radar"),
        ("delete", 3, "treaty"),  # a draft deleted
        ("draft", 4, "radar"),  # a new one
    ]
)
# New articles deleted again, with edits between: each deletion is patched in.
@example(
    steps=[
        ("new", 0, "early"),
        ("new", 1, "radar"),
        ("delete", 3, "early"),
        ("body", 3, "treaty"),
        ("new", 0, "trade"),
        ("delete", 3, "Arctic"),
    ]
)
# Links to the fixture's draft warn, on lines that edits above move, until it is
# published; made a draft again while linked to, it builds in full.
@example(
    steps=[
        ("link", 2, "early"),  # early-warning links to the draft, unfinished
        ("body", 2, "radar"),
        ("summary", 2, "trade"),
        ("publish", 4, "treaty"),
        ("draft", 4, "Arctic"),
        ("link", 0, "radar"),  # arctic-interview links to early-warning
    ]
)
def test_incremental_build_equals_clean_build(tmp_path_factory, steps):
    root = tmp_path_factory.mktemp("incremental")
    site = root / "site"
    shutil.copytree(SITES / "basic", site)
    output = root / "out"
    build(site, output)
    for number, (edit, pick, word) in enumerate(steps):
        apply_edit(site, edit, pick, word, number)
        result = build(site, output)
        clean = root / f"clean-{number}"
        search._memo.clear()  # the search index made again, not remembered from the build above
        expected = build(site, clean, use_cache=False, cache_dir=root / f"clean-cache-{number}")
        assert contents(output) == contents(clean), f"after {steps[: number + 1]}"
        assert _warnings(result) == _warnings(expected), f"after {steps[: number + 1]}"
        shutil.rmtree(clean)
        if result.patched:  # and the library it patched, which the next build's fingerprints read
            _assert_indexed_like_clean(site, output, root, keep_memory=True)


def _built_basic_site(tmp_path: Path, **options) -> tuple[Path, Path]:
    """A private copy of the basic site, built once: (site, output)."""
    site = tmp_path / "site"
    shutil.copytree(SITES / "basic", site)
    output = tmp_path / "out"
    build(site, output, **options)
    return site, output


def test_body_edit_rewrites_only_affected_files(tmp_path):
    site, output = _built_basic_site(tmp_path)
    before = snapshot(output)
    article = site / "content/articles/arctic-interview.md"
    article.write_text(article.read_text().replace("Faster than", "Much faster than"))
    result = build(site, output)
    after = snapshot(output)
    changed = {path for path in after if after[path] != before.get(path)}
    assert "articles/arctic-interview/index.html" in changed
    assert "feed.xml" in changed  # full content feeds carry the body
    assert "articles/caucasus-balance/index.html" not in changed
    assert "about/index.html" not in changed
    assert result.rendered < len(after) / 3


def test_a_body_edit_that_leaves_the_card_renders_only_what_shows_the_body(tmp_path, monkeypatch):
    # A list page, a related article or a cite file shows the edited article's card, not
    # its body: when the card (title, summary, reading time ...) is as it was, they stay.
    # An edit to the first paragraph changes the summary, and every page showing it.
    site, output = _built_basic_site(tmp_path, search=False)
    rendered: list[str] = []
    real = Renderer.render
    monkeypatch.setattr(
        Renderer, "render", lambda self, r: rendered.append(r.path) or real(self, r)
    )
    article = site / "content/articles/arctic-interview.md"
    article.write_text(article.read_text().replace("Faster than", "Much faster than"))
    forget_snapshot()  # as a new `sitegen build` process
    assert build(site, output, search=False).patched == 1
    page = "articles/arctic-interview/index.html"
    assert page in rendered and "feed.xml" in rendered
    assert not [path for path in rendered if path != page and not path.endswith(".xml")]
    _assert_like_clean(site, output, tmp_path, "same-card", search=False)
    rendered.clear()
    article.write_text(article.read_text().replace("great-power", "great-power and local"))
    forget_snapshot()
    assert build(site, output, search=False).patched == 1
    assert {"index.html", "topics/arctic/index.html", "authors/maria-olsen/index.html"} <= set(
        rendered
    )
    assert "great-power and local" in text_of(html(output, "topics/arctic/"))
    _assert_like_clean(site, output, tmp_path, "new-summary", search=False)


def test_no_op_rebuild_renders_nothing(tmp_path):
    output = tmp_path / "out"
    build(SITES / "basic", output)
    result = build(SITES / "basic", output)
    assert result.rendered == 0 and result.report.written == 0


# -- body edits patch the last build's library ----------------------------------------
# A body edit leaves every front matter as it was: the build patches the library the
# last build kept instead of indexing the archive again. It must give the bytes a clean
# build gives, and step aside for every other kind of change.


def _assert_like_clean(site: Path, output: Path, tmp_path: Path, label: str, **options):
    """The output is a clean build's, byte for byte: the clean build's result."""
    clean = tmp_path / f"clean-{label}"
    search._memo.clear()  # the search index made again, not remembered from the build above
    result = build(site, clean, use_cache=False, **options)
    assert contents(output) == contents(clean), label
    shutil.rmtree(clean)
    return result


def _edit_and_build(
    site: Path,
    output: Path,
    tmp_path: Path,
    edit: tuple[Path, Callable[[str], str] | None],
    patched: int,
    label: str,
    in_memory: bool,
    **options,
) -> tuple[dict, dict, set[str]]:
    """Edit a file (delete it, if the change is None) and build as a preview (in memory)
    or a new `sitegen build` (from the cache) would; the build patched as expected and
    matches a clean one, warnings too. The output before and after, and the paths whose
    bytes changed."""
    if not in_memory:
        forget_snapshot()  # a new `sitegen build`: the overlay is read back
    before = snapshot(output)
    path, change = edit
    if change is None:
        path.unlink()
    else:
        path.write_text(change(path.read_text() if path.exists() else ""))  # or a new file
    result = build(site, output, **options)
    assert result.patched == patched, label
    clean = _assert_like_clean(site, output, tmp_path, label, **options)
    assert _warnings(result) == _warnings(clean), label
    after = snapshot(output)
    return before, after, {path for path in after if after[path] != before.get(path)}


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "from-the-cache"])
def test_body_edits_patch_the_last_library_and_match_clean_builds(tmp_path, in_memory):
    # A preview server keeps the snapshot in memory; `sitegen build` reads it back from
    # the cache (the pickled library, the cards each output shows, the overlay of edits).
    def build_again():
        if not in_memory:
            forget_snapshot()
        return build(site, output)

    site = tmp_path / "site"
    shutil.copytree(SITES / "basic", site)
    output = tmp_path / "out"
    assert build(site, output).patched == 0  # nothing to patch yet
    steps = [
        ("body", 0, "radar", 1),
        ("body", 2, "treaty", 1),  # another article: the overlay holds both
        ("title", 1, "Arctic", 1),  # a title shows on pages and cards only: patched too
        ("topics", 1, "Arctic", 1),  # terms made and dropped, with their pages
        ("body", 1, "missile", 1),
        ("template", 0, "trade", 0),
        ("body", 3, "Caucasus", 1),
        ("new", 0, "warning", 1),  # of 2023: a new year, with its pages
        ("body", 0, "early", 1),
    ]
    for number, (edit, pick, word, patched) in enumerate(steps):
        apply_edit(site, edit, pick, word, number)
        result = build_again()
        assert result.patched == patched, (number, edit)
        _assert_like_clean(site, output, tmp_path, f"{number}-{edit}")
    # Words of a body feed related posts: a body edit can change other articles' lists,
    # and the pages showing those lists are rebuilt with it.
    arctic = site / "content/articles/arctic-interview.md"
    arctic.write_text(arctic.read_text() + "\nCaucasus balance Caucasus balance Caucasus.\n")
    assert build_again().patched == 1
    _assert_like_clean(site, output, tmp_path, "related-words")


def test_a_body_edit_appends_to_the_manifest_and_a_full_build_writes_it_whole(tmp_path):
    # A patching build looks up the manifest lines of the outputs it fingerprints and
    # appends the lines of those it wrote; the next full build writes every line again.
    site = tmp_path / "site"
    shutil.copytree(SITES / "basic", site)
    output = tmp_path / "out"
    build(site, output, search=False)
    before = (output / MANIFEST).read_bytes()
    apply_edit(site, "body", 0, "radar", 0)
    forget_snapshot()  # as a new `sitegen build` process
    assert build(site, output, search=False).patched == 1
    after = (output / MANIFEST).read_bytes()
    assert after.startswith(before)
    appended = after[len(before) :].decode().splitlines()
    assert appended and any(line.endswith(" feed.xml") for line in appended)
    _assert_like_clean(site, output, tmp_path, "appended", search=False)
    apply_edit(site, "template", 0, "trade", 1)
    assert build(site, output, search=False).patched == 0
    header, _, body = (output / MANIFEST).read_bytes().partition(b"\n")
    assert header == b"#sitegen-manifest 2 %d" % len(body)
    paths = [line.split(" ", 2)[2] for line in body.decode().splitlines()]
    assert paths == sorted(set(paths))
    _assert_like_clean(site, output, tmp_path, "rewritten", search=False)


def test_kept_routes_make_again_every_route_the_library_made(tmp_path):
    # A kept snapshot stores each route as its kind, its subject's key and its page; a
    # patching build makes again only the routes it renders. Each must be the very route
    # a full build makes, or a patched page would show another page's list.
    site = tmp_path / "site"
    shutil.copytree(SITES / "basic", site)
    library = prepare(BuildOptions(site_dir=site, output_dir=tmp_path / "out")).library
    library.html_loader = None  # a closure of the build's; the snapshot leaves it out too
    kept = pickle.loads(pickle.dumps(KeptRoutes(library.routes, library)))
    assert kept.paths == [route.path for route in library.routes]
    made = [kept[index] for index in reversed(range(len(kept)))][::-1]  # in any order
    assert made == list(library.routes)
    kinds = {route.kind for route in made}
    assert kinds >= {"home", "article", "cite_bib", "author", "author_feed", "taxonomy"}
    assert kinds >= {"term", "term_feed", "archive", "archive_year", "page", "sitemap"}
    assert any(route.pager is not None and route.pager.number > 1 for route in made)
    assert kept[-3:] == made[-3:] and kept[-1] is kept[len(kept) - 1]
    # A patch finds a list's pages (to add, drop or render them) by its kind and key.
    rows = list(route_rows(library))
    lists = {(kind, key) for _, kind, key, _ in rows}
    for kind, key in lists:
        wanted = [path for path, *of, _ in rows if of == [kind, key]]
        assert kept.paths_of({kind}, key) == wanted, (kind, key)
    assert any(len(kept.paths_of({kind}, key)) > 1 for kind, key in lists if key is not None)


def test_a_kept_library_reads_back_every_list_and_record_the_library_made(tmp_path):
    # A kept snapshot stores each article on its own and every list of them as slugs; a
    # patching build unpickles only the records it reads. Every list must read back as
    # the very sequence the full build made, one record per slug.
    site = tmp_path / "site"
    shutil.copytree(SITES / "basic", site)
    library = prepare(BuildOptions(site_dir=site, output_dir=tmp_path / "out")).library
    library.html_loader = None
    made = kept_form(library)
    kept = pickle.loads(pickle.dumps(made))
    store = kept.articles_by_slug
    assert isinstance(store, StoredArticles) and not store._made  # nothing read yet
    with pytest.raises(KeyError):  # the records are not in the pickle, but in the cache's rows
        store[library.articles[0].slug]
    records = made.articles_by_slug.records
    store.read = lambda slugs: {slug: records[slug] for slug in slugs}
    assert list(kept.articles[1:3]) == list(library.articles[1:3])
    assert len(store._made) == 2  # a slice reads its own items only
    assert list(kept.articles) == list(library.articles) and len(kept.articles) > 3
    assert dict(store) == dict(library.articles_by_slug)
    assert all(kept.articles[i] is store[a.slug] for i, a in enumerate(library.articles))
    assert library.articles[0] in kept.articles and "no-such-slug" not in store
    for name in ("years", "written_by", "interviews_of"):
        lists = getattr(library, name)
        assert {k: list(v) for k, v in getattr(kept, name).items()} == {
            k: list(v) for k, v in lists.items()
        }, name
    assert any(library.interviews_of.values())
    for taxonomy, entries in library.taxonomies.items():
        for slug, entry in entries.items():
            again = kept.taxonomies[taxonomy][slug]
            assert again.term == entry.term and list(again.articles) == list(entry.articles)
    assert list(kept.routes) == list(library.routes)


def test_a_body_edit_reads_only_the_records_of_the_outputs_it_fingerprints(tmp_path):
    # At 10,000 articles, unpickling every record took half of loading the kept library.
    # A body edit shows its article's card on a page of each list it is in; the build must
    # read those pages' records, not the archive's.
    site = _many_articles(tmp_path, 300)
    output = tmp_path / "out"
    build(site, output, search=False)
    article = site / "content/articles/a-150.md"
    article.write_text(article.read_text() + "\nA correction.\n")
    forget_snapshot()  # as a new `sitegen build` process
    assert build(site, output, search=False).patched == 1
    store = snapshot_module._MEMORY[3].library.articles_by_slug
    assert isinstance(store, StoredArticles) and len(store) == 300
    assert 0 < len(store._made) <= 60  # a page of each of its lists, and its feeds' newest
    assert "A correction." in text_of(html(output, "articles/a-150/"))
    _assert_like_clean(site, output, tmp_path, "records", search=False)


@pytest.mark.parametrize(
    "name, breakage, key",
    [
        ("arctic-interview", ("date: 2022-02-02", "date: 2022-02-31"), "date"),
        # in the body only: the build would patch the last library, and must fail as a
        # full build does
        (
            "early-warning",
            ("\n---\n", "\n---\nSee [the missing piece](no-such-article.md).\n"),
            "link",
        ),
    ],
    ids=["invalid-date", "broken-link-in-a-body"],
)
def test_broken_edit_keeps_output_then_recovers(tmp_path, name, breakage, key):
    site, output = _built_basic_site(tmp_path)
    before = snapshot(output)
    article = site / f"content/articles/{name}.md"
    good = article.read_text()
    article.write_text(good.replace(*breakage, 1))
    try:
        build(site, output)
        raise AssertionError("a broken edit must fail the build")
    except BuildFailed as failed:
        assert [(e.key, e.path) for e in failed.errors] == [(key, f"content/articles/{name}.md")]
    assert snapshot(output) == before
    article.write_text(good + "\nA sound paragraph.\n")  # a body edit since the last build
    assert build(site, output).patched == 1
    _assert_like_clean(site, output, tmp_path, "recovered")


def test_a_touched_output_folder_is_never_patched(tmp_path):
    # The snapshot knows the output by its manifest: a build into a folder that another
    # build has written since starts from the archive, not from the snapshot.
    site, output = _built_basic_site(tmp_path)
    shutil.rmtree(output)
    apply_edit(site, "body", 0, "radar", 0)
    result = build(site, output)
    assert result.patched == 0
    _assert_like_clean(site, output, tmp_path, "rebuilt")


def test_the_site_named_from_another_folder_keeps_its_last_build(tmp_path, monkeypatch):
    # `sitegen build` in the site's folder and `sitegen build --site ~/site` from elsewhere
    # build one site: each finds the other's kept state, rather than building in full.
    site = tmp_path / "site"
    shutil.copytree(SITES / "basic", site)
    monkeypatch.chdir(tmp_path)
    build_site(BuildOptions(site_dir=Path("site"), search=False))
    elsewhere = BuildOptions(site_dir=site, output_dir=site / "output", search=False)
    assert unchanged_since_last_build(elsewhere, input_signature(elsewhere)) is not None
    apply_edit(site, "body", 0, "radar", 0)
    forget_snapshot()
    monkeypatch.chdir(site)
    assert build_site(BuildOptions(site_dir=Path("."), search=False)).patched == 1
    assert unchanged_since_last_build(elsewhere, input_signature(elsewhere)) is not None
    _assert_like_clean(site, site / "output", tmp_path, "elsewhere", search=False)


def _record_cache_reads(monkeypatch) -> list[str]:
    """The names of the rows of kept state the builds read from now on, in order."""
    read: list[str] = []
    real_state = BuildCache.state

    def recording_state(self: BuildCache, name: str):
        read.append(name)
        return real_state(self, name)

    monkeypatch.setattr(BuildCache, "state", recording_state)
    return read


def test_a_front_matter_edit_is_told_apart_without_loading_the_last_library(tmp_path, monkeypatch):
    # The base snapshot is the large part of the cache (a second to load at 10,000
    # articles); an edit it cannot serve is recognised from the small head row.
    site, output = _built_basic_site(tmp_path)
    read = _record_cache_reads(monkeypatch)
    for number, (edit, pick, word, patched) in enumerate(
        [("delete", 2, "Arctic", 0), ("author", 2, "Treaty", 0), ("body", 0, "radar", 1)]
    ):
        forget_snapshot()  # as a new `sitegen build` process
        read.clear()
        apply_edit(site, edit, pick, word, number)
        assert build(site, output).patched == patched, edit
        assert ("snapshot" in read) == bool(patched), (edit, read)
        _assert_like_clean(site, output, tmp_path, f"{number}-{edit}")
    # So is a new article that a patch cannot take: one with aliases, a slug taken, a
    # person without an author file.
    for number, more in enumerate(
        ["aliases: [/old/x/]", "slug: arctic-interview", "authors: [nobody]"]
    ):
        forget_snapshot()
        read.clear()
        authors = "" if more.startswith("authors") else "authors: [kenan-agazade]\n"
        (site / f"content/articles/fresh-{number}.md").write_text(
            f"---\ntitle: Fresh {number}\ndate: 2022-02-0{number + 3}\n{authors}{more}\n---\nText.\n"
        )
        with contextlib.suppress(BuildFailed):  # a slug taken is an error
            assert build(site, output).patched == 0, more
        assert "snapshot" not in read, (more, read)
        if more.startswith("slug"):
            (site / f"content/articles/fresh-{number}.md").unlink()


def test_related_posts_are_read_back_only_when_an_edit_changes_an_articles_top_words(
    tmp_path, monkeypatch
):
    # The related memo is a third of the kept library; a correction that leaves the
    # article's most frequent words as they were cannot change any list.
    site, output = _built_basic_site(tmp_path)
    read = _record_cache_reads(monkeypatch)
    arctic = site / "content/articles/arctic-interview.md"
    before = _top_words(site, arctic)
    for label, addition, memo_read in [
        # its last top word becomes its first: the same words, in another order
        ("reordered", "\nInstitutions, institutions, institutions, institutions.\n", False),
        ("no-new-words", "\nIt is so, at 42.\n", False),  # no word of four letters or more
        ("new-top-words", "\nCaucasus balance Caucasus balance Caucasus.\n", True),
        ("no-new-words-again", "\nSo it is.\n", False),
    ]:
        forget_snapshot()  # as a new `sitegen build` process
        read.clear()
        arctic.write_text(arctic.read_text() + addition)
        assert build(site, output).patched == 1, label
        assert ("snapshot-related" in read) == memo_read, (label, read)
        _assert_like_clean(site, output, tmp_path, label)
        if label == "reordered":
            after = _top_words(site, arctic)
            assert after != before and set(after) == set(before)


def _top_words(site: Path, article: Path) -> tuple[str, ...]:
    shown = article.relative_to(site).as_posix()
    source = SourceFile("articles", str(article), shown)
    _, body, _ = parse_one(source, article.read_bytes(), load_settings(site))
    return body.keywords


def test_a_body_edit_shows_the_dates_an_earlier_build_formatted_without_babel(
    tmp_path, monkeypatch
):
    # Loading Babel's locale data for the first date takes a twentieth of a second, more
    # than the rest of a small rebuild's pages: each build keeps the dates it formatted.
    # The dates of this process (here an earlier build's) go into a new cache all the same.
    build(SITES / "basic", tmp_path / "elsewhere")
    site, output = _built_basic_site(tmp_path)
    formatted: list[tuple] = []
    real_format = dates.format_date
    monkeypatch.setattr(
        dates, "format_date", lambda *args, **kw: formatted.append(args) or real_format(*args, **kw)
    )
    arctic = site / "content/articles/arctic-interview.md"
    cache = BuildCache(output.parent / f".{output.name}-cache")
    for label, kept_by_babel in [("kept", None), ("kept-by-another-babel", "0.0")]:
        if kept_by_babel:  # what another version of Babel wrote is not shown
            kept = cache.state("dates")[1]
            cache.store_state("dates", (kept_by_babel, dict.fromkeys(kept, "Smarch 13")))
        forget_snapshot()  # as a new `sitegen build` process
        dates.forget_dates()
        formatted.clear()
        arctic.write_text(arctic.read_text() + f"\nA correction ({label}).\n")
        assert build(site, output).patched == 1, label
        assert bool(formatted) == bool(kept_by_babel), label
        _assert_like_clean(site, output, tmp_path, label)
    cache.close()


def test_a_full_build_starts_its_related_posts_from_the_last_builds(tmp_path, monkeypatch):
    # Related lists are computed again only where an edit can change them, from the memo
    # the last full build kept: held by a preview's process, or read back from the cache.
    from sitegen import library as library_module

    site, output = _built_basic_site(tmp_path)
    started: list[object] = []
    real = library_module.compute_related

    def recording(*args, **kwargs):
        started.append(args[3] if len(args) > 3 else kwargs.get("previous"))
        return real(*args, **kwargs)

    monkeypatch.setattr(library_module, "compute_related", recording)
    for number, in_memory in enumerate([True, False]):
        if not in_memory:
            forget_snapshot()
        target = _articles(site)[number]  # aliases make redirects: a full build's work
        target.write_text(_set_key(target.read_text(), "aliases", f"[/old/{number}/]"))
        assert build(site, output).patched == 0
        assert started[-1] is not None, in_memory
        _assert_like_clean(site, output, tmp_path, f"aliases-{number}")


def _many_articles(tmp_path: Path, count: int = 450) -> Path:
    """Enough files that parsing runs in worker processes, which store what they parse."""
    site = tmp_path / "site"
    (site / "content/articles").mkdir(parents=True)
    (site / "sitegen.toml").write_text('title = "Many"\nbase_url = "https://example.org/"\n')
    for i in range(count):
        (site / f"content/articles/a-{i:03d}.md").write_text(
            f"---\ntitle: Article {i}\ndate: 2020-02-02\nauthors: [writer]\n---\nBody {i}.\n"
        )
    return site


def test_content_parsed_in_workers_is_in_the_cache_for_the_next_build(tmp_path):
    site = _many_articles(tmp_path)
    output = tmp_path / "out"
    build(site, output, search=False)
    cache = BuildCache(tmp_path / ".out-cache")
    settings = load_settings(site)
    scan = scan_sources(site, settings, ErrorCollector(), cache)
    cache_module._MEMORY.clear()  # what this process remembers: read the file itself
    assert len(cache.parsed_meta(key for key, _, _ in scan.jobs)) == len(scan.jobs) == 450
    cache.close()


def test_a_body_edit_stores_only_the_stats_that_changed(tmp_path):
    # The stats of every content file tell the next build which files it need not read;
    # after a body edit only the edited file's are written, in a small row of their own.
    site, output = _built_basic_site(tmp_path, search=False)
    cache = BuildCache(tmp_path / ".out-cache")

    def stats_rows() -> dict[str, bytes]:
        with sqlite3.connect(cache.path) as db:
            query = "SELECT name, value FROM state WHERE name LIKE 'stats-%'"
            return dict(db.execute(query).fetchall())

    before = stats_rows()
    for step in range(2):
        apply_edit(site, "body", step, "radar", step)
        forget_snapshot()  # as a new `sitegen build` process
        assert build(site, output, search=False).patched == 1
    after = stats_rows()
    whole = [name for name in before if not name.startswith("stats-delta-")]
    assert whole and all(after[name] == before[name] for name in whole)
    (delta,) = [pickle.loads(value) for name, value in after.items() if "delta" in name]
    assert len(delta) == 2  # both edited files
    scan = scan_sources(site, load_settings(site), ErrorCollector(), cache)
    assert all(data is None for _, _, data in scan.jobs)  # every stat is known: none is read
    apply_edit(site, "new", 0, "radar", 2)  # another set of files: the whole row again
    build(site, output, search=False)
    rows = stats_rows()
    assert [rows[name] != before[name] for name in whole] == [True]
    assert [pickle.loads(value) for name, value in rows.items() if "delta" in name] == [{}]
    cache.close()


def test_a_body_edit_after_a_build_from_scratch_reads_its_bodies_from_the_cache(tmp_path):
    # A build that parsed every file holds every body and its HTML; the library it keeps
    # for the next build leaves the bodies the parse cache holds to the cache (their HTML
    # was four fifths of the snapshot's bytes, the bodies a fifth of its load time), and
    # the next build still renders every page.
    site = _many_articles(tmp_path)
    output = tmp_path / "out"
    build(site, output, search=False)
    cache = BuildCache(tmp_path / ".out-cache")
    kept = cache.state("snapshot")
    cache.close()
    assert len(kept.library.articles) == 450
    assert kept.library.bodies == {}
    target = site / "content/articles/a-007.md"
    target.write_text(target.read_text().replace("Body 7.", "Body 7, corrected."))
    forget_snapshot()  # as a new `sitegen build` process
    assert build(site, output, search=False).patched == 1
    assert "Body 7, corrected." in text_of(html(output, "articles/a-007/"))
    clean = tmp_path / "clean"
    build(site, clean, use_cache=False, search=False)
    assert contents(output) == contents(clean)


@pytest.mark.parametrize("lost", ["records", "record"])
def test_a_body_edit_builds_from_the_archive_when_the_cache_lost_kept_records(tmp_path, lost):
    # A kept library reads each article it shows from its row; a row deleted since must
    # not fail the build: the edited article's (read before patching), or another's
    # (read while fingerprinting the home page that shows both).
    site = _many_articles(tmp_path, 300)
    output = tmp_path / "out"
    build(site, output, search=False)
    with sqlite3.connect(BuildCache(tmp_path / ".out-cache").path) as db:
        if lost == "records":
            db.execute("DELETE FROM records")
        else:
            db.execute("DELETE FROM records WHERE slug = 'a-151'")  # a-150's neighbour
    target = site / "content/articles/a-150.md"
    # The same words: related lists stay, and only the pages that show a-150 are read.
    target.write_text(target.read_text().replace("Body 150.", "Body 150!"))
    forget_snapshot()  # as a new `sitegen build` process
    assert build(site, output, search=False).patched == 0  # built from the archive
    assert "Body 150!" in text_of(html(output, "articles/a-150/"))
    _assert_like_clean(site, output, tmp_path, f"lost-{lost}", search=False)
    target.write_text(target.read_text().replace("Body 150!", "Body 150?"))
    forget_snapshot()
    assert build(site, output, search=False).patched == 1  # and the next edit patches again


@pytest.mark.parametrize("kept", [False, True], ids=["all-lost", "all-but-the-edited-lost"])
def test_a_body_edit_builds_from_the_archive_when_the_cache_lost_parsed_entries(tmp_path, kept):
    # The kept library reads bodies and HTML from the parse cache; an entry deleted since
    # (a damaged or hand-edited cache) must not fail the build nor leave it half-written.
    # With the edited article's entry still there, the loss shows only while rendering.
    site = _many_articles(tmp_path)
    output = tmp_path / "out"
    build(site, output, search=False)
    cache = BuildCache(tmp_path / ".out-cache")
    edited = cache.state("snapshot-head")[2]["content/articles/a-007.md"] if kept else ""
    cache.close()
    with sqlite3.connect(cache.path) as db:
        db.execute("DELETE FROM parsed WHERE key != ?", (edited,))
    cache_module._MEMORY.clear()
    target = site / "content/articles/a-007.md"
    target.write_text(target.read_text().replace("Body 7.", "Body 7, corrected."))
    forget_snapshot()  # as a new `sitegen build` process
    assert build(site, output, search=False).patched == 0  # built from the archive
    assert "Body 7, corrected." in text_of(html(output, "articles/a-007/"))
    clean = tmp_path / "clean"
    build(site, clean, use_cache=False, search=False)
    assert contents(output) == contents(clean)
    target.write_text(target.read_text().replace("corrected", "corrected again"))
    forget_snapshot()
    assert build(site, output, search=False).patched == 1  # and the next edit patches again


def test_the_cache_keeps_rendered_cards_up_to_a_bound(tmp_path):
    # Each edit to a card leaves the card it replaced behind; the cache must not grow
    # with every edit an archive ever had (nor with every version of every file).
    cache = BuildCache(tmp_path / "cache")
    cache.store_card_html({"a1": "<article>A</article>", "b1": "<article>B</article>"}, most=3)
    cache.store_card_html({"a2": "<article>A again</article>"}, most=3)
    assert cache.card_html(["a1", "a2", "b1", "c"]) == {
        "a1": "<article>A</article>",
        "a2": "<article>A again</article>",
        "b1": "<article>B</article>",
    }
    cache.store_card_html({"b2": "<article>B again</article>"}, most=3)  # one too many
    assert cache.card_html(["a1", "a2", "b1", "b2"]) == {"b2": "<article>B again</article>"}
    # Nor do parsed files: a full build keeps the entries its content files produce.
    cache.store_parsed({key: ({"title": key}, f"<p>{key}</p>") for key in ("k1", "k2", "k3")})
    cache.prune_parsed(["k1", "k3"])
    assert set(cache.parsed_meta(["k1", "k2", "k3"])) == {"k1", "k3"}
    assert cache.parsed_html("k2") is None and cache.parsed_html("k3") == "<p>k3</p>"
    cache.close()


def test_the_rows_of_cards_are_read_only_for_the_base_that_wrote_them_whole(tmp_path):
    cache = BuildCache(tmp_path / "cache")
    assert cache.cards("first", ["a"]) is None  # nothing written yet
    cache.store_cards("first", {"a": {"index.html", "feed.xml"}, "b": set()}, replace=True)
    assert cache.cards("first", ["a", "b", "c"]) == {
        "a": {"index.html", "feed.xml"},
        "b": set(),
        "c": set(),
    }
    cache.store_cards("first", {"b": {"topics/x/index.html"}})  # a patch adds to a row
    assert cache.cards("first", ["b"]) == {"b": {"topics/x/index.html"}}
    cache.store_cards("second", {"a": {"index.html"}}, replace=True)  # a new base
    assert cache.cards("first", ["a"]) is None
    assert cache.cards("second", ["a", "b"]) == {"a": {"index.html"}, "b": set()}
    cache.store_cards("first", {"a": {"late.html"}})  # a late patch of the old base
    assert cache.cards("second", ["a"]) == {"a": {"index.html"}}
    cache.close()


GROUPS = {
    "north": "glacier permafrost icebreaker tundra",
    "south": "monsoon mangrove delta typhoon",
    "west": "pipeline refinery tanker offshore",
}


def _word_site(root: Path) -> Path:
    """Twelve articles with one topic and one author, whose words alone make their
    related lists; none has a summary, so a card shows its first paragraph."""
    site = root / "words"
    articles = site / "content/articles"
    articles.mkdir(parents=True)
    (site / "sitegen.toml").write_text(
        'title = "Words"\nbase_url = "https://example.org/"\nrelated_count = 2\nper_page = 4\n'
    )
    for n in range(12):
        group = list(GROUPS)[n % 3]
        (articles / f"piece-{n:02d}.md").write_text(
            f"---\ntitle: Piece {n}\ndate: 2020-01-{n + 1:02d}\nauthors: [someone]\n"
            f"topics: [Security]\n---\nOpening {n}: {GROUPS[group]} {GROUPS[group]}.\n\n"
            f"More on {GROUPS[group]}.\n"
        )
    return site


def test_a_body_edit_that_moves_related_lists_and_summaries_matches_a_clean_build(tmp_path):
    site = _word_site(tmp_path)
    output = tmp_path / "out"
    build(site, output)
    before = snapshot(output)
    # piece-09 was about the north; its new first paragraph is all about the west.
    piece = site / "content/articles/piece-09.md"
    text = piece.read_text()
    head, _, _ = text.partition("Opening 9:")
    west = " ".join([GROUPS["west"]] * 3)
    piece.write_text(f"{head}Opening 9, now on the west: {west}.\n\nMore on {west}.\n")
    result = build(site, output)
    assert result.patched == 1
    _assert_like_clean(site, output, tmp_path, "moved")
    after = snapshot(output)
    changed = {path for path in after if after[path] != before.get(path)}
    # Its card (home page, feed) says the new first paragraph; the north's pieces,
    # which listed it among their related posts, list other pieces now, and the west's
    # older pieces, which did not show it anywhere, list it.
    assert "index.html" in changed and "feed.xml" in changed
    assert all(f"articles/piece-{n:02d}/index.html" in changed for n in (0, 3, 6, 2, 5))
    # Again, in a new process, which reads from the cache what this patch remembered.
    forget_snapshot()
    piece.write_text(piece.read_text().replace("Opening 9, now on", "Opening 9, since June on"))
    assert build(site, output).patched == 1
    _assert_like_clean(site, output, tmp_path, "moved-again")
    assert "Opening 9, since June on" in text_of(html(output, ""))  # the home page's card


def test_an_edit_made_while_a_build_runs_is_built_by_the_next_build(tmp_path, monkeypatch):
    # The build has read the article when the editor saves it again: this build shows the
    # old text, and the next build must not take the output for up to date.
    from sitegen import build as build_module

    site, output = _built_basic_site(tmp_path)
    target = _articles(site)[0]
    page = f"articles/{target.stem}/"
    target.write_text(target.read_text() + "\nFirst correction.\n")
    real_render = build_module.render_site

    def render_while_saving(*args, **kwargs):
        target.write_text(target.read_text() + "\nSecond correction.\n")
        return real_render(*args, **kwargs)

    monkeypatch.setattr(build_module, "render_site", render_while_saving)
    build(site, output)
    shown = text_of(html(output, page))
    assert "First correction." in shown and "Second correction." not in shown
    monkeypatch.undo()
    assert build(site, output).rendered > 0
    assert "Second correction." in text_of(html(output, page))
    _assert_like_clean(site, output, tmp_path, "saved-while-building")


def test_parallel_rendering_gives_the_bytes_one_process_gives(tmp_path, monkeypatch):
    # Which worker renders (and writes) which output must not show in the output.
    site = _many_articles(tmp_path, 300)
    outputs = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("SITEGEN_WORKERS", workers)
        forget_snapshot()
        outputs[workers] = tmp_path / f"out-{workers}"
        result = build(site, outputs[workers], use_cache=False, search=False)
        assert result.report.written > 1000
    assert contents(outputs["1"]) == contents(outputs["2"])


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_first_build_records_the_fingerprints_a_full_build_computes(
    tmp_path, monkeypatch, workers
):
    # The manifest of a build into an empty folder holds the fingerprints a later full
    # build computes, in one process or in workers: it keeps every file in place.
    monkeypatch.setenv("SITEGEN_WORKERS", workers)
    site = _many_articles(tmp_path, 300)
    output = tmp_path / "out"
    assert build(site, output, search=False).report.written > 1000
    before = snapshot(output)
    forget_snapshot()
    # A cache of its own: no state of the last build, so a full build against the manifest.
    again = build(site, output, search=False, cache_dir=tmp_path / "another-cache")
    assert (again.rendered, again.report.written) == (0, 0)
    assert snapshot(output) == before


@pytest.mark.parametrize("first", [True, False], ids=["first-build", "rebuild"])
def test_two_outputs_at_one_path_fail_the_build_and_leave_the_output(tmp_path, monkeypatch, first):
    # A last guard under the checks of aliases and slugs: a route made twice (here by a
    # broken route list) fails the build, names the path, and leaves the output as it was.
    from sitegen import library as library_module

    site = tmp_path / "site"
    shutil.copytree(SITES / "basic", site)
    output = tmp_path / "out"
    if not first:
        build(site, output, search=False)
    before = snapshot(output)
    real_routes = library_module._routes

    def routes_with_a_twin(library):
        routes = list(real_routes(library))
        return [*routes, routes[len(routes) // 2]]

    monkeypatch.setattr(library_module, "_routes", routes_with_a_twin)
    apply_edit(site, "title", 0, "Arctic", 0)
    with pytest.raises(BuildFailed) as failed:
        build(site, output, search=False, use_cache=False)
    assert "two outputs want the same path" in str(failed.value.errors[0])
    assert snapshot(output) == before


def _related_titles(output: Path, slug: str) -> list[str]:
    page = html(output, f"articles/{slug}/")
    return [text_of(a) for a in page.cssselect(".related-list a.related-title")]


def _warnings(result) -> list[str]:
    return [warning.format() for warning in result.warnings]


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "from-the-cache"])
def test_edits_to_titles_summaries_and_related_entries_are_patched_like_clean_builds(
    tmp_path, in_memory
):
    # What an editor corrects all day besides bodies: a title, a summary, an entry of
    # the related list. No list, route or redirect moves, so the last library is patched.
    site = _word_site(tmp_path)
    output = tmp_path / "out"
    build(site, output)
    articles = site / "content/articles"

    def edit(slug: str, key: str, value: str) -> None:
        path = articles / f"{slug}.md"
        path.write_text(_set_key(path.read_text(), key, value))

    def build_like_clean(label: str) -> list[str]:
        if not in_memory:
            forget_snapshot()  # a new `sitegen build`: the overlay is read back
        result = build(site, output)
        assert result.patched == 1, label
        clean = build(site, tmp_path / f"clean-{label}", use_cache=False)
        assert _warnings(result) == _warnings(clean), label
        _assert_like_clean(site, output, tmp_path, label)
        return [warning for warning in _warnings(result) if ": related: " in warning]

    before = snapshot(output)
    edit("piece-10", "title", "Northern lights")
    build_like_clean("title")
    after = snapshot(output)
    changed = {path for path in after if after[path] != before.get(path)}
    assert {"index.html", "articles/piece-10/index.html", "articles/piece-10/cite.bib"} <= changed
    # What does not show the article is neither rendered nor rewritten.
    unaffected = {"articles/piece-00/cite.bib", "sitemap.xml", "topics/index.html"}
    assert unaffected <= after.keys() and not changed & unaffected
    assert len(changed) < len(after) / 3
    home = text_of(html(output, ""))
    assert "Northern lights" in home and "Piece 10" not in home  # piece-10's card
    edit("piece-10", "summary", "'Auroras over the tundra.'")
    build_like_clean("summary")
    assert "Auroras over the tundra." in text_of(html(output, "feed.xml"))
    edit("piece-02", "related", "['Northern lights']")  # an entry naming a title
    assert build_like_clean("entry") == []
    assert _related_titles(output, "piece-02")[0] == "Northern lights"
    edit("piece-10", "title", "Southern lights")  # piece-02's entry names nothing now
    (warning,) = build_like_clean("entry-orphaned")
    assert "content/articles/piece-02.md:6: related: related entry 'Northern lights'" in warning
    edit("piece-07", "title", "Northern lights")  # ... and now another article
    assert build_like_clean("entry-matched-again") == []
    assert _related_titles(output, "piece-02")[0] == "Northern lights"
    assert "Southern lights" in text_of(html(output, ""))
    piece = articles / "piece-10.md"  # a body edit after a title edit keeps the new title
    piece.write_text(piece.read_text() + "\nA postscript.\n")
    build_like_clean("body")
    assert "Southern lights" in text_of(html(output, ""))
    edit("piece-03", "type", "commentary")  # the kicker of its card, wherever it shows
    build_like_clean("type")
    edit("piece-03", "lang", "fr")
    build_like_clean("lang")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("authors", "[someone, another]"),
        ("aliases", "[/old/piece-05/]"),
        ("draft", "true"),
    ],
)
def test_an_edit_that_moves_an_article_in_the_archive_builds_in_full(tmp_path, key, value):
    # A new person without a file makes pages, lists and warnings, aliases make
    # redirects, and a draft by that person takes them out of every list again: the last
    # library cannot be patched.
    site = _word_site(tmp_path)
    output = tmp_path / "out"
    build(site, output)
    piece = site / "content/articles/piece-05.md"
    piece.write_text(_set_key(piece.read_text(), key, value))
    assert build(site, output).patched == 0
    _assert_like_clean(site, output, tmp_path, key)


def _term_site(root: Path) -> Path:
    """Twelve articles, the even ones on Security and the odd ones on Energy: two
    lists of two pages each (four to a page)."""
    site = _word_site(root)
    for n in range(1, 12, 2):
        piece = site / f"content/articles/piece-{n:02d}.md"
        piece.write_text(_set_key(piece.read_text(), "topics", "[Energy]"))
    return site


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "from-the-cache"])
def test_a_patched_edit_warns_on_the_lines_a_clean_build_gives(tmp_path, in_memory):
    # A piece by someone without an author file, whose related entry matches nothing:
    # both warnings name a line of its front matter, which a new summary above moves.
    site = _word_site(tmp_path)
    output = tmp_path / "out"
    piece = site / "content/articles/piece-11.md"
    piece.write_text(_set_key(piece.read_text(), "related", "[No such piece]"))
    build(site, output)
    other = site / "content/articles/piece-00.md"
    for step, summary in enumerate(["'Short.'", "'Shorter.'", None]):
        if summary is None:  # another piece's edit: the warnings are the overlay's
            other.write_text(other.read_text() + "\nOne more line.\n")
        else:
            text = piece.read_text().replace("title: Piece 11\n", "title: Piece 11\n# note\n")
            piece.write_text(_set_key(text, "summary", summary))
        if not in_memory:
            forget_snapshot()  # a new `sitegen build`: the overlay is read back
        result = build(site, output)
        assert result.patched == 1, step
        clean = build(site, tmp_path / f"clean-{step}", use_cache=False)
        warned = _warnings(result)
        assert warned == _warnings(clean), step
        lines = piece.read_text().split("\n")
        for key in ("authors", "related"):
            line = next(at for at, text in enumerate(lines, 1) if text.startswith(f"{key}:"))
            assert any(w.startswith(f"content/articles/piece-11.md:{line}: {key}:") for w in warned)


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "from-the-cache"])
def test_edits_that_move_an_article_between_terms_are_patched_like_clean_builds(
    tmp_path, in_memory
):
    # Retagging moves an article between term lists; while no term is made, emptied or
    # renamed, the library is patched, and a list that gains or loses a page gains or
    # loses its file. A preview builds search too; `sitegen build --no-search` does not,
    # and then writes the manifest itself.
    site = _term_site(tmp_path)
    output = tmp_path / "out"
    search = {} if in_memory else {"search": False}
    build(site, output, **search)
    steps = [  # (piece, its topics now, patched), with Security and Energy's sizes after
        (4, "[Energy]", 1),  # 5 and 7
        (11, "[Energy, Security]", 1),  # 6 and 7: the newest piece joins Security
        (7, "[energy]", 1),  # a spelling of Energy that three others do not share
        (3, "[Security]", 1),  # 7 and 6
        (5, "[Security]", 1),  # 8 and 5
        (9, "[Security]", 1),  # 9 and 4: Security gains a third page, Energy loses its second
        (1, "[energy]", 1),  # Energy is still spelled so twice, and first when tied
        (4, "[energy]", 0),  # three to one: the term is renamed on every page
    ]
    for piece, topics, patched in steps:
        label = f"piece-{piece:02d}-{topics}"
        path = site / f"content/articles/piece-{piece:02d}.md"
        edit = (path, lambda text, topics=topics: _set_key(text, "topics", topics))
        before, after, changed = _edit_and_build(
            site, output, tmp_path, edit, patched, label, in_memory, **search
        )
        assert f"articles/piece-{piece:02d}/index.html" in changed, label
        if patched and "energy" not in topics:  # a move, not a respelling
            assert "topics/index.html" in changed, label  # it counts each term's pieces
            assert any(path.startswith("topics/security/") for path in changed), label
            assert "articles/piece-00/cite.bib" not in changed, label
        if piece == 11:  # the first page of Security has a newer last change now
            assert "sitemap.xml" in changed
        if piece == 9:
            assert "topics/security/page/3/index.html" in changed, label
            assert "topics/energy/page/2/index.html" in before.keys() - after.keys(), label
    assert "Piece 11" in text_of(html(output, "topics/security/"))
    assert "energy 4 articles" in text_of(html(output, "topics/"))  # renamed by the last edit


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "from-the-cache"])
def test_terms_made_and_dropped_by_edits_are_patched_like_clean_builds(tmp_path, in_memory):
    # An edit naming a term no article had makes it: its pages and feed are added, and
    # the topics index lists it, gaining a page past four terms. The last article leaving
    # a term drops it with its files. Replayed from the cache, a term of the last full
    # build dropped and made again under another spelling is named by the new one.
    site = _term_site(tmp_path)
    piece = site / "content/articles/piece-11.md"
    piece.write_text(_set_key(piece.read_text(), "topics", "[Energy, Nuclear]"))
    output = tmp_path / "out"
    search = {} if in_memory else {"search": False}
    build(site, output, **search)
    trade = ["topics/trade/index.html", "topics/trade/feed.xml"]
    nuclear = ["topics/nuclear/index.html", "topics/nuclear/feed.xml"]
    steps = [  # (piece, key, value, paths added, paths gone)
        (2, "topics", "[Security, Trade]", trade, []),
        (6, "topics", "[Trade, Arms control, Cyber]", ["topics/page/2/index.html"], []),
        (2, "topics", "[Security]", [], []),  # Trade keeps piece 6
        (6, "topics", "[Security]", [], [*trade, "topics/page/2/index.html"]),
        (11, "topics", "[Energy]", [], nuclear),
        (4, "topics", "[NUCLEAR]", nuclear, []),
        (3, "regions", "[Arctic]", ["regions/arctic/index.html"], []),  # a taxonomy's first
        (3, "regions", "[]", [], ["regions/arctic/index.html"]),
    ]
    for number, key, value, made, gone in steps:
        label = f"piece-{number:02d}-{key}-{value}"
        path = site / f"content/articles/piece-{number:02d}.md"
        edit = (path, lambda text, key=key, value=value: _set_key(text, key, value))
        before, after, changed = _edit_and_build(
            site, output, tmp_path, edit, 1, label, in_memory, **search
        )
        assert set(made) <= after.keys() - before.keys(), label
        assert set(gone) <= before.keys() - after.keys(), label
        index = {f"{key}/index.html", f"{key}/page/2/index.html"}  # each term, its count
        assert index & changed, label
    assert "NUCLEAR 1 article" in text_of(html(output, "topics/"))
    _assert_indexed_like_clean(site, output, tmp_path, keep_memory=in_memory, **search)


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "from-the-cache"])
def test_edits_to_an_articles_date_are_patched_like_clean_builds(tmp_path, in_memory):
    # A corrected date moves the article within every list it is in (the home pages,
    # its year, its terms and people) and changes the sitemap: the library is patched. A
    # year no piece had is made with its pages, and the archive lists it; one a date
    # edit empties goes with its files. The pieces' author has no file: the warning is
    # at the newest piece, whichever that is now.
    site = _term_site(tmp_path)  # twelve pieces of January 2020, four to a page
    output = tmp_path / "out"
    search = {} if in_memory else {"search": False}
    build(site, output, **search)
    steps = [  # (piece, key, value, patched)
        (3, "date", "2020-01-20", 1),  # the newest now: every home page before it moves
        (11, "date", "2020-01-05", 1),  # from the first page to the second
        (5, "date", "2019-12-01", 1),  # a new year: its page and the archive's list
        (5, "date", "2019-12-02", 1),
        (6, "date", "2019-06", 1),  # a month-only date; 2019 gains, 2020 loses a piece
        (2, "updated", "2021-01-01", 1),  # its last change: the sitemap's and the card's
        (2, "date", "2020-01-15", 1),  # with an `updated`, the date still orders it
        (7, "date", "2018-03", 1),
        (8, "date", "2017-03", 1),
        (9, "date", "2016-03", 1),  # a fifth year: a second page of the archive's years
        (5, "date", "2020-01-30", 1),
        (6, "date", "2020-01-31", 1),  # 2019 emptied, and the archive's second page
        (10, "date", "2021-02", 1),  # the newest year, first in the archive's list
    ]
    years = ["archive/2019/index.html", "archive/page/2/index.html"]
    made = {  # by the date that makes them
        "2019-12-01": years[:1],
        "2016-03": years[1:],
        "2021-02": ["archive/2021/index.html", years[1]],
    }
    gone = {"2020-01-31": years}
    for piece, key, value, patched in steps:
        label = f"piece-{piece:02d}-{key}-{value}"
        path = site / f"content/articles/piece-{piece:02d}.md"
        edit = (path, lambda text, key=key, value=value: _set_key(text, key, value))
        before, after, changed = _edit_and_build(
            site, output, tmp_path, edit, patched, label, in_memory, **search
        )
        assert {f"articles/piece-{piece:02d}/index.html", "sitemap.xml"} <= changed, label
        assert set(made.get(value, ())) <= after.keys() - before.keys(), label
        assert set(gone.get(value, ())) <= before.keys() - after.keys(), label
        if piece == 3:
            warned = _warnings(build(site, output, **search))
            assert any(w.startswith("content/articles/piece-03.md:4: authors:") for w in warned)
    assert "Piece 9" in text_of(html(output, "archive/2016/"))


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "from-the-cache"])
def test_edits_that_change_an_articles_people_are_patched_like_clean_builds(tmp_path, in_memory):
    # Adding or dropping a writer or an interviewee moves the article between people's
    # pages; while each person named has a file (else the articles make them), the
    # library is patched, and a person's list may gain or lose a page.
    site = _word_site(tmp_path)  # all twelve by `someone`: three pages of four
    for slug, name in [("someone", "Some One"), ("another", "An Other"), ("guest", "A Guest")]:
        (site / f"content/authors/{slug}.md").parent.mkdir(parents=True, exist_ok=True)
        (site / f"content/authors/{slug}.md").write_text(f"---\nname: {name}\n---\nBio.\n")
    output = tmp_path / "out"
    search = {} if in_memory else {"search": False}
    build(site, output, **search)
    steps = [  # (piece, key, people now, patched), with the works of someone and another after
        (4, "authors", "[someone, another]", 1),  # 12 and 1
        (5, "interviewees", "[guest]", 1),  # 12 and 1; the guest's first piece
        (4, "authors", "[another]", 1),  # 11 and 1
        (6, "authors", "[another]", 1),  # 10 and 2
        (7, "authors", "[another]", 1),  # 9 and 3
        (8, "authors", "[another]", 1),  # 8 and 4: someone's third page goes
        (9, "authors", "[another]", 1),  # 7 and 5: another's second page comes
        (3, "interviewees", "[guest, someone]", 1),  # someone wrote it: still 7 works
        (10, "authors", "[someone, newcomer]", 0),  # no file: the articles make the person
        (10, "authors", "[newcomer, another]", 1),  # the person without a file stays named
    ]
    for piece, key, people, patched in steps:
        label = f"piece-{piece:02d}-{key}-{people}"
        path = site / f"content/articles/piece-{piece:02d}.md"
        edit = (path, lambda text, key=key, people=people: _set_key(text, key, people))
        before, after, changed = _edit_and_build(
            site, output, tmp_path, edit, patched, label, in_memory, **search
        )
        assert f"articles/piece-{piece:02d}/index.html" in changed, label
        if patched:
            assert "authors/index.html" in changed, label  # it counts each person's works
        if patched and key == "authors":
            assert "topics/security/feed.xml" in changed, label  # an entry names its authors
        if piece == 8:
            assert "authors/someone/page/3/index.html" in before.keys() - after.keys()
        if piece == 9:
            assert "authors/another/page/2/index.html" in after.keys() - before.keys()
    assert "Piece 5" in text_of(html(output, "authors/guest/"))


def _filed_term_site(root: Path) -> Path:
    """The term site (twelve pieces of January 2020 by someone, four to a page), with an
    author file for someone: a piece can come and go without a person coming or going."""
    site = _term_site(root)
    (site / "content/authors").mkdir()
    (site / "content/authors/someone.md").write_text("---\nname: Some One\n---\nBio.\n")
    return site


def _new_piece(title: str, date: str, body: str = "On arms control.", **keys: str) -> str:
    """A new article's file, by `someone` on Security unless `keys` say otherwise."""
    keys = {"title": title, "date": date, "authors": "[someone]", "topics": "[Security]", **keys}
    head = "".join(f"{key}: {value}\n" for key, value in keys.items())
    return f"---\n{head}---\n{body}\n"


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "from-the-cache"])
def test_new_articles_are_patched_like_clean_builds(tmp_path, in_memory):
    # A new article joins the home pages, its year, its terms' and people's lists, and
    # may enter other articles' related lists or match an entry that matched nothing.
    # While it names no new person, and is a dated, published piece without aliases,
    # the library is patched and its page and cite files are added.
    site = _filed_term_site(tmp_path)
    piece = site / "content/articles/piece-02.md"
    piece.write_text(_set_key(piece.read_text(), "related", "[A Later Piece]"))
    output = tmp_path / "out"
    search = {} if in_memory else {"search": False}
    build(site, output, **search)
    assert "A Later Piece" in " ".join(_warnings(build(site, tmp_path / "w", use_cache=False)))
    north = " ".join([GROUPS["north"]] * 3)
    patched_steps = [  # (file, its text)
        ("new-a", _new_piece("New A", "2020-01-25")),  # the newest: a fourth home page
        ("new-b", _new_piece("New B", "2020-01-06", north, topics="[Energy]")),
        ("new-c", _new_piece("A later piece.", "2020-01-03", related="[piece-05]")),
        ("new-a", _new_piece("New A", "2020-01-25", f"Now on the north: {north}")),  # an edit
        ("new-g", _new_piece("New G", "2020-01-09", topics="[Trade]")),  # a new term
        ("new-d", _new_piece("New D", "2018-05-01")),  # a new year
    ]
    for name, text in patched_steps:
        path = site / f"content/articles/{name}.md"
        edit = (path, lambda _, text=text: text)
        before, after, changed = _edit_and_build(
            site, output, tmp_path, edit, 1, name, in_memory, **search
        )
        assert {f"articles/{name}/index.html", "feed.xml"} <= changed, name
        if before.get(f"articles/{name}/index.html"):  # an edit to the new piece
            continue
        # The newest four, and their count of pages: new-d makes a fifth.
        assert ("index.html" in changed) == (name in ("new-a", "new-d")), name
        assert f"articles/{name}/cite.bib" in after.keys() - before.keys(), name
        assert {"sitemap.xml", "topics/index.html", "authors/index.html"} <= changed, name
        assert "articles/piece-11/cite.bib" not in changed, name
        if name == "new-g":
            assert "topics/trade/feed.xml" in after.keys() - before.keys()
        if name == "new-d":
            assert "archive/2018/index.html" in after.keys() - before.keys()
    assert "page/4/index.html" in after
    assert "New A" in text_of(html(output, ""))
    assert "New B" in text_of(html(output, "topics/energy/"))
    # The entry that matched nothing names the new piece now: no warning, and a link.
    assert "A later piece." in text_of(html(output, "articles/piece-02/"))
    assert not any("A Later Piece" in w for w in _warnings(build(site, output, **search)))
    _assert_indexed_like_clean(site, output, tmp_path, **search)
    refused = [  # (file, its text): a full build's work, or an error
        ("new-f", _new_piece("New F", "2020-01-08", aliases="[/old/f/]")),
        ("new-h", _new_piece("New H", "2020-01-10", authors="[nobody]")),  # no author file
        ("new-i", _new_piece("New I", "2020-01-11", slug="piece-03")),  # a slug taken
        ("new-j", _new_piece("New J", "2020-01-12", slug="piece-04", draft="true")),  # too
    ]
    for name, text in refused:
        path = site / f"content/articles/{name}.md"
        if name in ("new-i", "new-j"):  # an error: the output stays as it was
            path.write_text(text)
            with pytest.raises(BuildFailed):
                build(site, output, **search)
            path.unlink()
            continue
        edit = (path, lambda _, text=text: text)
        _edit_and_build(site, output, tmp_path, edit, 0, name, in_memory, **search)


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "from-the-cache"])
def test_deleted_articles_are_patched_like_clean_builds(tmp_path, in_memory):
    # A deleted article leaves the home pages, its year, its terms' and people's lists and
    # other articles' related lists, and an entry that named it matches nothing now; a
    # term or year it was the last piece of goes. While no person goes with it, no body
    # links to it, and it is a dated, published piece without aliases, the library is
    # patched and its files are deleted.
    site = _filed_term_site(tmp_path)
    articles = site / "content/articles"
    setup = {  # piece -> (key, value): what makes each refused deletion a full build's
        "piece-01": ("topics", "[Energy, Trade]"),  # the only piece on Trade: it goes too
        "piece-03": ("aliases", "[/old/three/]"),
        "piece-04": ("authors", "[someone, nobody]"),  # nobody has no author file
        "piece-02": ("related", "[piece-05]"),
    }
    for name, (key, value) in setup.items():
        piece = articles / f"{name}.md"
        piece.write_text(_set_key(piece.read_text(), key, value))
    linking = articles / "piece-08.md"
    linking.write_text(linking.read_text() + "\nSee [the seventh](piece-07.md).\n")
    output = tmp_path / "out"
    search = {} if in_memory else {"search": False}
    build(site, output, **search)

    def warnings_now() -> list[str]:
        return _warnings(build(site, output, **search))

    assert not any("piece-05" in w for w in warnings_now())
    energy = "topics/energy/page/2/index.html"
    steps = [  # (file, its text or None to delete it, files deleted with it)
        ("piece-05", None, 1),  # named by piece-02's related entry
        ("new-a", _new_piece("New A", "2020-01-25", topics="[Energy]"), 0),  # then deleted
        ("new-a", None, 1),
        ("piece-11", None, 1),  # the newest: the home pages and the site's feed
        ("piece-09", None, 1),  # Energy keeps four pieces: one page
        ("piece-01", None, 1),  # and Trade its none
    ]
    for name, text, deleted in steps:
        path = articles / f"{name}.md"
        change = None if text is None else (lambda _, text=text: text)
        before, after, changed = _edit_and_build(
            site, output, tmp_path, (path, change), 1, name, in_memory, **search
        )
        files = {f"articles/{name}/{file}" for file in ("index.html", "cite.bib", "cite.ris")}
        if deleted:
            assert files <= before.keys() and not files & after.keys(), name
            assert {"feed.xml", "sitemap.xml", "topics/index.html"} <= changed, name
            # The newest four, or their count of pages (piece-01 leaves eight: two pages).
            assert ("index.html" in changed) == (name != "piece-05"), name
    assert energy not in after  # Energy lost its second page with its fifth piece
    assert not any(path.startswith("topics/trade/") for path in after)
    assert "Piece 9" not in text_of(html(output, "topics/energy/"))
    warned = [w for w in warnings_now() if "'piece-05'" in w]
    assert warned and "piece-02.md" in warned[0]  # the entry matches nothing now
    _assert_indexed_like_clean(site, output, tmp_path, **search)
    # A deletion and an edit in one build; a deleted piece back, as it was (an editor's
    # undo) or as another piece under its slug, with no topic where it had one.
    tenth = articles / "piece-10.md"
    text = tenth.read_text()
    tenth.unlink()
    apply_edit(site, "body", 0, "radar", 0)
    if not in_memory:
        forget_snapshot()
    assert build(site, output, **search).patched == 2
    _assert_like_clean(site, output, tmp_path, "both", **search)
    back = [text, None, _new_piece("Piece 10 again", "2020-01-11", topics="[]")]
    for step, again in enumerate(back):
        change = None if again is None else (lambda _, again=again: again)
        _, after, changed = _edit_and_build(
            site, output, tmp_path, (tenth, change), 1, f"back-{step}", in_memory, **search
        )
        assert ("articles/piece-10/cite.bib" in after) == (again is not None), step
    assert "Piece 10 again" not in text_of(html(output, "topics/security/"))
    if not in_memory:
        forget_snapshot()  # the overlay's deletions and additions replayed on the base
    _assert_indexed_like_clean(site, output, tmp_path, **search)
    seventh = articles / "piece-07.md"  # linked from piece-08: an error, the output stays
    text, kept = seventh.read_text(), snapshot(output)
    seventh.unlink()
    with pytest.raises(BuildFailed) as failed:
        build(site, output, **search)
    assert "link to a missing article 'piece-07'" in failed.value.errors[0].format()
    assert snapshot(output) == kept
    seventh.write_text(text)
    # So is a deletion with an edit that links to the piece deleted.
    second, linked = articles / "piece-02.md", linking.read_text()
    text = second.read_text()
    second.unlink()
    linking.write_text(linked + "\nAnd [the second](piece-02.md).\n")
    with pytest.raises(BuildFailed) as failed:
        build(site, output, **search)
    assert "link to a missing article 'piece-02'" in failed.value.errors[0].format()
    assert snapshot(output) == kept
    second.write_text(text)
    linking.write_text(linked)
    # A failed build leaves the cache as it was: the kept library is patched again.
    sixth = (articles / "piece-06.md", None)
    _edit_and_build(site, output, tmp_path, sixth, 1, "after", in_memory, **search)
    refused = ["piece-03", "piece-04", "authors/someone"]
    for name in refused:
        path = site / f"content/{name}.md" if "/" in name else articles / f"{name}.md"
        _edit_and_build(site, output, tmp_path, (path, None), 0, name, in_memory, **search)


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "from-the-cache"])
def test_a_draft_published_is_patched_in_as_a_new_article(tmp_path, in_memory):
    # `sitegen import` writes a piece with no date as a draft; the editor dates it and
    # takes `draft: true` out. Left out of the library until then, it comes in as a new
    # article does, under the same conditions.
    site = _filed_term_site(tmp_path)
    articles = site / "content/articles"
    drafts = {
        "draft-a": _new_piece("Draft A", "2020-01-24", draft="true"),
        "draft-b": _new_piece("Draft B", "2020-01-23", draft="true", topics="[Trade]"),
        "draft-c": _new_piece("Draft C", "2020-01-22", draft="true"),
    }
    for name, text in drafts.items():
        (articles / f"{name}.md").write_text(text)
    output = tmp_path / "out"
    search = {} if in_memory else {"search": False}
    build(site, output, **search)
    assert "articles/draft-a/index.html" not in snapshot(output)

    def publish(text: str) -> str:
        return text.replace("draft: true\n", "")

    before, after, changed = _edit_and_build(
        site, output, tmp_path, (articles / "draft-a.md", publish), 1, "a", in_memory, **search
    )
    assert "articles/draft-a/index.html" in after.keys() - before.keys()
    assert {"index.html", "topics/security/index.html", "sitemap.xml"} <= changed
    _assert_indexed_like_clean(site, output, tmp_path, **search)
    # Its edits after are edits of an article. One naming a term no article has makes
    # it; a draft published under another slug builds in full.
    more = (articles / "draft-a.md", lambda text: text + "\nOne more paragraph.\n")
    _edit_and_build(site, output, tmp_path, more, 1, "edited", in_memory, **search)
    draft_b, draft_c = articles / "draft-b.md", articles / "draft-c.md"
    before, after, _ = _edit_and_build(
        site, output, tmp_path, (draft_b, publish), 1, "b", in_memory, **search
    )
    assert "topics/trade/index.html" in after.keys() - before.keys()
    other_slug = (draft_c, lambda text: publish(text).replace("---\n", "---\nslug: cee\n", 1))
    _edit_and_build(site, output, tmp_path, other_slug, 0, "c", in_memory, **search)


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "from-the-cache"])
def test_drafts_edited_or_made_are_patched_like_clean_builds(tmp_path, in_memory):
    # A build without --drafts leaves drafts out. An editor writing one in a preview
    # saves it again and again: no output changes, and the build says so at once. An
    # article made a draft leaves its lists as a deleted one does; its slug stays a link
    # target, as every article file's is. A draft deleted goes with nothing to render.
    site = _filed_term_site(tmp_path)
    articles = site / "content/articles"
    (articles / "draft-a.md").write_text(_new_piece("Draft A", "2020-01-24", draft="true"))
    output = tmp_path / "out"
    search = {} if in_memory else {"search": False}
    build(site, output, **search)

    def step(path: Path, change, patched: int, label: str) -> tuple[dict, dict, set[str]]:
        before, after, changed = _edit_and_build(
            site, output, tmp_path, (path, change), patched, label, in_memory, **search
        )
        _assert_indexed_like_clean(site, output, tmp_path, keep_memory=in_memory, **search)
        return before, after, changed

    def draft(text: str) -> str:
        return text.replace("---\n", "---\ndraft: true\n", 1)

    def publish(text: str) -> str:
        return text.replace("draft: true\n", "")

    def more(text: str) -> str:
        return text + "\nOne more paragraph, with a [link](piece-04.md).\n"

    *_, changed = step(articles / "draft-a.md", more, 1, "draft edited")
    assert changed == set(), "a draft's edit shows nowhere"
    # A new draft, as `sitegen import` writes a piece with no date: a link target at once.
    new_draft = _new_piece("Draft B", "2020-01-23", draft="true")
    *_, changed = step(articles / "draft-b.md", lambda _: new_draft, 1, "a new draft")
    assert changed == set()
    link = (articles / "piece-03.md", lambda text: text + "\nSee [the draft](draft-b.md).\n")
    *_, changed = step(*link, 1, "linked")
    assert "articles/piece-03/index.html" in changed
    piece = articles / "piece-05.md"
    before, after, changed = step(piece, draft, 1, "made a draft")
    assert "articles/piece-05/index.html" in before.keys() - after.keys()
    assert {"page/2/index.html", "topics/energy/index.html", "sitemap.xml"} <= changed
    *_, changed = step(piece, more, 1, "made a draft, edited")
    assert changed == set()
    before, after, _ = step(piece, publish, 1, "published again")
    assert "articles/piece-05/index.html" in after.keys() - before.keys()
    step(piece, draft, 1, "a draft again")
    step(piece, None, 1, "a draft deleted")
    step(articles / "piece-04.md", more, 1, "an edit after")  # one file: the draft is gone
    # Built in full: a draft under another slug (links were checked against its own), an
    # article with aliases (its redirects would go) or naming a person without an author
    # file (that person would go) made a draft.
    step(articles / "draft-a.md", lambda text: _set_key(text, "slug", "aye"), 0, "slug")
    step(articles / "draft-a.md", None, 1, "the draft deleted")
    aliased, lone = articles / "piece-06.md", articles / "piece-07.md"
    aliased.write_text(_set_key(aliased.read_text(), "aliases", "[/old/piece-six/]"))
    lone.write_text(_set_key(lone.read_text(), "authors", "[someone, nobody]"))
    build(site, output, **search)
    step(aliased, draft, 0, "redirects would go")
    step(lone, draft, 0, "a person would go")


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "from-the-cache"])
def test_links_to_drafts_warn_in_patched_builds_as_in_clean_ones(tmp_path, in_memory):
    # A link to a draft a build leaves out warns on its line. A patching build warns
    # again for each file it takes in, and no more once the draft is published, the link
    # is gone, or the file is; an article linked to and made a draft builds in full.
    site = _filed_term_site(tmp_path)
    articles = site / "content/articles"
    draft_a = articles / "draft-a.md"
    draft_a.write_text(_new_piece("Draft A", "2020-01-24", draft="true"))
    output = tmp_path / "out"
    search = {} if in_memory else {"search": False}
    build(site, output, **search)
    piece, new = articles / "piece-03.md", articles / "new-x.md"
    link = "\nSee [the draft](draft-a.md).\n"
    steps = [  # (label, file, change, patched, links warned about)
        ("linked", piece, lambda text: text + link, 1, 1),
        ("summary above", piece, lambda text: _set_key(text, "summary", "'Short.'"), 1, 1),
        ("paragraph above", piece, lambda text: text.replace(link, "\nAbove.\n" + link), 1, 1),
        ("new", new, lambda _: _new_piece("New X", "2020-01-20", f"On it.{link}"), 1, 2),
        ("published", draft_a, lambda text: text.replace("draft: true\n", ""), 1, 0),
        ("a draft again", draft_a, lambda text: "---\ndraft: true\n" + text[4:], 0, 2),
        ("new deleted", new, None, 1, 1),
        ("unlinked", piece, lambda text: text.replace(link, ""), 1, 0),
    ]
    for label, path, change, patched, warned in steps:
        if not in_memory:
            forget_snapshot()  # a new `sitegen build`: the overlay is read back
        if change is None:
            path.unlink()
        else:
            path.write_text(change(path.read_text() if path.exists() else ""))
        result = build(site, output, **search)
        assert result.patched == patched, label
        clean = tmp_path / f"clean-{label}"
        expected = build(site, clean, use_cache=False, **search)
        assert _warnings(result) == _warnings(expected), label
        assert len([w for w in result.warnings if w.key == "link"]) == warned, label
        assert contents(output) == contents(clean), label
        shutil.rmtree(clean)


def _person(name: str, **keys: str) -> str:
    head = "".join(f"{key}: {value}\n" for key, value in {"name": name, **keys}.items())
    return f"---\n{head}---\nA biography of {name}.\n"


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "from-the-cache"])
def test_new_people_are_patched_like_clean_builds(tmp_path, in_memory):
    # `sitegen import` writes an interview and an author file for each new expert in it.
    # A person new to the archive has a page and a feed, among the people in the order
    # of their slugs, and the author index lists them: patched in, as their works are.
    # A person named before without a file gets theirs as an edit, and no more warning.
    site = _filed_term_site(tmp_path)
    piece = site / "content/articles/piece-04.md"
    piece.write_text(_set_key(piece.read_text(), "authors", "[someone, nobody]"))  # no file
    output = tmp_path / "out"
    search = {} if in_memory else {"search": False}
    build(site, output, **search)
    authors, articles = site / "content/authors", site / "content/articles"

    def build_like_clean(patched: int, label: str) -> tuple[dict, dict]:
        before = snapshot(output)
        if not in_memory:
            forget_snapshot()  # a new `sitegen build`: the overlay is read back
        assert build(site, output, **search).patched == patched, label
        _assert_like_clean(site, output, tmp_path, label, **search)
        return before, snapshot(output)

    # An interview with a new expert: their file and the piece in one build.
    (authors / "a-guest.md").write_text(_person("A Guest", role="Analyst"))
    (articles / "new-a.md").write_text(_new_piece("New A", "2020-01-25", interviewees="[a-guest]"))
    before, after = build_like_clean(2, "guest")
    added = {"authors/a-guest/index.html", "authors/a-guest/feed.xml"}
    assert added <= after.keys() - before.keys()
    assert "New A" in text_of(html(output, "authors/a-guest/"))
    assert "A Guest" in text_of(html(output, "authors/"))
    # People first and last by slug, one with no work yet; five people: a second index page.
    (authors / "zed-last.md").write_text(_person("Zed Last", aliases="[Z. Last]"))
    build_like_clean(1, "last")
    (authors / "aaron-first.md").write_text(_person("Aaron First"))
    (articles / "new-b.md").write_text(
        _new_piece("New B", "2020-01-26", authors="[aaron-first, a-guest]")
    )
    before, after = build_like_clean(2, "first")
    assert "authors/page/2/index.html" in after.keys() - before.keys()
    # The new people's files are theirs now: edited, and named by an edited piece.
    (authors / "zed-last.md").write_text(_person("Zed Last", role="Fellow"))
    build_like_clean(1, "edited")
    piece = articles / "piece-05.md"
    piece.write_text(_set_key(piece.read_text(), "authors", "[someone, zed-last]"))
    build_like_clean(1, "named")
    _assert_indexed_like_clean(site, output, tmp_path, **search)
    # Named already, with a page made from the slug and a warning: the file is an edit.
    assert any("'nobody'" in w for w in _warnings(build(site, output, **search)))
    (authors / "nobody.md").write_text(_person("No Body", role="Editor"))
    build_like_clean(1, "nobody")
    assert "Editor" in text_of(html(output, "authors/nobody/"))
    warnings = _warnings(build(site, output, **search))
    assert warnings == _warnings(build(site, tmp_path / "w", use_cache=False, search=False))
    assert not any("'nobody'" in w for w in warnings)
    apply_edit(site, "body", 0, "radar", 9)  # a later patch, in a new process or not
    if not in_memory:
        forget_snapshot()
    assert _warnings(build(site, output, **search)) == warnings
    # A link to a missing article: an error, and the output stays as it was.
    kept = snapshot(output)
    (authors / "linker.md").write_text(_person("Lin Ker") + "See [this](missing.md).\n")
    with pytest.raises(BuildFailed):
        build(site, output, **search)
    assert snapshot(output) == kept


def _assert_indexed_like_clean(
    site: Path, output: Path, tmp_path: Path, keep_memory: bool = False, **options
) -> None:
    """The library a patching build keeps indexes the archive as a full build's does:
    what the outputs' fingerprints read, though not all of it shows in their bytes.
    With `keep_memory`, the next build patches the library in memory still, as a
    preview's would (reading it changes nothing: no file changed)."""
    memory = snapshot_module._MEMORY
    cache = output.parent / f".{output.name}-cache"  # as support.site.build keeps it
    kept = prepare(BuildOptions(site_dir=site, output_dir=output, cache_dir=cache, **options))
    kept.cache.close()
    assert kept.patch is not None  # nothing changed since: the kept library as it is
    full = prepare(BuildOptions(site_dir=site, output_dir=tmp_path / "full", use_cache=False))
    assert _index_of(kept.library) == _index_of(full.library)
    if keep_memory:
        snapshot_module._MEMORY = memory


def _index_of(library) -> dict[str, object]:
    """What a library says of its articles, lists and routes, by slug."""
    return {
        "articles": slugs_of(library.articles),
        "years": {year: slugs_of(articles) for year, articles in library.years.items()},
        "terms": {
            (taxonomy, slug): (entry.term, slugs_of(entry.articles))
            for taxonomy, entries in library.taxonomies.items()
            for slug, entry in entries.items()
        },
        "terms_of": library.terms_of,
        "spellings": library.spellings,
        "people": [
            {slug: slugs_of(works) for slug, works in lists.items()}
            for lists in (library.written_by, library.interviews_of)
        ],
        "related": library.related,
        "last_changed": library.last_changed,
        "link_targets": library.link_targets,
        "routes": list(route_rows(library)),
    }


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "from-the-cache"])
def test_edits_to_pages_are_patched_like_clean_builds(tmp_path, in_memory):
    # A page shows only on its own output (the navigation comes from the settings): an
    # edit to it, alone or with an article's, rewrites that page and nothing else of its.
    site, output = _built_basic_site(tmp_path)
    about = site / "content/pages/about.md"
    steps = [
        ("title", lambda text: _set_key(text, "title", "About the archive")),
        ("body", lambda text: text + "\nIt is [searchable](../search/).\n"),
        ("summary", lambda text: _set_key(text, "summary", "Who we are.")),
    ]
    for label, change in steps:
        _, _, changed = _edit_and_build(
            site, output, tmp_path, (about, change), 1, label, in_memory
        )
        assert {path for path in changed if path.endswith(".html")} == {"about/index.html"}
    assert "About the archive" in text_of(html(output, "about/"))
    about.write_text(_set_key(about.read_text(), "title", "About us"))
    apply_edit(site, "body", 0, "radar", 0)
    if not in_memory:
        forget_snapshot()
    assert build(site, output).patched == 2
    _assert_like_clean(site, output, tmp_path, "both")
    assert "About us" in text_of(html(output, "about/"))


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "from-the-cache"])
def test_edits_to_author_files_are_patched_like_clean_builds(tmp_path, in_memory):
    # A person's name, role and bio show on their pages, the author index and the cards
    # of their works: no list or route moves, so the last library is patched.
    site, output = _built_basic_site(tmp_path)
    bio = site / "content/authors/kenan-agazade.md"
    steps = [
        ("role", lambda text: _set_key(text, "role", "Senior fellow")),
        ("name", lambda text: _set_key(text, "name", "Kenan Agazade")),
        ("bio", lambda text: text + "\nHe also writes on energy corridors.\n"),
    ]
    for label, change in steps:
        _, after, changed = _edit_and_build(
            site, output, tmp_path, (bio, change), 1, label, in_memory
        )
        assert "authors/kenan-agazade/index.html" in changed, label
        unaffected = {"authors/ola-nordmann/feed.xml", "sitemap.xml", "topics/index.html"}
        assert unaffected <= after.keys() and not changed & unaffected, label
    page = text_of(html(output, "authors/kenan-agazade/"))
    assert "Senior fellow" in page and "energy corridors" in page
    assert "Kenan Agazade" in text_of(html(output, "articles/caucasus-balance/"))  # a byline
    # An author file and an article edited together, then an article alone: one overlay.
    bio.write_text(_set_key(bio.read_text(), "role", "Fellow"))
    apply_edit(site, "body", 0, "radar", 0)
    assert build(site, output).patched == 2
    _assert_like_clean(site, output, tmp_path, "both")
    apply_edit(site, "title", 2, "treaty", 1)
    forget_snapshot()
    assert build(site, output).patched == 1
    _assert_like_clean(site, output, tmp_path, "after")
    assert "Fellow" in text_of(html(output, "authors/kenan-agazade/"))


def _mark_kept_cards(output: Path) -> int:
    """Mark every card the cache keeps, as a reader would see it on a page that shows it."""
    with contextlib.closing(sqlite3.connect(next(output.parent.glob(".out-cache/*.sqlite")))) as db:
        with db:
            db.execute("UPDATE card_html SET html = replace(html, 'card-title', 'card-title kept')")
        return db.execute("SELECT count(*) FROM card_html").fetchone()[0]


def _kept_titles(output: Path, path: str) -> list[str]:
    return [text_of(h) for h in html(output, path).xpath("//*[contains(@class, 'kept')]")]


def test_cards_an_earlier_build_rendered_show_until_what_they_are_made_of_changes(tmp_path):
    # A new article shifts every page of the home list: the cards on them are taken as an
    # earlier build rendered them. A card must not outlive its title, its person's name,
    # the card template or a setting that shows in it. The cache's cards are marked here to
    # tell them apart from cards rendered again.
    site = _term_site(tmp_path)
    (site / "content/authors").mkdir()
    (site / "content/authors/someone.md").write_text("---\nname: Some One\n---\nBio.\n")
    output = tmp_path / "out"
    build(site, output, search=False)
    assert _mark_kept_cards(output) == 12  # each article's card, at the lists' heading
    new = site / "content/articles/new-a.md"
    new.write_text(_new_piece("New A", "2020-01-25"))
    title = site / "content/articles/piece-10.md"
    title.write_text(_set_key(title.read_text(), "title", "Piece Ten"))
    assert build(site, output, search=False).patched == 2
    kept = _kept_titles(output, "")  # the newest four: one new, one retitled, two kept
    assert kept == ["Piece 11", "Piece 9"]
    assert _kept_titles(output, "page/2/") == ["Piece 8", "Piece 7", "Piece 6", "Piece 5"]
    steps = [  # (what changes, a file and its new text)
        ("a person", "content/authors/someone.md", "---\nname: Some One Else\n---\n"),
        ("the card template", "templates/partials/card.html", None),
        ("a setting", "sitegen.toml", None),
    ]
    default_card = (Path(__file__).parents[1] / "templates/partials/card.html").read_text()
    for what, name, text in steps:
        _mark_kept_cards(output)
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith("card.html"):
            text = default_card.replace('class="card-meta"', 'class="card-meta card-meta--new"')
        elif name == "sitegen.toml":
            text = path.read_text().replace('title = "Words"', 'title = "Words"\nlanguage = "de"')
        path.write_text(text)
        build(site, output, search=False)
        assert not _kept_titles(output, ""), what
        assert not _kept_titles(output, "topics/security/"), what
        _assert_like_clean(site, output, tmp_path, what, search=False)
    assert html(output, "").xpath("//p[@class='card-meta card-meta--new']")
    assert "Januar" in text_of(html(output, "page/2/"))  # dates in the cards, in German
