"""What a build is asked to do and what it did, and whether it has anything to do at all.

Kept apart from the pipeline and light to import, so that a build with nothing
to do answers before Jinja, Markdown and the feed writer are even loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .cache import CACHE_DIR, BuildCache
from .errors import Warning_
from .theme import search_path
from .writer import MANIFEST, MARKER, WriteReport


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path
    output_dir: Path | None = None
    drafts: bool = False
    base_url: str | None = None
    strict: bool = False
    hash_assets: bool = True
    use_cache: bool = True
    search: bool = True
    cache_dir: Path | None = None

    @property
    def output(self) -> Path:
        return self.output_dir if self.output_dir is not None else self.site_dir / "output"

    @property
    def cache(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else self.site_dir / CACHE_DIR


@dataclass
class BuildResult:
    report: WriteReport
    warnings: list[Warning_]
    pages: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    rendered: int = 0


def input_signature(options: BuildOptions) -> str:
    """Every input file's path, size, mtime and inode, with the options: cheap to take,
    and equal only when nothing a build reads has been touched."""
    digest = hashlib.sha256(repr((__version__, options, options.output.resolve())).encode())
    roots = [options.site_dir / "content", options.site_dir / "sitegen.toml"]
    roots += search_path(options.site_dir, "templates") + search_path(options.site_dir, "assets")
    lines: list[str] = []
    for root in roots:
        _stamp_tree(os.fspath(root), lines)
    digest.update("".join(lines).encode())
    return digest.hexdigest()


def _stamp_tree(path: str, lines: list[str]) -> None:
    """One line per file under `path` (or for `path` itself): name, size, mtime, inode.

    os.scandir in sorted order; a file that vanishes meanwhile is left out.
    """
    try:
        entries = sorted(os.scandir(path), key=lambda entry: entry.name)
    except NotADirectoryError:
        with contextlib.suppress(OSError):
            stat = os.stat(path)
            lines.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}\n")
        return
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):  # as os.walk: no symlink loops
                _stamp_tree(entry.path, lines)
                continue
            stat = entry.stat()
        except OSError:
            continue
        lines.append(f"{entry.path}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}\n")


def manifest_digest(output: Path) -> str | None:
    """Which manifest the output holds: the writer replaces it by a rename, so a new one
    has a new inode, and any other change shows in its size or mtime."""
    try:
        stat = (output / MANIFEST).stat()
    except OSError:
        return None
    return f"{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}"


def unchanged_since_last_build(options: BuildOptions, signature: str) -> BuildResult | None:
    """The last build's result when no input changed and its output is as it left it."""
    cache = BuildCache(options.cache, enabled=options.use_cache)
    try:
        last = cache.state("last_build")
    finally:
        cache.close()
    if not isinstance(last, dict) or last.get("signature") != signature:
        return None
    if last.get("manifest") != manifest_digest(options.output):
        return None
    if (options.output / MARKER).exists():  # a build was killed while writing since
        return None
    report = WriteReport(0, last["files"], 0)
    return BuildResult(report, list(last["warnings"]), last["pages"], 0.0, {}, rendered=0)
