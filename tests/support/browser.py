"""Debian's Chromium driven by Playwright (sync API), with a log of what went wrong on a page.

Playwright's own browser downloads are never used (``playwright install`` cannot work here): the
browser is ``/usr/bin/chromium`` from the Debian package ``chromium``.
"""

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Request, Response
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling Google's hosts, which this
# machine's closed network refuses; --no-sandbox because tests run as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 30_000
LAUNCH_TIMEOUT_MS = 60_000


@dataclass
class PageLog:
    """What went wrong while a page was open; every list is empty on a healthy page."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    error_responses: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Return every recorded problem, one readable line each."""
        return [
            *(f"console error: {text}" for text in self.console_errors),
            *(f"uncaught exception: {text}" for text in self.page_errors),
            *(f"request failed: {text}" for text in self.failed_requests),
            *(f"HTTP error: {text}" for text in self.error_responses),
        ]

    def assert_clean(self) -> None:
        """Fail with the list of problems unless none were recorded."""
        problems = self.problems()
        assert not problems, "page problems:\n" + "\n".join(problems)

    def attach(self, page: Page) -> None:
        """Start recording console errors, uncaught exceptions and failed requests of ``page``."""
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            # Chromium probes the host's /favicon.ico by itself; that path is outside the site.
            if urlsplit(where).path == "/favicon.ico":
                return
            self.console_errors.append(f"{message.text} ({where})" if where else message.text)

    def _on_request_failed(self, request: Request) -> None:
        self.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.error_responses.append(f"{response.status} {response.url}")


def launch_chromium(playwright: Playwright) -> Browser:
    """Launch Debian's headless Chromium with the flags this machine needs."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        timeout=LAUNCH_TIMEOUT_MS,
    )


@contextmanager
def open_page(
    browser: Browser, log: PageLog | None = None, **context_options: Any
) -> Iterator[tuple[Page, PageLog]]:
    """Open a fresh context and page whose problems go to ``log`` (or a new one); close after.

    ``context_options`` go to ``Browser.new_context`` (``viewport``, ``java_script_enabled``...).
    """
    context = browser.new_context(**context_options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    try:
        page = context.new_page()
        log = log if log is not None else PageLog()
        log.attach(page)
        yield page, log
    finally:
        # If the browser is already gone, the test has failed for that reason; don't hide it.
        with suppress(PlaywrightError):
            context.close()
