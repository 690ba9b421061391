"""Which file below the preview folder a raw request path names, if any; nothing else is served.

The check works on the path exactly as it arrived, before any decoding by a library, and refuses
anything that could climb out or be read two ways: dot segments in any encoding, encoded
slashes and backslashes, double encoding, invalid UTF-8, control characters and empty segments.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

# %2f and %5c are slashes in disguise; %00 ends a C string; %25 is a second round of encoding.
_SUSPICIOUS_ESCAPES = re.compile(r"%(?:2f|5c|00|25)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The writer's own bookkeeping files are not part of the site.
_PRIVATE_PREFIX = ".sitegen"


@dataclass(frozen=True)
class Target:
    """A request resolved inside the preview folder."""

    file: Path | None  # the file to send; None when the path names a folder without a slash
    redirect: str | None = None  # where to send a folder requested without its trailing slash


def site_segments(raw_path: str, base_path: str) -> list[str] | None:
    """The decoded path segments below `base_path`, or None when the path must get a 404.

    A trailing slash gives a last segment of `""`, meaning "this folder's index".
    """
    if not raw_path.startswith(base_path):
        return None
    rest = raw_path[len(base_path) :]
    if "\\" in rest or _SUSPICIOUS_ESCAPES.search(rest):
        return None
    try:
        decoded = unquote(rest, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return None
    if _CONTROL.search(decoded):
        return None
    segments = decoded.split("/")
    for index, segment in enumerate(segments):
        if segment == "" and index != len(segments) - 1:
            return None  # `//`: an absolute path smuggled in
        if segment in (".", "..") or segment.startswith(_PRIVATE_PREFIX):
            return None
    return segments


def resolve(raw_path: str, base_path: str, root: Path) -> Target | None:
    """The file a raw request path names below `root` (mounted at `base_path`), or None."""
    segments = site_segments(raw_path, base_path)
    if segments is None:
        return None
    real_root = os.path.realpath(root)
    candidate = os.path.realpath(os.path.join(real_root, *segments))
    # A symlink could still lead out; the resolved path must stay inside.
    if candidate != real_root and not candidate.startswith(real_root + os.sep):
        return None
    if os.path.isdir(candidate):
        if segments[-1] != "":
            return Target(None, redirect=raw_path + "/")
        index = os.path.join(candidate, "index.html")
        return Target(Path(index)) if os.path.isfile(index) else None
    if os.path.isfile(candidate) and segments[-1] != "":
        return Target(Path(candidate))
    return None
