"""What the preview shows, shared between the thread that builds and the loop that serves."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SitegenError

# What livereload.js refreshes in place, without reloading the page.
LIVE_SUFFIXES = (".css", ".png", ".jpg", ".jpeg", ".gif")
MAX_LIVE_PATHS = 20
# Where the search index lives below the base path (Pagefind's folder).
SEARCH_FOLDER = "pagefind"


@dataclass(frozen=True)
class Published:
    """What the server shows now; replaced whole after every build, never changed in place."""

    root: Path  # the preview folder
    base_path: str  # where it is mounted, as in base_url: `/` or `/archive/`
    errors: tuple[SitegenError, ...] = ()  # the last build's errors; empty when it succeeded
    crash: str = ""  # a traceback when the build failed for a reason that is not the site's
    site_dir: Path = field(default_factory=Path)  # where error paths are relative to
    # The search index, built in the background into a folder of its own, not the build's.
    search_root: Path | None = None
    # Changes whenever open pages are told to reload; a page that connects with an older one
    # missed a reload (it was loading, or the server restarted) and reloads itself.
    generation: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.crash)

    def root_for(self, raw_path: str) -> Path:
        """The folder that serves a request path: the search index's, or the build's."""
        if self.search_root is not None and raw_path.startswith(
            f"{self.base_path}{SEARCH_FOLDER}/"
        ):
            return self.search_root
        return self.root


class Preview:
    """The shared state between the thread that builds and the loop that serves."""

    def __init__(self, published: Published) -> None:
        self._published = published
        self._lock = threading.Lock()  # between the builder and the search indexer

    @property
    def published(self) -> Published:
        return self._published

    def update(self, change: Callable[[Published], Published]) -> Published:
        """Replace the state with `change(current)`; the state it replaced."""
        with self._lock:
            current = self._published
            # One attribute store: a request sees the old state or the new one, never a mixture.
            self._published = change(current)
            return current


def reload_paths(before: Published, after: Published, changed_outputs: set[str]) -> list[str]:
    """What to tell the browsers after a build: nothing, files to refresh in place, or `*`."""
    if before.failed or after.failed:
        same = before.crash == after.crash and [e.format() for e in before.errors] == [
            e.format() for e in after.errors
        ]
        return [] if before.failed and after.failed and same else ["*"]
    if before.base_path != after.base_path:
        return ["*"]
    if not changed_outputs:
        return []
    if len(changed_outputs) <= MAX_LIVE_PATHS and all(
        path.endswith(LIVE_SUFFIXES) for path in changed_outputs
    ):
        return sorted(changed_outputs)
    return ["*"]
