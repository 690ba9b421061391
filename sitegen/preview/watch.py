"""Watching the site's sources, and batching a burst of changes into one rebuild.

Which files changed is always decided by comparing two scans (mtime, ctime, size and inode of
every watched file), so an edit is seen even when a tool keeps the mtime. On Linux, inotify
says when to look, so an idle server costs nothing; elsewhere, or without free watches, the
watcher polls, less often the longer a scan takes.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from ..config import CONFIG_NAME
from .notify import Notifier

WATCHED_FOLDERS = ("content", "templates", "assets")
WATCHED_FILES = (CONFIG_NAME,)

Stamp = tuple[int, int, int, int]
Snapshot = dict[str, Stamp]

# Editor droppings: swap files, backups, lock files, vim's write test.
_IGNORED_SUFFIXES = (".swp", ".swo", ".swx", "~", ".tmp", ".part", ".crdownload")
_IGNORED_PREFIXES = (".#", ".~lock.")
_IGNORED_NAMES = frozenset({"4913", ".DS_Store", "Thumbs.db"})


def ignored(name: str) -> bool:
    """True for files that editors and tools write beside the real ones."""
    return (
        name in _IGNORED_NAMES
        or name.endswith(_IGNORED_SUFFIXES)
        or name.startswith(_IGNORED_PREFIXES)
    )


def _stamp(stat: os.stat_result) -> Stamp:
    return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)


def _scan_folder(
    folder: str,
    prefix: str,
    found: Snapshot,
    folders: list[str] | None = None,
    stats: dict[str, os.stat_result] | None = None,
    above: frozenset[tuple[int, int]] = frozenset(),
) -> None:
    try:
        here = os.stat(folder)
        entries = list(os.scandir(folder))
    except OSError:
        return  # gone or unreadable since we listed its parent; the next scan sees it
    if folders is not None:
        folders.append(folder)
    # Links to folders are followed, as the build follows them, but never back up the tree.
    above = above | {(here.st_dev, here.st_ino)}
    for entry in entries:
        if entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
            continue  # .git, .cache and the like
        relative = f"{prefix}/{entry.name}" if prefix else entry.name
        try:
            if entry.is_dir():
                target = entry.stat()
                if (target.st_dev, target.st_ino) not in above:
                    _scan_folder(entry.path, relative, found, folders, stats, above)
            elif not ignored(entry.name):
                stat = entry.stat()
                found[relative] = _stamp(stat)
                if stats is not None:
                    stats[entry.path] = stat
        except OSError:
            continue


def scan(
    site_dir: Path,
    folders: list[str] | None = None,
    stats: dict[str, os.stat_result] | None = None,
) -> Snapshot:
    """Site-relative path -> stamp of every watched file that exists now.

    Every folder scanned is appended to `folders`, when given; `stats` receives each
    file's stat by its path as a build spells it (`site_dir / "content" / ...`).
    """
    found: Snapshot = {}
    for name in WATCHED_FOLDERS:
        folder = os.fspath(Path(site_dir) / name)
        if os.path.isdir(folder):
            _scan_folder(folder, name, found, folders, stats)
    for name in WATCHED_FILES:
        with contextlib.suppress(OSError):
            found[name] = _stamp(os.stat(os.path.join(site_dir, name)))
    return found


def changed_paths(before: Snapshot, after: Snapshot) -> set[str]:
    """Paths added, removed or modified between two snapshots."""
    changed = {path for path, stamp in after.items() if before.get(path) != stamp}
    changed.update(path for path in before if path not in after)
    return changed


class Batcher:
    """Gathers changes until the sources have been quiet for a while, then hands them over once.

    `quiet` is how long no new change must be seen; `longest` caps the wait, so that a
    never-ending stream of writes still gets a build now and then. A change whose paths are
    not known yet (an inotify wake-up) is `touch`ed; the owner scans when the batch is due.
    """

    def __init__(self, quiet: float, longest: float) -> None:
        self.quiet = quiet
        self.longest = longest
        self._pending: set[str] = set()
        self._active = False
        self._first = 0.0
        self._last = 0.0

    def touch(self, now: float) -> None:
        if not self._active:
            self._active, self._first = True, now
        self._last = now

    def add(self, paths: Iterable[str], now: float) -> None:
        paths = set(paths)
        if paths:
            self.touch(now)
            self._pending |= paths

    def due_in(self, now: float) -> float | None:
        """Seconds until the batch is due; None when nothing is pending."""
        if not self._active:
            return None
        return max(0.0, min(self.quiet - (now - self._last), self.longest - (now - self._first)))

    def take(self, now: float) -> set[str] | None:
        """The batch, when it is complete; None while changes may still be arriving."""
        if not self._active:
            return None
        if now - self._last < self.quiet and now - self._first < self.longest:
            return None
        batch, self._pending, self._active = self._pending, set(), False
        return batch


class Watcher(threading.Thread):
    """Watches the sources and calls `on_batch(paths)` in this thread, one batch at a time.

    Changes made while `on_batch` runs are seen afterwards (the kernel keeps the events, and
    the next scan compares with the one before the build), so a rebuild never misses an edit
    and two never run at once.
    """

    def __init__(
        self,
        site_dir: Path,
        on_batch: Callable[[set[str]], None],
        *,
        interval: float = 0.1,
        quiet: float = 0.1,
        longest: float = 5.0,
        snapshot: Snapshot | None = None,
        use_inotify: bool = True,
    ) -> None:
        super().__init__(name="sitegen-watch", daemon=True)
        self.site_dir = site_dir
        self.on_batch = on_batch
        self.interval = interval  # between polls, at least
        self.batcher = Batcher(quiet, longest)
        self.snapshot = snapshot if snapshot is not None else scan(site_dir)
        # The stat of each file at the last scan, for the build that follows it (which
        # then neither lists nor stats the sources again); None before the first.
        self.stats: dict[str, os.stat_result] | None = None
        self.use_inotify = use_inotify
        self.notifier: Notifier | None = None
        self.stopping = threading.Event()
        self.busy = threading.Event()  # set while `on_batch` runs
        self.failure: BaseException | None = None
        self._scan_seconds = 0.0

    def stop(self) -> None:
        """Ask the thread to stop after the rebuild it may be running."""
        self.stopping.set()

    def _rescan(self) -> set[str]:
        folders: list[str] = []
        stats: dict[str, os.stat_result] = {}
        started = time.monotonic()
        current = scan(self.site_dir, folders, stats)
        self.stats = stats
        self._scan_seconds = time.monotonic() - started
        changed = changed_paths(self.snapshot, current)
        self.snapshot = current
        if self.notifier is not None and not self._watch(folders):
            self.notifier.close()
            self.notifier = None  # out of inotify watches: poll from now on
        return changed

    def _watch(self, folders: list[str]) -> bool:
        assert self.notifier is not None
        # The site folder itself, for sitegen.toml and for watched folders made or removed.
        names = (*WATCHED_FOLDERS, *WATCHED_FILES)
        if not self.notifier.watch(os.fspath(self.site_dir), only=names):
            return False
        return all(self.notifier.watch(folder) for folder in folders)

    def run(self) -> None:
        try:
            if self.use_inotify:
                self.notifier = Notifier.open()
                # Sets up the watches; changes since the snapshot was taken count too.
                self.batcher.add(self._rescan(), time.monotonic())
            # Even with inotify, a slow full scan now and then catches what it cannot see
            # (network file systems); its share of the time stays small.
            next_full_scan = time.monotonic()
            while not self.stopping.is_set():
                now = time.monotonic()
                due = self.batcher.due_in(now)
                if self.notifier is None:
                    pause = max(self.interval, 5 * self._scan_seconds)
                    if self.stopping.wait(pause if due is None else min(pause, due)):
                        break
                    self.batcher.add(self._rescan(), time.monotonic())
                else:
                    if self.notifier.wait(min(0.5, 0.5 if due is None else due)):
                        self.batcher.touch(time.monotonic())
                    elif time.monotonic() >= next_full_scan:
                        self.batcher.add(self._rescan(), time.monotonic())
                        next_full_scan = time.monotonic() + max(2.0, 50 * self._scan_seconds)
                batch = self.batcher.take(time.monotonic())
                if batch is None:
                    continue
                if self.notifier is not None:
                    batch |= self._rescan()
                if batch:
                    self.busy.set()
                    try:
                        self.on_batch(batch)
                    finally:
                        self.busy.clear()
        except BaseException as exc:  # reported by the owner; a dead watcher must not be silent
            self.failure = exc
            raise
        finally:
            if self.notifier is not None:
                self.notifier.close()
