"""Search: the Pagefind index built with the site, and the search page in Chromium.

The `search` fixture site has several articles that mention "early warning" and one that is
about it, four people, every article type, and a title that looks like markup. It is built
into `<root>/archive/` and served over HTTP below `/archive/`, its base URL's path; the shipped
archive (the repository's root) is built and served at `/`.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page
from support.axe import format_violations, run_axe, severe_violations
from support.browser import PageLog, open_page
from support.env import REPO_ROOT
from support.site import SITES, build, copy_site, html, snapshot, text_of

from sitegen import search
from sitegen.cli import main as sitegen_main
from sitegen.errors import BuildFailed

SEARCH_SITE = SITES / "search"
PREFIX = "/archive/"
WAIT_MS = 45_000  # a busy machine loads the index slowly; every wait allows this much
ABOUT = "/archive/articles/early-warning-systems/"
MENTIONS = {
    "/archive/articles/arctic-interview/",
    "/archive/articles/missile-defence-interview/",
    "/archive/articles/budget-commentary/",
}
KENAN = {
    "/archive/articles/arctic-interview/",
    "/archive/articles/budget-commentary/",
    "/archive/articles/black-sea-report/",
}
SEED_URL = "/articles/military-cooperation-between-russia-and-china-is-developing/"
FILTERS_LOADED = "(name) => document.querySelector('#filter-' + name).options.length > 1"
MARKUP_TITLE = "Markup in Titles: <em>Not</em> Tags & “Quotes”"


def pagefind_files(output: Path) -> dict[str, tuple[str, int]]:
    return {p: v for p, v in snapshot(output).items() if p.startswith("pagefind/")}


def sitegen_command(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m sitegen …` in a fresh process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "sitegen", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=REPO_ROOT,
        timeout=600,
        check=False,
    )


# -- the index --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def search_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The search fixture built into `<root>/archive/`, so the root can be served as a host."""
    output = tmp_path_factory.mktemp("search") / "www" / PREFIX.strip("/")
    build(SEARCH_SITE, output)
    return output


def test_index_holds_every_article_and_author_page_and_nothing_else(search_output: Path) -> None:
    entry = json.loads((search_output / "pagefind/pagefind-entry.json").read_text())
    articles = len(list((SEARCH_SITE / "content/articles").glob("*.md")))
    people = len(list((SEARCH_SITE / "content/authors").glob("*.md")))
    assert {lang: data["page_count"] for lang, data in entry["languages"].items()} == {
        "en": articles + people
    }
    names = {path.name for path in (search_output / "pagefind").iterdir()}
    assert {"pagefind.js", "pagefind-worker.js", "wasm.en.pagefind"} <= names
    assert not [n for n in names if n.startswith("pagefind-ui") or "modular" in n], names


def test_article_and_author_pages_carry_filters_meta_and_sort(search_output: Path) -> None:
    page = html(search_output, "articles/early-warning-systems/")
    body = page.cssselect("[data-pagefind-body]")
    assert len(body) == 1 and body[0].tag == "article"
    filters = sorted(
        e.get("data-pagefind-filter") for e in page.cssselect("[data-pagefind-filter]")
    )
    assert "type:Analysis" in filters and "year:2021" in filters
    assert filters.count("author") == 1 and filters.count("topic") == 2
    assert filters.count("region") == 2
    metas = {e.get("data-pagefind-meta") for e in page.cssselect("[data-pagefind-meta]")}
    assert {"title", "type:Analysis", "date:April 12, 2021", "image[src], image_alt[alt]"} <= metas
    sort = page.cssselect("[data-pagefind-sort]")[0].get("data-pagefind-sort")
    assert sort == "date:1618185600"  # 2021-04-12T00:00:00Z
    interview = html(search_output, "articles/arctic-interview/")
    assert [text_of(a) for a in interview.cssselect("[data-pagefind-filter=interviewee]")] == [
        "Dmitry Trenin"
    ]
    person = html(search_output, "authors/maria-olsen/")
    assert person.cssselect("[data-pagefind-body] h1[data-pagefind-meta=title]")
    assert person.cssselect("[data-pagefind-filter='type:Person']")
    # Lists show many articles: none of them may lend its filters to the page.
    listed = html(search_output, "authors/kenan-agazade/").cssselect("[data-pagefind-filter]")
    assert [e.get("data-pagefind-filter") for e in listed] == ["type:Person"]
    for listing in ("", "topics/early-warning-systems/", "archive/2021/"):
        assert not html(search_output, listing).cssselect("[data-pagefind-filter]"), listing


def test_two_builds_write_byte_identical_index_files(tmp_path: Path) -> None:
    """One build in this process, one by the command in another: same files, same bytes."""
    site = copy_site("search", tmp_path)
    articles = site / "content/articles"
    for number in range(150):  # enough pages for the indexer's threads to interleave
        (articles / f"generated-{number:03}.md").write_text(
            f"---\ntitle: Generated note {number}\ndate: 20{10 + number % 15}-0{1 + number % 9}\n"
            f"authors: [{('kenan-agazade', 'maria-olsen')[number % 2]}]\n"
            f"type: {('analysis', 'news', 'report')[number % 3]}\n"
            f"topics: [Topic {number % 7}]\n---\n"
            f"Note {number} on early warning, radar number {number * 7} and treaty {number}.\n",
            encoding="utf-8",
        )
    build(site, tmp_path / "a", use_cache=False)
    done = sitegen_command("build", "--site", str(site), "--output", str(tmp_path / "b"), "-q")
    assert done.returncode == 0, done.stderr
    first, second = pagefind_files(tmp_path / "a"), pagefind_files(tmp_path / "b")
    assert len(first) > 20
    assert {p: d for p, (d, _) in first.items()} == {p: d for p, (d, _) in second.items()}


def test_unchanged_index_files_keep_their_mtimes(tmp_path: Path) -> None:
    site = copy_site("search", tmp_path)
    output = tmp_path / "out"
    build(site, output)
    before = pagefind_files(output)
    build(site, output)
    assert pagefind_files(output) == before
    # A page that search does not index changes: the index is the same, and stays untouched.
    about = site / "content/pages/about.md"
    about.write_text(about.read_text() + "\nOne more sentence.\n")
    build(site, output)
    assert pagefind_files(output) == before
    # An indexed article changes: some index files change, the bundle's code does not.
    article = site / "content/articles/black-sea-report.md"
    article.write_text(article.read_text() + "\nInsurers now price early warning too.\n")
    build(site, output)
    after = pagefind_files(output)
    assert after != before
    assert after["pagefind/pagefind.js"] == before["pagefind/pagefind.js"]


@pytest.mark.parametrize(
    ("binary", "message"),
    [
        ("/bin/false", "search: the search indexer stopped unexpectedly"),
        ("/nonexistent/pagefind", "search: cannot start the search indexer"),
    ],
)
def test_failed_indexer_is_a_build_error_and_leaves_the_old_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, binary: str, message: str
) -> None:
    site = copy_site("search", tmp_path)
    output = tmp_path / "out"
    build(site, output)
    before = snapshot(output)
    article = site / "content/articles/budget-commentary.md"
    article.write_text(article.read_text() + "\nA new paragraph to index.\n")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", binary)
    with pytest.raises(BuildFailed) as failed:
        build(site, output)
    [error] = failed.value.errors
    assert error.key == "search" and error.format().startswith(message)
    assert "--no-search" in (error.hint or "")
    assert snapshot(output) == before


def test_command_reports_a_failed_indexer_in_one_line(tmp_path: Path) -> None:
    site = copy_site("search", tmp_path)
    env = {"PAGEFIND_BINARY_PATH": "/bin/false"}
    done = sitegen_command("build", "--site", str(site), "--output", str(tmp_path / "out"), env=env)
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if not line.startswith("warning:")]
    assert lines[0].startswith("error: search: the search indexer stopped unexpectedly (")
    assert lines[1:] == ["1 error"] and "Traceback" not in done.stderr


def test_the_indexers_own_error_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = copy_site("search", tmp_path)
    indexer = tmp_path / "pagefind"
    indexer.write_text(
        "#!/bin/sh\necho 'Error: Pagefind was not able to build an index. '\nexit 1\n"
    )
    indexer.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(indexer))
    with pytest.raises(BuildFailed) as failed:
        build(site, tmp_path / "out")
    [error] = failed.value.errors
    assert error.format().startswith(
        "search: the search indexer failed: Pagefind was not able to build an index. ("
    )
    assert not (tmp_path / "out").exists()


def test_pagefind_settings_where_sitegen_runs_do_not_change_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind's command reads `pagefind.yml` in its working folder and `PAGEFIND_*`
    variables; the site's index must not depend on where or how sitegen was started."""
    site = copy_site("search", tmp_path)
    build(site, tmp_path / "plain", use_cache=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "pagefind.yml").write_text('exclude_selectors:\n  - "p"\n')
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("PAGEFIND_EXCLUDE_SELECTORS", "h1")
    monkeypatch.setattr(search, "_memo", {})  # indexed again, not remembered from above
    build(site, tmp_path / "configured", use_cache=False)
    plain, configured = pagefind_files(tmp_path / "plain"), pagefind_files(tmp_path / "configured")
    assert len(plain) > 10
    assert {p: d for p, (d, _) in configured.items()} == {p: d for p, (d, _) in plain.items()}


def test_search_switched_off_by_flag_or_setting_writes_no_index(tmp_path: Path) -> None:
    site = copy_site("search", tmp_path)
    output = tmp_path / "out"
    build(site, output)
    index = {path: digest for path, (digest, _) in pagefind_files(output).items()}
    code = sitegen_main(["build", "--site", str(site), "--output", str(output), "--no-search"])
    assert code == 0 and not (output / "pagefind").exists()  # the old index goes too
    assert html(output, "").cssselect(".search-box")  # the setting still offers search
    # Switched on again, with no page changed since: the index comes back.
    build(site, output)
    assert {path: digest for path, (digest, _) in pagefind_files(output).items()} == index

    config = site / "sitegen.toml"
    config.write_text(config.read_text() + "search = false\n")
    off = tmp_path / "off"
    build(site, off)
    assert not (off / "pagefind").exists()
    assert not html(off, "").cssselect(".search-box, a[href$='/search/']")
    notice = html(off, "search/")
    assert not notice.cssselect("script[src*=search], #search")
    assert "no search" in text_of(notice.cssselect(".notice")[0])


# -- an index in parts ---------------------------------------------------------------------------
PART_PAGES = 8  # pages a part holds on average at most in these tests: here, eight parts
TYPES = ("analysis", "news", "report")


def add_notes(site: Path, count: int) -> dict[str, int]:
    """`count` dated articles that mention early warning; their URLs by publication time."""
    dates = {}
    for number in range(count):
        day = f"20{10 + number % 12}-{1 + number % 12:02}-{1 + number % 27:02}"
        (site / "content/articles" / f"note-{number:02}.md").write_text(
            f"---\ntitle: Note {number} on early warning\ndate: {day}\n"
            f"authors: [{('kenan-agazade', 'maria-olsen')[number % 2]}]\n"
            f"type: {TYPES[number % 3]}\n---\n"
            f"Note {number} on early warning, radar number {number * 7} and treaty {number}.\n",
            encoding="utf-8",
        )
        moment = datetime.fromisoformat(day).replace(tzinfo=UTC)
        dates[f"{PREFIX}articles/note-{number:02}/"] = int(moment.timestamp())
    return dates


LISTS = ("pagefind/sitegen-search.json", "pagefind/sitegen-dates.json")


def part_of(path: str) -> str:
    """Which part of the index a file of `pagefind/` belongs to."""
    return path.split("/")[1] if path.startswith("pagefind/part-") else "part-0"


@pytest.fixture
def in_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "PART_PAGES", PART_PAGES)


@pytest.fixture(scope="module")
def parted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The search fixture and 40 notes, indexed in parts, built into `<root>/archive/`."""
    root = tmp_path_factory.mktemp("parted")
    site = copy_site("search", root)
    dates = add_notes(site, 40)
    output = root / "www" / PREFIX.strip("/")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "PART_PAGES", PART_PAGES)
        build(site, output)
    return output, dates


def test_a_large_index_comes_in_parts_holding_each_page_once(
    parted: tuple[Path, dict[str, int]],
) -> None:
    output, _ = parted
    folder = output / "pagefind"
    parts = json.loads((folder / "sitegen-search.json").read_text())["parts"]
    assert parts == [f"part-{n}/" for n in range(1, 8)]
    counts = [
        json.loads((folder / part / "pagefind-entry.json").read_text())["languages"]["en"]
        for part in ["", *parts]
    ]
    pages = len(list(output.glob("articles/*/index.html"))) + len(
        list(output.glob("authors/*/index.html"))
    )
    assert sum(c["page_count"] for c in counts) == pages == 50
    # Pagefind's code and WebAssembly come once, with the first part.
    for part in parts:
        names = {p.name for p in (folder / part).iterdir()}
        assert names <= {"pagefind-entry.json", "fragment", "index", "filter"} | {
            n for n in names if n.endswith(".pf_meta")
        }, names
    # Every dated page has its date, under the id Pagefind gives its result.
    dates = json.loads((folder / "sitegen-dates.json").read_text())
    fragments = {p.stem for p in folder.glob("**/fragment/*.pf_fragment")}
    assert len(dates) == 46 and set(dates) <= fragments  # 46 articles; people have no date


def _notes_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The search fixture and 40 notes, built in parts: (site, output)."""
    monkeypatch.setattr(search, "_memo", {})  # each part indexed here, not remembered
    site = copy_site("search", tmp_path)
    add_notes(site, 40)
    build(site, tmp_path / "out")
    return site, tmp_path / "out"


def _edited_note_and_built(site: Path, output: Path) -> None:
    note = site / "content/articles/note-07.md"  # its summary is its only paragraph: the
    note.write_text(note.read_text() + "\nA later line on insurers.\n")  # lists stay as they were
    build(site, output)


def _index_from_scratch(site: Path, output: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """The index files (path -> sha256) a build from scratch makes of the site as it is."""
    monkeypatch.setattr(search, "_memo", {})  # indexed here, not remembered from a build above
    build(site, output, use_cache=False)
    return {p: d for p, (d, _) in pagefind_files(output).items()}


def test_an_edit_indexes_its_part_again_and_no_other(
    tmp_path: Path, in_parts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, output = _notes_built(tmp_path, monkeypatch)
    before = pagefind_files(output)
    _edited_note_and_built(site, output)
    after = pagefind_files(output)
    moved = {p for p in after.keys() | before.keys() if after.get(p) != before.get(p)}
    assert len({part_of(p) for p in moved if not p.startswith(LISTS)}) == 1, sorted(moved)
    untouched = [p for p in after if p.startswith("pagefind/part-") and after[p] == before.get(p)]
    assert len(untouched) > len(after) / 2  # mtimes kept: most of the index was not rewritten
    # And it is the index a build from scratch makes: the part indexed again started from its
    # last fragments (see search._seeds), and keeps only those its pages still have.
    fresh = _index_from_scratch(site, tmp_path / "fresh", monkeypatch)
    assert fresh == {p: d for p, (d, _) in after.items()}


@pytest.mark.parametrize(
    "trouble", ["a seed under another page's name", "unreadable metadata", "no links"]
)
def test_a_part_its_seeds_could_spoil_is_indexed_again_without_them(
    tmp_path: Path, in_parts: None, monkeypatch: pytest.MonkeyPatch, trouble: str
) -> None:
    site, output = _notes_built(tmp_path, monkeypatch)
    seeds, listed = search._seeds, search._listed_fragments
    if trouble == "unreadable metadata":  # as from a Pagefind that lays its metadata out anew
        monkeypatch.setattr(search, "_listed_fragments", lambda files, folder: None)
    elif trouble == "no links":  # a scratch folder on a file system without symbolic links

        def refused(self: Path, target: Path) -> None:
            raise OSError(errno.EPERM, "Operation not permitted", str(self))

        monkeypatch.setattr(Path, "symlink_to", refused)
    else:  # as when a changed page's fragment takes the name of another page's fragment

        def collided(
            folder: str, last: search.Part, kept_file: Callable[[str, str], Path | None]
        ) -> dict[str, Path]:
            found = seeds(folder, last, kept_file)
            names = sorted(found)
            assert len(names) >= 3  # the edited page's, and two others of its part
            found[names[0]] = found[names[1]]
            return found

        monkeypatch.setattr(search, "_seeds", collided)
    _edited_note_and_built(site, output)
    after = {p: d for p, (d, _) in pagefind_files(output).items()}
    monkeypatch.setattr(search, "_seeds", seeds)
    monkeypatch.setattr(search, "_listed_fragments", listed)
    assert after == _index_from_scratch(site, tmp_path / "fresh", monkeypatch)


def test_parts_with_nothing_to_find_are_left_out(tmp_path: Path, in_parts: None) -> None:
    """A theme whose article pages mark nothing for search: only people are found, and the
    parts that would hold only articles are not listed (an empty index fails to merge)."""
    site = copy_site("search", tmp_path)
    add_notes(site, 40)
    (site / "templates").mkdir()
    article = (REPO_ROOT / "templates/article.html").read_text()
    assert "data-pagefind-body" in article
    (site / "templates/article.html").write_text(article.replace(" data-pagefind-body", ""))
    output = tmp_path / "out"
    build(site, output)
    folder = output / "pagefind"
    parts = json.loads((folder / "sitegen-search.json").read_text())["parts"]
    found = 0
    for part in ["", *parts]:
        entry = json.loads((folder / part / "pagefind-entry.json").read_text())
        found += sum(language["page_count"] for language in entry["languages"].values())
    assert found == 4  # the four people
    assert len(parts) < 7 and all((folder / part).is_dir() for part in parts)
    assert json.loads((folder / "sitegen-dates.json").read_text()) == {}


# -- in Chromium ------------------------------------------------------------------------------
class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output free of one line per request."""


@pytest.fixture(scope="module")
def serve() -> Iterator:
    """`serve(folder, prefix)`: the folder over HTTP on the loopback interface, at `prefix`."""
    servers: list[ThreadingHTTPServer] = []

    def start(root: Path, prefix: str) -> str:
        handler = functools.partial(_QuietHandler, directory=str(root))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}{prefix}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def base_url(search_output: Path, serve) -> str:
    """The search fixture at `http://127.0.0.1:PORT/archive/`."""
    return serve(search_output.parent, PREFIX)


@pytest.fixture(scope="module")
def shipped_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped archive (the repository's root is a site), built to a temporary folder."""
    output = tmp_path_factory.mktemp("shipped") / "www"
    build(REPO_ROOT, output)
    return output


@pytest.fixture(scope="module")
def shipped_url(shipped_output: Path, serve) -> str:
    return serve(shipped_output, "/")


@pytest.fixture
def watched(page: Page) -> dict[str, list[str]]:
    """Every request the page makes and every dialog it opens (a dialog is dismissed)."""
    seen: dict[str, list[str]] = {"requests": [], "dialogs": []}
    page.on("request", lambda request: seen["requests"].append(request.url))

    def on_dialog(dialog) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return seen


def settled(page: Page) -> str:
    """Wait until the search page has answered; return its status line."""
    answered = ".search-status[data-state=done], .search-status[data-state=empty]"
    page.wait_for_selector(answered, timeout=WAIT_MS)
    return text_of_locator(page, ".search-status")


def text_of_locator(page: Page, selector: str) -> str:
    return " ".join(page.locator(selector).inner_text().split())


def search_for(page: Page, url: str, words: str) -> str:
    """Open the search page, wait for its filters, type `words` key by key; the status line."""
    page.goto(url + "search/")
    page.wait_for_function(FILTERS_LOADED, arg="type", timeout=WAIT_MS)
    page.locator("#search-query").press_sequentially(words)
    page.wait_for_function(
        "(words) => new URLSearchParams(location.search).get('q') === words",
        arg=words,
        timeout=WAIT_MS,
    )
    return settled(page)


def result_links(page: Page) -> list[str]:
    return page.locator(".search-result-title a").evaluate_all(
        "(a) => a.map(e => e.getAttribute('href'))"
    )


def choose(page: Page, name: str, value: str) -> str:
    """Pick a filter value and wait for the results it gives; the status line."""
    page.evaluate("() => { document.querySelector('.search-status').dataset.state = ''; }")
    page.select_option(f"select[name={name}]", value)
    return settled(page)


def test_shipped_archive_finds_the_seed_interview(
    page: Page, page_log: PageLog, shipped_url: str
) -> None:
    status = search_for(page, shipped_url, "early warning")
    assert re.fullmatch(r"\d+ results? for “early warning”\.", status)
    assert SEED_URL in result_links(page)
    first = page.locator(".search-result").first
    assert "Military Cooperation" in first.locator(".search-result-title").inner_text()
    assert first.locator(".kicker").inner_text().strip().lower() == "interview"
    assert first.locator("mark").count() >= 2
    page_log.assert_clean()


def test_the_article_about_the_words_comes_first(
    page: Page, page_log: PageLog, base_url: str
) -> None:
    search_for(page, base_url, "early warning")
    links = result_links(page)
    assert links[0] == ABOUT
    assert set(links[1:]) == MENTIONS
    assert page.locator(".search-result").first.locator("img.search-result-image").count() == 1
    page_log.assert_clean()


def test_type_filter_narrows_the_results_and_the_address(
    page: Page, page_log: PageLog, base_url: str
) -> None:
    search_for(page, base_url, "early warning")
    everything = result_links(page)
    choose(page, "type", "Interview")
    interviews = result_links(page)
    assert set(interviews) < set(everything)
    assert set(interviews) == {
        "/archive/articles/arctic-interview/",
        "/archive/articles/missile-defence-interview/",
    }
    assert parse_qs(urlsplit(page.url).query) == {"q": ["early warning"], "type": ["Interview"]}
    page_log.assert_clean()


def test_author_filter_lists_only_that_authors_articles(
    page: Page, page_log: PageLog, base_url: str
) -> None:
    page.goto(base_url + "search/")
    page.wait_for_function(FILTERS_LOADED, arg="author", timeout=WAIT_MS)
    choose(page, "author", "Kenan Ağazade")
    assert set(result_links(page)) == KENAN
    assert len(result_links(page)) == len(KENAN)
    page_log.assert_clean()


def test_a_shared_address_restores_words_filters_and_order(
    page: Page, page_log: PageLog, base_url: str
) -> None:
    page.goto(base_url + "search/?q=early+warning&type=Interview&sort=newest")
    settled(page)
    assert page.input_value("#search-query") == "early warning"
    assert page.input_value("#filter-type") == "Interview"
    assert result_links(page) == [  # 2022, then 2020
        "/archive/articles/missile-defence-interview/",
        "/archive/articles/arctic-interview/",
    ]
    page_log.assert_clean()


def test_no_match_shows_the_no_results_message(
    page: Page, page_log: PageLog, base_url: str
) -> None:
    status = search_for(page, base_url, "zanzibarquux")
    assert status == "No results for “zanzibarquux”."
    assert page.locator(".search-result").count() == 0
    page_log.assert_clean()


def test_markup_in_the_query_is_shown_as_text(
    page: Page, page_log: PageLog, base_url: str, watched: dict[str, list[str]]
) -> None:
    query = "<img src=x onerror=alert(1)>"
    status = search_for(page, base_url, query)
    assert query in status
    assert page.locator("#search img, #search script").count() == 0
    page.wait_for_timeout(500)  # an injected handler would have fired by now
    assert watched["dialogs"] == []
    assert not [url for url in watched["requests"] if urlsplit(url).path.endswith("/x")]
    page_log.assert_clean()


def test_markup_in_titles_and_text_is_shown_as_text(
    page: Page, page_log: PageLog, base_url: str, watched: dict[str, list[str]]
) -> None:
    search_for(page, base_url, "alert")
    result = page.locator(".search-result").first
    assert result.locator(".search-result-title a").inner_text() == MARKUP_TITLE
    excerpt = result.locator(".search-result-excerpt").inner_text()
    assert '<script>alert("markup")</script>' in excerpt and "onerror=alert(2)>" in excerpt
    assert result.locator("em, script, img").count() == 0
    assert watched["dialogs"] == []
    page_log.assert_clean()


def test_results_and_bundle_stay_under_the_sub_path(
    page: Page, page_log: PageLog, base_url: str, watched: dict[str, list[str]]
) -> None:
    search_for(page, base_url, "early warning")
    links = result_links(page)
    assert links and all(link.startswith(PREFIX + "articles/") for link in links)
    host = urlsplit(base_url).netloc
    assert all(urlsplit(url).netloc == host for url in watched["requests"]), "other hosts"
    bundle = [urlsplit(url).path for url in watched["requests"] if "pagefind" in url]
    assert bundle and all(path.startswith(PREFIX + "pagefind/") for path in bundle)
    with page.expect_navigation():
        page.locator(".search-result-title a").first.click()
    assert urlsplit(page.url).path == ABOUT
    assert page.locator("h1").inner_text().startswith("Early Warning Systems")
    page_log.assert_clean()


def test_header_search_box_leads_to_results(page: Page, page_log: PageLog, base_url: str) -> None:
    page.goto(base_url + "articles/budget-commentary/")
    page.fill("#site-search", "early warning")
    with page.expect_navigation():
        page.press("#site-search", "Enter")
    assert urlsplit(page.url).path == PREFIX + "search/"
    assert parse_qs(urlsplit(page.url).query) == {"q": ["early warning"]}
    settled(page)
    assert result_links(page)[0] == ABOUT
    page_log.assert_clean()


def test_without_javascript_the_search_page_says_search_needs_it(
    browser: Browser, base_url: str
) -> None:
    with open_page(browser, java_script_enabled=False) as (page, log):
        page.goto(base_url + "archive/")
        page.fill("#site-search", "early warning")
        with page.expect_navigation():
            page.press("#site-search", "Enter")
        assert urlsplit(page.url).path == PREFIX + "search/"
        assert parse_qs(urlsplit(page.url).query) == {"q": ["early warning"]}
        notice = page.locator("noscript .notice, .notice").first
        assert notice.is_visible()
        assert "Search needs JavaScript" in notice.inner_text()
        assert not page.locator(".search-form").is_visible()
        log.assert_clean()


def test_search_page_with_results_has_no_serious_accessibility_violations(
    page: Page, page_log: PageLog, base_url: str
) -> None:
    search_for(page, base_url, "early warning")
    violations = run_axe(page)
    severe = severe_violations(violations)
    assert not severe, format_violations(severe)
    page_log.assert_clean()


@pytest.fixture(scope="module")
def parted_url(parted: tuple[Path, dict[str, int]], serve) -> str:
    return serve(parted[0].parent, PREFIX)


def test_an_index_in_parts_finds_pages_from_every_part(
    page: Page, page_log: PageLog, parted_url: str, parted: tuple[Path, dict[str, int]]
) -> None:
    status = search_for(page, parted_url, "early warning")
    found = set(result_links(page))
    while page.locator(".search-more").is_visible():
        page.click(".search-more")
        page.wait_for_function(
            "(n) => document.querySelectorAll('.search-result').length > n",
            arg=len(found),
            timeout=WAIT_MS,
        )
        found = set(result_links(page))
    assert found == {ABOUT} | MENTIONS | set(parted[1]), status
    assert status == f"{len(found)} results for “early warning”."
    # The filters count the pages of every part: 40 notes and 6 articles, by type.
    options = page.locator("#filter-type option").all_inner_texts()
    assert {"Analysis (15)", "News (14)", "Report (14)", "Person (4)"} <= set(options), options
    page_log.assert_clean()


def test_an_index_in_parts_sorts_by_date_across_parts(
    page: Page, page_log: PageLog, parted_url: str, parted: tuple[Path, dict[str, int]]
) -> None:
    dates = parted[1]
    for order, newest_first in (("newest", True), ("oldest", False)):
        page.goto(parted_url + f"search/?type=Report&sort={order}")
        settled(page)
        while page.locator(".search-more").is_visible():
            shown = page.locator(".search-result").count()
            page.click(".search-more")
            page.wait_for_function(
                "(n) => document.querySelectorAll('.search-result').length > n",
                arg=shown,
                timeout=WAIT_MS,
            )
        links = result_links(page)
        reports = [url for url in dates if int(url[-3:-1]) % 3 == 2]
        expected = sorted(reports, key=dates.__getitem__, reverse=newest_first)
        black_sea = f"{PREFIX}articles/black-sea-report/"  # June 2023: the newest report
        expected = [black_sea, *expected] if newest_first else [*expected, black_sea]
        assert links == expected, order
    page_log.assert_clean()


def test_shipped_archive_has_its_index_where_the_search_page_looks(
    shipped_output: Path,
) -> None:
    search_page = html(shipped_output, "search/")
    bundle = search_page.cssselect("#search")[0].get("data-bundle")
    assert bundle == "/pagefind/pagefind.js" and (shipped_output / bundle[1:]).is_file()
    script = search_page.cssselect("script[src]")[0].get("src")
    assert re.fullmatch(r"/assets/js/search\.[0-9a-f]+\.js", script)
