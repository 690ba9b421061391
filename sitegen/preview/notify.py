"""Linux inotify through ctypes: a wake-up call when something below the watched folders changes.

It only says *that* something changed; which files did is always decided by a scan, so a lost
or overflowed event can delay a rebuild but never make it wrong. Elsewhere (another OS, no
free watches) `Notifier.open` gives None and the watcher polls instead.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import select
import struct
import sys
from collections.abc import Iterable

_IN_NONBLOCK = 0o4000
_IN_CLOEXEC = 0o2000000
_IN_MODIFY = 0x002
_IN_ATTRIB = 0x004
_IN_CLOSE_WRITE = 0x008
_IN_MOVED_FROM = 0x040
_IN_MOVED_TO = 0x080
_IN_CREATE = 0x100
_IN_DELETE = 0x200
_IN_DELETE_SELF = 0x400
_IN_MOVE_SELF = 0x800
_IN_Q_OVERFLOW = 0x4000
_IN_IGNORED = 0x8000
_MASK = (
    _IN_MODIFY
    | _IN_ATTRIB
    | _IN_CLOSE_WRITE
    | _IN_MOVED_FROM
    | _IN_MOVED_TO
    | _IN_CREATE
    | _IN_DELETE
    | _IN_DELETE_SELF
    | _IN_MOVE_SELF
)
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len; then `len` bytes of name


class Notifier:
    """An inotify instance watching folders (not recursively: each folder is added)."""

    def __init__(self, libc: ctypes.CDLL, fd: int) -> None:
        self._libc = libc
        self._fd = fd
        self._watched: dict[str, int] = {}
        self._filters: dict[int, frozenset[str]] = {}

    @classmethod
    def open(cls) -> Notifier | None:
        """A notifier, or None where inotify is not available."""
        if not sys.platform.startswith("linux"):
            return None
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = libc.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC)
        except (OSError, AttributeError):
            return None
        return cls(libc, fd) if fd >= 0 else None

    def watch(self, folder: str, only: Iterable[str] | None = None) -> bool:
        """Watch one folder; with `only`, events about other names in it are ignored."""
        if folder in self._watched:
            return True
        wd = self._libc.inotify_add_watch(self._fd, os.fsencode(folder), _MASK)
        if wd < 0:
            # ENOENT: gone already, the next scan sees it; ENOSPC: out of watches.
            return ctypes.get_errno() in (errno.ENOENT, errno.ENOTDIR)
        self._watched[folder] = wd
        if only is not None:
            self._filters[wd] = frozenset(only)
        return True

    def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds; True if a relevant change was reported."""
        readable, _, _ = select.select([self._fd], [], [], max(0.0, timeout))
        if not readable:
            return False
        relevant = False
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                return relevant
            relevant |= self._relevant(data)

    def _relevant(self, data: bytes) -> bool:
        found = False
        offset = 0
        while offset + _EVENT.size <= len(data):
            wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
            name = data[offset + _EVENT.size : offset + _EVENT.size + length].rstrip(b"\0")
            offset += _EVENT.size + length
            if mask & _IN_Q_OVERFLOW:
                found = True
            elif mask & _IN_IGNORED:  # the folder is gone; the kernel dropped its watch
                self._watched = {f: w for f, w in self._watched.items() if w != wd}
            elif wd not in self._filters or os.fsdecode(name) in self._filters[wd]:
                found = True
        return found

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)
