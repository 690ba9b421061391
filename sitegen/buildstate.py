"""What a build is asked to do and what it did, and whether it has anything to do at all.

Kept apart from the pipeline and light to import, so that a build with nothing
to do answers before Jinja, Markdown and the feed writer are even loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
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

    def canonical(self) -> BuildOptions:
        """These options with absolute folders, as the last build's state is keyed: a build
        in the site's folder and one with `--site` from elsewhere build the same site."""
        return replace(
            self,
            site_dir=self.site_dir.resolve(),
            output_dir=self.output.resolve(),
            cache_dir=self.cache.resolve(),
        )


@dataclass
class BuildResult:
    report: WriteReport
    warnings: list[Warning_]
    pages: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    rendered: int = 0
    patched: int = 0  # files edited, added or deleted, patched into the last library; 0: full


@dataclass(frozen=True)
class InputSignature:
    """Every input file's size, mtime and inode, with the options: cheap to take, and
    equal only when nothing a build reads has been touched."""

    digest: str
    files: Mapping[str, os.stat_result]  # every input file, by path below site_dir as given


def input_signature(options: BuildOptions) -> InputSignature:
    digest = hashlib.sha256(repr((__version__, options.canonical())).encode())
    roots = [options.site_dir / "content", options.site_dir / "sitegen.toml"]
    roots += search_path(options.site_dir, "templates") + search_path(options.site_dir, "assets")
    files: dict[str, os.stat_result] = {}
    for root in roots:
        _stamp_tree(os.fspath(root), files)
    # Paths below the site as the site spells them, in the digest relative to it.
    site = "" if options.site_dir == Path(".") else os.path.join(options.site_dir, "")
    digest.update(
        "".join(
            f"{path.removeprefix(site)}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\n"
            for path, st in files.items()
        ).encode()
    )
    return InputSignature(digest.hexdigest(), files)


def _stamp_tree(
    path: str, files: dict[str, os.stat_result], above: frozenset[tuple[int, int]] = frozenset()
) -> None:
    """Each file under `path` (or `path` itself) with its stat.

    os.scandir in sorted order; a file that vanishes meanwhile is left out. Links to
    folders are followed, as the build reads through them (`content/articles` may be
    one), except back to a folder `path` is already inside of.
    """
    try:
        folder = os.stat(path)
        entries = sorted(os.scandir(path), key=lambda entry: entry.name)
    except NotADirectoryError:
        with contextlib.suppress(OSError):
            files[path] = os.stat(path)
        return
    except OSError:
        return
    above = above | {(folder.st_dev, folder.st_ino)}
    for entry in entries:
        try:
            if entry.is_dir():
                target = entry.stat()
                if (target.st_dev, target.st_ino) not in above:
                    _stamp_tree(entry.path, files, above)
                continue
            files[entry.path] = entry.stat()
        except OSError:
            continue


def manifest_digest(output: Path) -> str | None:
    """Which manifest the output holds: the writer replaces it by a rename, so a new one
    has a new inode, and lines appended to it show in its size and mtime."""
    try:
        stat = (output / MANIFEST).stat()
    except OSError:
        return None
    return f"{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}"


def unchanged_since_last_build(
    options: BuildOptions, signature: InputSignature
) -> BuildResult | None:
    """The last build's result when no input changed and its output is as it left it."""
    cache = BuildCache(options.cache, enabled=options.use_cache)
    try:
        last = cache.state("last_build")
    finally:
        cache.close()
    if not isinstance(last, dict) or last.get("signature") != signature.digest:
        return None
    if last.get("manifest") != manifest_digest(options.output):
        return None
    if (options.output / MARKER).exists():  # a build was killed while writing since
        return None
    report = WriteReport(0, last["files"], 0)
    return BuildResult(report, list(last["warnings"]), last["pages"], 0.0, {}, rendered=0)
