"""Proof that the real-tool harness works: vnu, axe-core in Chromium, and nginx."""

import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page
from support.axe import format_violations, run_axe, severe_violations
from support.browser import PageLog
from support.vnu import VnuMessage, check_html

VALID_HTML = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Valid</title></head>
<body><main><h1>Valid</h1><p>A small, valid document.</p></main></body>
</html>
"""
INVALID_HTML = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Invalid</title></head>
<body><p><div>Block inside a paragraph</p><img src="photo.png"></body>
</html>
"""
CLEAN_PAGE = VALID_HTML.replace(
    "<p>A small", '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="A dot"><p>A small'
)
IMAGE_WITHOUT_ALT_PAGE = CLEAN_PAGE.replace(' alt="A dot"', "")


@pytest.fixture(scope="module")
def vnu_results(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, list[VnuMessage], list[VnuMessage]]:
    """Both documents checked in one JVM, as the site checks will do."""
    folder = tmp_path_factory.mktemp("vnu")
    valid, invalid = folder / "valid.html", folder / "in valid.html"
    valid.write_text(VALID_HTML, encoding="utf-8")
    invalid.write_text(INVALID_HTML, encoding="utf-8")
    errors, warnings = check_html([valid, invalid])
    return valid, invalid, errors, warnings


def test_vnu_accepts_valid_html5(vnu_results: tuple[Path, Path, list, list]) -> None:
    valid, _, errors, warnings = vnu_results
    assert [str(m) for m in errors + warnings if m.path == valid] == []


def test_vnu_reports_errors_with_file_and_line(vnu_results: tuple[Path, Path, list, list]) -> None:
    _, invalid, errors, _ = vnu_results
    ours = [m for m in errors if m.path == invalid]
    assert ours, errors
    assert all(m.line == 4 for m in ours), [str(m) for m in ours]
    assert any("alt" in m.message for m in ours)


def test_vnu_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        check_html([tmp_path / "missing.html"])


def _open(page: Page, folder: Path, html: str) -> None:
    document = folder / "page.html"
    document.write_text(html, encoding="utf-8")
    page.goto(document.as_uri())


def test_axe_finds_no_violations_on_a_clean_page(
    page: Page, page_log: PageLog, tmp_path: Path
) -> None:
    _open(page, tmp_path, CLEAN_PAGE)
    violations = run_axe(page)
    assert violations == [], format_violations(violations)
    page_log.assert_clean()


def test_axe_flags_an_image_without_alt(page: Page, tmp_path: Path) -> None:
    _open(page, tmp_path, IMAGE_WITHOUT_ALT_PAGE)
    severe = severe_violations(run_axe(page))
    assert [violation["id"] for violation in severe] == ["image-alt"]


def test_page_log_records_console_errors_and_exceptions(
    page: Page, page_log: PageLog, tmp_path: Path
) -> None:
    script = "<script>console.error('boom'); undefinedFunction();</script>"
    _open(page, tmp_path, VALID_HTML.replace("</body>", script + "</body>"))
    assert any("boom" in text for text in page_log.console_errors)
    assert any("undefinedFunction" in text for text in page_log.page_errors)
    with pytest.raises(AssertionError):
        page_log.assert_clean()


@pytest.fixture
def built_site(tmp_path: Path) -> Path:
    """A tiny stand-in for the generator's output folder."""
    site = tmp_path / "output"
    (site / "posts" / "first").mkdir(parents=True)
    (site / "index.html").write_text(CLEAN_PAGE, encoding="utf-8")
    (site / "posts" / "first" / "index.html").write_text(VALID_HTML, encoding="utf-8")
    (site / "404.html").write_text("<!doctype html><title>Not found</title><p>Custom 404</p>")
    return site


def _get(url: str) -> tuple[int, str, str]:
    """Return status, Content-Type and body of a GET, without raising on HTTP errors."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def test_nginx_serves_files_and_folders_under_the_prefix(
    nginx_serve: Callable[..., str], built_site: Path
) -> None:
    base = nginx_serve(built_site)
    assert base.endswith("/archive/")
    status, content_type, body = _get(base + "posts/first/")
    assert status == 200
    assert content_type == "text/html; charset=utf-8"
    assert "A small, valid document." in body
    # A folder without its trailing slash is redirected, then served.
    assert _get(base + "posts/first")[0] == 200
    assert _get(base.rstrip("/"))[0] == 200


def test_nginx_serves_the_custom_404_page(
    nginx_serve: Callable[..., str], built_site: Path
) -> None:
    status, _, body = _get(nginx_serve(built_site) + "no/such/page/")
    assert status == 404
    assert "Custom 404" in body


def test_browser_loads_a_page_from_nginx(
    nginx_serve: Callable[..., str], built_site: Path, page: Page, page_log: PageLog
) -> None:
    response = page.goto(nginx_serve(built_site))
    assert response is not None and response.status == 200
    assert page.title() == "Valid"
    page_log.assert_clean()
