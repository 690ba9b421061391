"""Building fixture sites and reading what they produce, as a reader would."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import lxml.html

from sitegen.build import BuildOptions, BuildResult, build_site
from sitegen.writer import MANIFEST, load_manifest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SITES = FIXTURES / "sites"


def copy_site(name: str, destination: Path) -> Path:
    """A private copy of a fixture site, so a test may edit it."""
    target = destination / name
    shutil.copytree(SITES / name, target)
    return target


def build(site: Path, output: Path, **options) -> BuildResult:
    """Build in-process, with the cache beside the output so fixtures stay clean."""
    options.setdefault("cache_dir", output.parent / f".{output.name}-cache")
    return build_site(BuildOptions(site_dir=site, output_dir=output, **options))


def html(output: Path, path: str) -> lxml.html.HtmlElement:
    """The parsed page at a site path such as `articles/x/` or `404.html`."""
    file = output / path
    if path.endswith("/") or path == "":
        file = file / "index.html"
    return lxml.html.fromstring(file.read_bytes())


def text_of(element) -> str:
    """Visible text of an element with whitespace collapsed."""
    return " ".join(element.text_content().split())


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Path -> (sha256, mtime_ns) of every file below a folder."""
    result = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            result[path.relative_to(folder).as_posix()] = (
                hashlib.sha256(data).hexdigest(),
                path.stat().st_mtime_ns,
            )
    return result


def contents(folder: Path) -> dict[str, str]:
    """Path -> sha256 of every file below a folder, ignoring times. The writer's manifest
    counts by the files it lists with their hashes: a patching build appends the lines a
    full build sorts, and its fingerprints may name the same inputs otherwise (a patched
    article's front matter by the file it was read from; see Fingerprints.card)."""
    found = {path: digest for path, (digest, _) in snapshot(folder).items()}
    if MANIFEST in found:
        files = sorted(load_manifest(folder).hashes().items())
        found[MANIFEST] = hashlib.sha256(repr(files).encode()).hexdigest()
    return found
