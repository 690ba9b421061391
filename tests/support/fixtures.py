"""Pytest fixtures for tests that use real tools; loaded by ``tests/conftest.py``.

``browser`` (session) is Debian's Chromium; ``page`` is a fresh context and page per test, whose
problems ``page_log`` holds; ``nginx_serve`` serves a folder under a URL prefix until the test ends.
"""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from .axe import format_violations, run_axe, severe_violations
from .browser import CHROMIUM, PageLog, launch_chromium, open_page
from .env import in_ci, require, require_executable, require_file
from .nginx import nginx_serving
from .ports import free_port
from .vnu import VnuMessage, check_html

__all__ = [
    "PageLog",
    "VnuMessage",
    "browser",
    "check_html",
    "format_violations",
    "free_port",
    "in_ci",
    "nginx_serve",
    "nginx_serving",
    "page",
    "page_log",
    "require",
    "require_executable",
    "require_file",
    "run_axe",
    "severe_violations",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, launched once for the whole session."""
    require(CHROMIUM.exists(), f"{CHROMIUM} not found: install the Debian package chromium")
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page_log() -> PageLog:
    """The console errors, uncaught exceptions and failed requests of this test's ``page``."""
    return PageLog()


@pytest.fixture
def page(browser: Browser, page_log: PageLog) -> Iterator[Page]:
    """A fresh browser context and page for one test; its problems are recorded in ``page_log``."""
    with open_page(browser, page_log) as (opened, _):
        yield opened


@pytest.fixture
def nginx_serve() -> Iterator[Callable[..., str]]:
    """A function ``serve(root_dir, prefix="/archive/") -> base_url``; servers stop after the test."""
    with ExitStack() as stack:

        def serve(root_dir: Path, prefix: str = "/archive/") -> str:
            return stack.enter_context(nginx_serving(root_dir, prefix))

        yield serve
