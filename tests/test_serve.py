"""`sitegen serve` as a writer uses it: a real server process, headless Chromium, real edits.

Each server runs as a subprocess with its own TMPDIR, is stopped with a signal as Ctrl-C would
stop it, and must exit 0 leaving that TMPDIR empty and no `output/` in the site. The pure parts
(path checks, reload decisions, batching) are tested in-process at the end.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Page, expect
from support.browser import PageLog
from support.ports import free_port
from support.site import build, contents, copy_site

from sitegen import search
from sitegen.errors import ContentError
from sitegen.preview.paths import resolve, site_segments
from sitegen.preview.server import error_page, inject_script
from sitegen.preview.state import Published, reload_paths
from sitegen.preview.watch import Batcher, Watcher, scan
from sitegen.serve import PreviewBuilder, changed_outputs
from sitegen.theme import theme_dir

REPO_ROOT = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT_S = 180  # the first build, on a busy shared machine
STOP_TIMEOUT_S = 60
CHANGE_TIMEOUT_MS = 60_000  # from saving a file to the browser showing it
ARTICLE = "content/articles/early-warning.md"
ARTICLE_PATH = "articles/early-warning/"
SERVING = re.compile(r"Serving the preview of .* at (http://\S+) \(Ctrl-C to stop\)")
LIVERELOAD_CONNECTED = (
    "() => Boolean(window.LiveReload && window.LiveReload.connector"
    " && window.LiveReload.connector.protocol > 0)"
)


def serve_command(site: Path, *args: str) -> list[str]:
    """`sitegen serve` through the CLI, as an editor runs it."""
    return [sys.executable, "-m", "sitegen", "serve", "--site", str(site), *args]


class ServeProcess:
    """A running `sitegen serve`, its output collected line by line as it arrives."""

    def __init__(self, site: Path, tmpdir: Path, *args: str) -> None:
        self.tmpdir = tmpdir
        env = dict(os.environ, TMPDIR=str(tmpdir), PYTHONUNBUFFERED="1")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            serve_command(site, *args),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            env=env,
            cwd=REPO_ROOT,
        )
        self._lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.url = ""

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                self._lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def output(self) -> str:
        with self._changed:
            return "\n".join(self._lines)

    def wait_for(self, pattern: re.Pattern[str] | str, timeout: float) -> re.Match[str]:
        """The first output line matching `pattern`; fails with the output after `timeout`."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self._lines:
                    if found := regex.search(line):
                        return found
                left = deadline - time.monotonic()
                if left <= 0 or (self.process.poll() is not None and not self._reader.is_alive()):
                    pytest.fail(
                        f"no line matching {regex.pattern!r} within {timeout} s; output:\n"
                        + "\n".join(self._lines)
                    )
                self._changed.wait(min(left, 0.5))

    def count(self, pattern: str) -> int:
        with self._changed:
            return sum(1 for line in self._lines if re.search(pattern, line))

    def stop(self, signal_number: int = signal.SIGINT) -> int:
        """Stop as Ctrl-C (or `kill`) would; kill it if it does not stop in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal_number)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=10)
        return self.process.returncode


@contextmanager
def serving(
    site: Path,
    tmp_path: Path,
    *args: str,
    stop_signal: int = signal.SIGINT,
    page: Page | None = None,
) -> Iterator[ServeProcess]:
    """Run `sitegen serve` until the block ends; then assert it stopped cleanly.

    On a failure, the server's output and the page the browser shows are printed for pytest.
    """
    tmpdir = tmp_path / "serve-tmp"
    tmpdir.mkdir(exist_ok=True)
    if "--port" not in args:
        args = (*args, "--port", str(free_port()))
    server = ServeProcess(site, tmpdir, *args)
    try:
        server.url = server.wait_for(SERVING, STARTUP_TIMEOUT_S).group(1)
        yield server
    except BaseException:
        if page is not None:
            try:
                print(f"the browser shows {page.url}:\n{page.inner_text('body')[:2000]}")
            except Exception as exc:  # the failure may be the browser's own
                print(f"the browser's page cannot be read: {exc}")
        server.stop()
        print(f"sitegen serve output:\n{server.output}")
        raise
    status = server.stop(stop_signal)
    assert status == 0, f"exit status {status}; output:\n{server.output}"
    assert "Stopped; removed the preview folder" in server.output
    assert list(tmpdir.iterdir()) == [], "sitegen serve left temporary files behind"
    assert not (site / "output").exists(), "a preview must never be built into output/"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def open_live(page: Page, url: str) -> None:
    """Open a page of the preview and wait until its reload socket is connected."""
    page.goto(url)
    page.wait_for_function(LIVERELOAD_CONNECTED, timeout=30_000)


def with_base_url(site: Path, base_url: str) -> Path:
    config = site / "sitegen.toml"
    text = re.sub(r'(?m)^base_url = ".*"$', f'base_url = "{base_url}"', config.read_text())
    config.write_text(text, encoding="utf-8")
    return site


def raw_get(port: int, target: str, host: str | None = None) -> tuple[int, bytes]:
    """Send a request line exactly as given, with no client-side normalisation."""
    host_header = host or f"127.0.0.1:{port}"
    request = f"GET {target} HTTP/1.1\r\nHost: {host_header}\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request.encode("latin-1"))
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    status_line = response.split(b"\r\n", 1)[0].decode("latin-1")
    return int(status_line.split()[1]), response


# --- a real server and a real browser ----------------------------------------------------


def test_edited_markdown_appears_in_the_open_page_by_itself(tmp_path: Path, page: Page) -> None:
    site = copy_site("basic", tmp_path)
    with serving(site, tmp_path, page=page) as server:
        open_live(page, server.url + ARTICLE_PATH)
        expect(page.locator("h1")).to_contain_text("Dmitry Trenin")
        new_text = "A sentence written while the preview was open."
        edit(site / ARTICLE, "Russia is helping China build an early warning system.", new_text)
        expect(page.locator("article")).to_contain_text(new_text, timeout=CHANGE_TIMEOUT_MS)
        server.wait_for(r"Reloading the page", 30)


def test_a_page_that_missed_a_reload_catches_up_when_it_reconnects(
    tmp_path: Path, page: Page
) -> None:
    site = copy_site("basic", tmp_path)
    with serving(site, tmp_path, page=page) as server:
        open_live(page, server.url + ARTICLE_PATH)
        page.evaluate("() => window.LiveReload.connector.disconnect()")
        page.wait_for_function("() => !window.LiveReload.connector._isSocketConnected()")
        new_text = "A sentence the open page did not hear about."
        edit(site / ARTICLE, "Russia is helping China build an early warning system.", new_text)
        server.wait_for(r"Reloading the page in \d+ browser", 60)
        expect(page.locator("article")).not_to_contain_text(new_text)
        page.evaluate("() => window.LiveReload.connector.connect()")  # as after a lost socket
        expect(page.locator("article")).to_contain_text(new_text, timeout=CHANGE_TIMEOUT_MS)


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("date: 2019-10", "date: 2019-13", 3, "has no month 13"),
        ("type: interview", "type: interview\n  extra: [unclosed", 6, "invalid YAML"),
    ],
    ids=["invalid-date", "broken-yaml"],
)
def test_broken_front_matter_shows_an_error_page_until_fixed(
    tmp_path: Path, page: Page, old: str, new: str, line: int, message: str
) -> None:
    site = copy_site("basic", tmp_path)
    article = site / ARTICLE
    original = article.read_text(encoding="utf-8")
    with serving(site, tmp_path, page=page) as server:
        open_live(page, server.url + ARTICLE_PATH)
        edit(article, old, new)
        errors = page.locator("#sitegen-build-errors")
        expect(errors).to_contain_text(f"{ARTICLE}:{line}", timeout=CHANGE_TIMEOUT_MS)
        expect(errors).to_contain_text(message)
        assert server.process.poll() is None, "a bad edit must not stop the server"
        # Every page shows the errors while they last, not only the broken article.
        assert raw_get(urlsplit(server.url).port or 80, "/")[0] == 500
        page.wait_for_function(LIVERELOAD_CONNECTED, timeout=30_000)
        article.write_text(original, encoding="utf-8")
        expect(page.locator("h1")).to_contain_text("Dmitry Trenin", timeout=CHANGE_TIMEOUT_MS)
        expect(errors).to_have_count(0)


def test_template_edit_shows_and_a_syntax_error_is_survived(tmp_path: Path, page: Page) -> None:
    site = copy_site("basic", tmp_path)
    template = site / "templates" / "article.html"
    template.parent.mkdir()
    shutil.copy(theme_dir("templates") / "article.html", template)
    with serving(site, tmp_path, page=page) as server:
        open_live(page, server.url + ARTICLE_PATH)
        edit(template, "<h1 ", '<p id="preview-note">Edited in the preview</p>\n    <h1 ')
        note = page.locator("#preview-note")
        expect(note).to_have_text("Edited in the preview", timeout=CHANGE_TIMEOUT_MS)

        page.wait_for_function(LIVERELOAD_CONNECTED, timeout=30_000)
        edit(template, "{% endblock %}", "{% endblok %}")
        errors = page.locator("#sitegen-build-errors")
        expect(errors).to_contain_text("article.html", timeout=CHANGE_TIMEOUT_MS)
        expect(errors).to_contain_text(re.compile(r"article\.html:\d+"))

        page.wait_for_function(LIVERELOAD_CONNECTED, timeout=30_000)
        edit(template, "{% endblok %}", "{% endblock %}")
        expect(note).to_have_text("Edited in the preview", timeout=CHANGE_TIMEOUT_MS)
        assert server.process.poll() is None


def test_stylesheet_edit_refreshes_css_without_reloading_the_page(
    tmp_path: Path, page: Page
) -> None:
    site = copy_site("basic", tmp_path)
    stylesheet = site / "assets" / "css" / "style.css"
    stylesheet.parent.mkdir(parents=True)
    shutil.copy(theme_dir("assets") / "css" / "style.css", stylesheet)
    with serving(site, tmp_path, page=page) as server:
        open_live(page, server.url + ARTICLE_PATH)
        page.evaluate("() => { window.previewMarker = 'still the same page'; }")
        with stylesheet.open("a", encoding="utf-8") as css:
            css.write("\nhtml { --preview-test: 42px; }\n")
        page.wait_for_function(
            "() => getComputedStyle(document.documentElement)"
            ".getPropertyValue('--preview-test').trim() === '42px'",
            timeout=CHANGE_TIMEOUT_MS,
        )
        assert page.evaluate("() => window.previewMarker") == "still the same page"
        server.wait_for(r"Reloading assets/css/style\.css in", 30)
        assert server.count(r"Built .* 1 written") >= 1, server.output


def test_pages_and_links_work_under_a_sub_path_base_url(
    tmp_path: Path, page: Page, page_log: PageLog
) -> None:
    site = copy_site("theme", tmp_path)  # base_url = "https://example.org/archive/"
    with serving(site, tmp_path, page=page) as server:
        assert urlsplit(server.url).path == "/archive/"
        origin = server.url.removesuffix("/archive/")
        page.goto(origin + "/")  # the server root leads to the site
        assert urlsplit(page.url).path == "/archive/"
        hrefs = page.eval_on_selector_all("a[href^='/']", "links => links.map(a => a.href)")
        paths = [urlsplit(href).path for href in hrefs]
        assert paths and all(path.startswith("/archive/") for path in paths), paths
        canonical = page.locator("link[rel=canonical]").get_attribute("href") or ""
        assert canonical.startswith(server.url), "absolute links point at the preview server"

        page.locator("main a[href^='/archive/articles/']").first.click()
        page.wait_for_load_state()
        assert re.fullmatch(r"/archive/articles/[^/]+/", urlsplit(page.url).path), page.url
        expect(page.locator("h1")).to_be_visible()
        page.locator("header a[href='/archive/']").first.click()
        page.wait_for_load_state()
        assert urlsplit(page.url).path == "/archive/"
        page_log.assert_clean()  # every stylesheet, script and image found under /archive/


# --- a real server, a raw client ---------------------------------------------------------

TRAVERSALS = [
    "/archive/../../../secret.txt",
    "/archive/../../../../../../../../etc/passwd",
    "/archive/%2e%2e/%2e%2e/%2e%2e/secret.txt",
    "/archive/%2E%2E/%2E%2E/%2E%2E/secret.txt",
    "/archive/.%2e/.%2e/.%2e/secret.txt",
    "/archive/%2e./%2e./%2e./secret.txt",
    "/archive/..%2f..%2f..%2fsecret.txt",
    "/archive/..%2F..%2F..%2Fsecret.txt",
    "/archive/%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt",
    "/archive/..%5c..%5c..%5csecret.txt",
    "/archive/..\\..\\..\\secret.txt",
    "/archive/%252e%252e/%252e%252e/%252e%252e/secret.txt",
    "/archive/%c0%ae%c0%ae/%c0%ae%c0%ae/%c0%ae%c0%ae/secret.txt",
    "/archive/articles/../../../../secret.txt",
    "/archive/articles/%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret.txt",
    "/archive/%00/../../../secret.txt",
    "/archive/%2fetc%2fpasswd",
    "/archive//etc/passwd",
    "/archive/./index.html",
    "/archive/.sitegen-manifest",
    "//etc/passwd",
    "/etc/passwd",
    "/../../../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
]


def test_traversal_in_any_encoding_gets_404(tmp_path: Path) -> None:
    site = copy_site("theme", tmp_path)
    # Three levels above the preview folder: TMPDIR/sitegen-serve-*/site.
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET\n", encoding="utf-8")
    with serving(site, tmp_path) as server:
        port = urlsplit(server.url).port
        assert port is not None
        assert raw_get(port, "/archive/")[0] == 200
        assert raw_get(port, "/archive/articles/early-warning/")[0] == 200
        targets = [
            *TRAVERSALS,
            "/archive/" + quote(str(secret), safe=""),
            "/archive" + str(secret),
            f"http://127.0.0.1:{port}/archive/../../../secret.txt",
        ]
        for target in targets:
            status, response = raw_get(port, target)
            assert status == 404, f"{target}: {status}"
            assert b"TOP-SECRET" not in response and b"root:" not in response, target
        not_found = raw_get(port, "/archive/no-such-page/")[1].split(b"\r\n\r\n", 1)[1]
        for folder in ("/archive/assets/", "/archive/assets/css/", "/archive/articles/"):
            status, response = raw_get(port, folder)
            assert status == 404, f"{folder} must not list its files: {status}"
            assert response.split(b"\r\n\r\n", 1)[1] == not_found, "the site's 404 page"
        # A page elsewhere cannot reach the preview through a name of its own (DNS rebinding).
        assert raw_get(port, "/archive/", host=f"attacker.example:{port}")[0] == 400


def test_busy_port_is_reported_and_the_next_free_one_used(tmp_path: Path) -> None:
    site = copy_site("basic", tmp_path)
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        busy = blocker.getsockname()[1]
        with serving(site, tmp_path, "--port", str(busy), stop_signal=signal.SIGTERM) as server:
            server.wait_for(rf"Port {busy} is already in use on 127\.0\.0\.1", 5)
            port = urlsplit(server.url).port
            assert port is not None and port > busy
            assert raw_get(port, "/")[0] == 200


def test_the_console_tells_when_the_search_index_is_up_to_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = copy_site("basic", tmp_path)
    indexed = r"^Search index updated \(\d+\.\d s\)\.$"
    with serving(site, tmp_path) as server:
        port = urlsplit(server.url).port or 80
        server.wait_for(indexed, 120)
        status, response = raw_get(port, "/pagefind/pagefind.js")
        assert status == 200 and b"pagefind" in response
        edit(site / ARTICLE, "Russia is helping China build an early warning system.", "Edited.")
        server.wait_for(r"Reloading ", 60)
        deadline = time.monotonic() + 120
        while server.count(indexed) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert server.count(indexed) == 2, server.output  # the edit was indexed, once
        # The index served now, which started from the first one's fragments (see
        # search._seeds), is the one a build of the edited site makes from scratch.
        monkeypatch.setattr(search, "_memo", {})
        fresh = tmp_path / "fresh"
        build(site, fresh, use_cache=False)
        index = [p for p in (fresh / "pagefind").rglob("*") if p.is_file()]
        assert len(index) > 10
        for file in index:
            status, response = raw_get(port, "/" + file.relative_to(fresh).as_posix())
            assert status == 200, file
            assert response.split(b"\r\n\r\n", 1)[1] == file.read_bytes(), file


def test_a_broken_config_is_survived_and_a_new_base_path_followed(tmp_path: Path) -> None:
    site = copy_site("theme", tmp_path)
    config = site / "sitegen.toml"
    with serving(site, tmp_path) as server:
        port = urlsplit(server.url).port or 80
        assert raw_get(port, "/archive/")[0] == 200
        config.write_text("per_pag = 3\n" + config.read_text(), encoding="utf-8")
        server.wait_for(r"error: .*sitegen\.toml:\d+: per_pag: unknown setting", 60)
        status, response = raw_get(port, "/archive/")
        assert status == 500 and b"per_pag" in response and b"did you mean per_page?" in response
        config.write_text(config.read_text().removeprefix("per_pag = 3\n"), encoding="utf-8")
        with_base_url(site, "https://example.org/reports/")
        server.wait_for(r"the preview is now at http://127\.0\.0\.1:\d+/reports/", 60)
        assert raw_get(port, "/reports/")[0] == 200
        assert raw_get(port, "/archive/")[0] == 404


# --- the parts that need no server -------------------------------------------------------


@pytest.mark.parametrize("spelled", ["absolute", "dot"])
def test_preview_rebuilds_give_the_bytes_of_a_clean_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelled: str
) -> None:
    # Each rebuild takes the watcher's stats of the sources, as the server's do; the site
    # folder given as `.` must find them as surely as an absolute one.
    site = copy_site("basic", tmp_path)
    if spelled == "dot":
        monkeypatch.chdir(site)
    where = site if spelled == "absolute" else Path(".")
    origin = "http://127.0.0.1:8000"
    preview = PreviewBuilder(where, tmp_path / "preview", tmp_path / "cache", False, origin)

    def rebuild() -> None:
        stats: dict[str, os.stat_result] = {}
        scan(where, stats=stats)
        outcome = preview.build(stamps=stats)
        assert not outcome.failed
        assert outcome.result is not None and outcome.result.pages > 30

    rebuild()
    edit(site / ARTICLE, "Russia is helping China", "Russia is still helping China")
    rebuild()
    (site / "templates").mkdir()
    shutil.copy(theme_dir("templates") / "article.html", site / "templates" / "article.html")
    edit(site / "templates" / "article.html", "<h1 ", '<p class="note">Note</p>\n    <h1 ')
    rebuild()
    (site / "assets" / "css").mkdir(parents=True)
    stylesheet = site / "assets" / "css" / "style.css"
    shutil.copy(theme_dir("assets") / "css" / "style.css", stylesheet)
    stylesheet.write_text(stylesheet.read_text() + "\nhtml { color: red; }\n")
    rebuild()
    new = site / "content" / "articles" / "stability-again.md"
    shutil.copy(site / "content" / "articles" / "strategic-stability.md", new)
    edit(new, "title: Why “Strategic Stability” Still Matters", "title: Stability, Again")
    rebuild()
    (site / "content" / "articles" / "unfinished.md").unlink()
    rebuild()

    clean = PreviewBuilder(site, tmp_path / "clean", tmp_path / "clean-cache", False, origin)
    assert not clean.build().failed

    def site_files(folder: Path) -> dict[str, str]:
        return {k: v for k, v in contents(folder).items() if ".sitegen" not in k}

    assert site_files(tmp_path / "preview") == site_files(tmp_path / "clean")
    assert not (site / "output").exists()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/archive/", [""]),
        ("/archive/articles/x/", ["articles", "x", ""]),
        ("/archive/assets/css/style.css", ["assets", "css", "style.css"]),
        ("/archive/caf%C3%A9/", ["café", ""]),
        ("/archive", None),
        ("/other/", None),
        ("/archive/../x", None),
        ("/archive/%2e%2e/x", None),
        ("/archive/a%2fb", None),
        ("/archive/a%5Cb", None),
        ("/archive/%252e%252e/", None),
        ("/archive/%ff/", None),
        ("/archive/a%0ab", None),
        ("/archive//etc", None),
        ("/archive/.sitegen-manifest", None),
    ],
)
def test_site_segments(raw: str, expected: list[str] | None) -> None:
    assert site_segments(raw, "/archive/") == expected


def test_resolve_stays_inside_the_root_even_through_a_symlink(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "folder").mkdir(parents=True)
    (root / "folder" / "index.html").write_text("<p>in</p>")
    (tmp_path / "outside.txt").write_text("out")
    (root / "link.txt").symlink_to(tmp_path / "outside.txt")
    assert resolve("/folder/", "/", root).file == root / "folder" / "index.html"  # type: ignore[union-attr]
    assert resolve("/folder", "/", root).redirect == "/folder/"  # type: ignore[union-attr]
    assert resolve("/link.txt", "/", root) is None
    assert resolve("/", "/", root) is None  # no index.html, and no listing


def test_the_search_index_is_served_from_its_own_folder(tmp_path: Path) -> None:
    published = Published(tmp_path / "site", "/archive/", search_root=tmp_path / "search-3")
    assert published.root_for("/archive/pagefind/pagefind.js") == tmp_path / "search-3"
    assert published.root_for("/archive/articles/x/") == tmp_path / "site"
    assert published.root_for("/pagefind/pagefind.js") == tmp_path / "site"
    assert Published(tmp_path, "/").root_for("/pagefind/x.js") == tmp_path


def test_reload_paths() -> None:
    ok = Published(Path("out"), "/")
    failed = Published(Path("out"), "/", errors=(ContentError("bad", "a.md", 3),))
    assert reload_paths(ok, ok, {"assets/css/style.css"}) == ["assets/css/style.css"]
    assert reload_paths(ok, ok, {"assets/css/style.css", "index.html"}) == ["*"]
    assert reload_paths(ok, ok, set()) == []
    assert reload_paths(ok, failed, set()) == ["*"]
    assert reload_paths(failed, failed, set()) == []
    assert reload_paths(failed, ok, set()) == ["*"]


def test_the_outputs_to_reload_are_those_added_changed_or_deleted() -> None:
    before = {"index.html": "a", "about/index.html": "b", "old/index.html": "c"}
    after = {"index.html": "a", "about/index.html": "B", "new/index.html": "d"}
    assert changed_outputs(before, after) == {
        "about/index.html",
        "old/index.html",
        "new/index.html",
    }
    assert changed_outputs(after, dict(after)) == set()


def test_error_page_names_file_line_and_message(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: x\ndate: 2019-13\n---\n", encoding="utf-8")
    error = ContentError("'2019-13' has no month 13", "a.md", 3, "date", "use YYYY-MM")
    page = error_page(Published(tmp_path, "/", errors=(error,), site_dir=tmp_path)).decode()
    assert "a.md:3" in page and "has no month 13" in page and "use YYYY-MM" in page
    assert '<span class="here"><span class="n">3</span>date: 2019-13</span>' in page


def test_inject_script() -> None:
    script = b"<script></script>"
    assert inject_script(b"<head></HEAD><body></body>", script) == (
        b"<head><script></script></HEAD><body></body>"
    )
    assert inject_script(b"<p>x</p></body>", script) == b"<p>x</p><script></script></body>"
    assert inject_script(b"<p>x</p>", script) == b"<p>x</p><script></script>"


def test_the_watcher_follows_links_to_folders_but_not_round_a_loop(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content" / "articles").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "kept.md").write_text("---\ntitle: Kept\n---\n")
    (elsewhere / "loop").symlink_to(elsewhere, target_is_directory=True)
    (site / "content" / "articles" / "linked").symlink_to(elsewhere, target_is_directory=True)
    stats: dict[str, os.stat_result] = {}
    assert set(scan(site, stats=stats)) == {"content/articles/linked/kept.md"}
    assert list(stats) == [os.fspath(site / "content/articles/linked/kept.md")]


def test_batcher_waits_for_quiet_and_caps_the_wait() -> None:
    batcher = Batcher(quiet=0.2, longest=1.0)
    batcher.add({"a"}, now=0.0)
    batcher.add({"b"}, now=0.15)
    assert batcher.take(now=0.3) is None
    assert batcher.take(now=0.36) == {"a", "b"}
    assert batcher.take(now=5.0) is None
    for step in range(12):  # a never-ending stream still gets a build after `longest`
        batcher.add({f"f{step}"}, now=10.0 + step * 0.1)
        if (batch := batcher.take(now=10.0 + step * 0.1)) is not None:
            assert step >= 10 and len(batch) == step + 1
            break
    else:
        pytest.fail("the batch never came")


@pytest.mark.parametrize("use_inotify", [True, False], ids=["inotify", "polling"])
def test_a_burst_of_500_files_is_one_rebuild(tmp_path: Path, use_inotify: bool) -> None:
    site = tmp_path / "site"
    (site / "content" / "articles").mkdir(parents=True)
    batches: list[set[str]] = []
    done = threading.Event()

    def on_batch(paths: set[str]) -> None:
        batches.append(paths)
        done.set()

    watcher = Watcher(
        site, on_batch, interval=0.05, quiet=1.0, longest=30.0, use_inotify=use_inotify
    )
    watcher.start()
    time.sleep(0.5)  # watching
    try:
        for number in range(500):
            (site / "content" / "articles" / f"a{number}.md").write_text("x", encoding="utf-8")
        assert done.wait(30)
        time.sleep(1.5)  # a second batch would have come by now
    finally:
        watcher.stop()
        watcher.join(10)
    assert len(batches) == 1 and len(batches[0]) == 500
    assert (watcher.notifier is not None) == (use_inotify and sys.platform == "linux")
