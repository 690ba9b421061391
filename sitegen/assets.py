"""Static assets: the site's own over the theme's, CSS and JS named by content hash."""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import SitegenError

HASHED_SUFFIXES = (".css", ".js")
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


@dataclass(frozen=True)
class Asset:
    name: str  # logical name below assets/, e.g. `css/style.css`
    output: str  # path below the output folder, e.g. `assets/css/style.3f2a9c1e.css`
    data: bytes


def collect_asset_files(folders: list[Path]) -> dict[str, Path]:
    """Logical name -> file; a name in an earlier folder hides the same name later."""
    found: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            found.setdefault(path.relative_to(folder).as_posix(), path)
    return dict(sorted(found.items()))


def _hashed(name: str, data: bytes) -> str:
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def build_assets(
    files: dict[str, Path], base_path: str, hash_names: bool = True
) -> dict[str, Asset]:
    """Read and name every asset; CSS `url()` and `@import` point at the final names."""
    raw: dict[str, bytes] = {}
    for name, path in files.items():
        try:
            raw[name] = path.read_bytes()
        except OSError as exc:
            raise SitegenError(f"cannot read asset: {exc.strerror or exc}", path) from None
    result: dict[str, Asset] = {}

    def resolve(name: str, stack: tuple[str, ...] = ()) -> Asset:
        if name in result:
            return result[name]
        data = raw[name]
        if name.endswith(".css"):
            data = _rewrite_css(name, data, base_path, lambda n: resolve(n, (*stack, name)), stack)
        output = _hashed(name, data) if hash_names and name.endswith(HASHED_SUFFIXES) else name
        result[name] = Asset(name, f"assets/{output}", data)
        return result[name]

    for name in raw:
        resolve(name)
    return dict(sorted(result.items()))


def _rewrite_css(name: str, data: bytes, base_path: str, resolve, stack: tuple[str, ...]) -> bytes:
    text = data.decode("utf-8")
    folder = posixpath.dirname(name)

    def replace(match: re.Match[str]) -> str:
        target = match.group(2) or match.group(4)
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|#|//)", target, re.I):
            return match.group(0)
        path, _, tail = target.partition("?")
        if path.startswith("/assets/"):
            logical = path[len("/assets/") :]
        elif path.startswith("/"):
            return match.group(0).replace(target, base_path.rstrip("/") + target)
        else:
            logical = posixpath.normpath(posixpath.join(folder, path))
        if logical.endswith(HASHED_SUFFIXES) and logical not in stack:
            try:
                final = resolve(logical).output
            except KeyError:
                raise SitegenError(
                    f"refers to a missing asset {target!r}", f"assets/{name}", key="url"
                ) from None
        else:
            final = f"assets/{logical}"
        url = f"{base_path}{final}" + (f"?{tail}" if tail else "")
        return f'url("{url}")' if match.group(2) else f'@import "{url}"'

    return _CSS_URL.sub(replace, text).encode("utf-8")
