"""Search: a Pagefind index of article and author pages, built before anything is written.

The pages go to a temporary folder, which one run of Pagefind's command (the binary of the
`pagefind[bin]` package) indexes into a second one; the index is read back from there, so
that the build's writer alone puts it into the output. Pagefind writes the same bytes for
the same pages, except for its filter files, which are put in a stable order here
(`stable_filters`); `tests/test_search.py` proves it.

Result URLs in the index are relative to the site's root (`/articles/x/`); the search page
gives Pagefind the site's base path, which it puts in front of them.

Pagefind cannot update an index: it indexes every page it is given, about 3.4 ms of one core
a page here, so one corrected article cost a 10,000-article archive 40 s or more. The pages
are therefore split by a hash of their path into parts of `PART_PAGES` or fewer on average
(their number a power of two, so that it changes only when the archive doubles), each a
Pagefind index of its own: a build indexes only the parts whose pages changed, several at a
time, each from its last fragments (see _seeds), and keeps the others' files as they are.
The search page merges the parts with Pagefind's `mergeIndex`; `sitegen-search.json` names
them. Merged results are ranked by score, and a part's score for a sorted search is only a
position within that part, so the page sorts by date itself, from `sitegen-dates.json`
(each result's date by its Pagefind id).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import gzip
import hashlib
import json
import os
import re
import shutil
import struct
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .config import Settings
from .errors import SitegenError
from .progress import Progress, batches_done, silent

BUNDLE = "pagefind"
# Article and author pages; the later pages of an author's list repeat the same person.
INDEXED_PAGE = re.compile(r"(?:articles|authors)/[^/]+/index\.html")
BODY_MARKER = b"data-pagefind-body"
# Pagefind's prebuilt interfaces; the search page has its own, on `pagefind.js`.
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")
TIMEOUT_S = 3600.0
MEMO_LIMIT = 64 * 1024 * 1024  # bytes of index kept for the next build in this process
STOPPED = "the search indexer stopped unexpectedly"
HINT = "build with --no-search, or set `search = false` in sitegen.toml, to build without it"

# Pages a part of the index holds on average at most; see the notes above. Parts of 350
# made an edit's indexing 3 s shorter at 10,000 articles, and the search page three times
# slower to start, with 521 requests instead of 73 (benchmarks/RESULTS.md, 1 December 2026).
PART_PAGES = 1500
PARTS_FILE = f"{BUNDLE}/sitegen-search.json"
DATES_FILE = f"{BUNDLE}/sitegen-dates.json"
# What a part other than the first keeps: its index, not a second copy of Pagefind's code.
PART_DATA = re.compile(
    r"pagefind-entry\.json|pagefind\.[^/]+\.pf_meta|(?:fragment|index|filter)/.+"
)
DATE_SORT = re.compile(rb'data-pagefind-sort="date:(-?\d+)"')
SHARED_MEMORY = "/dev/shm"
SCRATCH_ROOM = 2 << 30  # free bytes it needs to be used: an archive of 10,000 takes 120 MB


@dataclass(frozen=True)
class Part:
    """One part of the index as a build wrote it."""

    digest: str  # of its pages, their bytes, the language and the indexer
    files: tuple[tuple[str, str], ...]  # (output path, sha256) of each of its files
    dates: tuple[tuple[str, int], ...]  # (Pagefind's result id, date) of its dated pages


class _Todo(NamedTuple):
    """A part to index now."""

    folder: str
    digest: str
    paths: list[str]  # output paths of its pages
    seeds: dict[str, Path]  # name in the bundle -> the last build's file (see _seeds)


@dataclass
class SearchIndex:
    files: dict[str, bytes]  # output path -> bytes: the parts indexed now, and the lists
    kept: list[str]  # output paths of the parts left as the last build wrote them
    parts: dict[str, Part]  # folder -> part, for the next build


# Parts made in this process, by digest: a preview server's next index, or a build that
# changed no indexed page, reuses them without running the indexer again.
_memo: dict[str, tuple[Part, dict[str, bytes]]] = {}


def part_count(pages: int) -> int:
    count = 1
    while pages > count * PART_PAGES:
        count *= 2
    return count


def part_folder(number: int) -> str:
    return BUNDLE if number == 0 else f"{BUNDLE}/part-{number}"


def _part_of(path: str, count: int) -> int:
    return int.from_bytes(hashlib.sha256(path.encode()).digest()[:4], "big") % count


def indexed_pages(pages: Mapping[str, bytes]) -> dict[str, bytes]:
    """The pages that search finds, by output path in sorted order: each article and author
    page whose template marks its content with `data-pagefind-body`."""
    return {path: data for path in _candidates(pages) if BODY_MARKER in (data := pages[path])}


def _candidates(pages: Mapping[str, bytes]) -> list[str]:
    return sorted(p for p in pages if INDEXED_PAGE.fullmatch(p))


def build_search_index(
    pages: Mapping[str, bytes],
    settings: Settings,
    last: Mapping[str, Part] | None = None,
    keep: Callable[[Part], bool] | None = None,
    progress: Progress = silent,
    kept_file: Callable[[str, str], Path | None] | None = None,
) -> SearchIndex:
    """The search index of every indexed page, in parts.

    `pages` maps output paths of every HTML page (rendered now or kept from the last build)
    to their bytes, in any order, read only for the parts indexed now; if it has a
    `digest(path)` method, that gives the sha256 of a page's bytes without reading them.
    `last` is the parts the last build wrote; a part whose pages are all as they were is kept
    when `keep` says its files are still in the output as listed. `progress` hears of the
    pages indexed, a part at a time. `kept_file(path, sha256)` is the output file of the last
    build at `path`, if it still holds those bytes: a part indexed again starts from its
    last fragments (see _seeds).
    """
    candidates = _candidates(pages)
    count = part_count(len(candidates))
    groups: list[list[str]] = [[] for _ in range(count)]
    for path in candidates:
        groups[_part_of(path, count)].append(path)
    identity = _indexer_identity(settings.language, count)
    digest_of = getattr(pages, "digest", None)
    index = SearchIndex({}, [], {})
    todo: list[_Todo] = []
    for number, paths in enumerate(groups):
        folder, hashed = part_folder(number), hashlib.sha256(identity)
        for path in paths:
            page = digest_of(path) if digest_of else hashlib.sha256(pages[path]).hexdigest()
            hashed.update(f"{path}\0{page}\0".encode())
        digest, known = hashed.hexdigest(), (last or {}).get(folder)
        if known is not None and known.digest == digest and keep and keep(known):
            index.parts[folder] = known
            index.kept += [path for path, _ in known.files]
        elif digest in _memo:
            index.parts[folder], files = _memo[digest]
            index.files.update(files)
        else:
            seeds = _seeds(folder, known, kept_file) if known and kept_file else {}
            todo.append(_Todo(folder, digest, paths, seeds))
    indexed = batches_done(progress, "search index", [job.paths for job in todo])
    for folder, digest, files, dates in _index_parts(todo, pages, settings.language, indexed):
        part = Part(
            digest,
            tuple((path, hashlib.sha256(data).hexdigest()) for path, data in sorted(files.items())),
            dates,
        )
        index.parts[folder] = part
        index.files.update(files)
        _remember(digest, part, files)
    index.files.update(_lists(index.parts))
    return index


def _indexer_identity(language: str, count: int) -> bytes:
    from importlib.metadata import PackageNotFoundError, version

    try:
        indexer = version("pagefind_bin")
    except PackageNotFoundError:
        indexer = ""
    binary = os.environ.get("PAGEFIND_BINARY_PATH", "")
    return f"{language}\0{indexer}\0{binary}\0{count}\0".encode()


def _seeds(
    folder: str, last: Part, kept_file: Callable[[str, str], Path | None]
) -> dict[str, Path]:
    """The fragments of a part's last index still in the output, by their names in a bundle.

    Pagefind names a fragment (a page's text and metadata, the bulk of an index) by a hash
    of its content and writes no file that is already there (`WriteBehavior::Immutable` in
    its `output/mod.rs`): with the last fragments in place, it compresses and writes only
    those of pages that changed, a fifth of the time it takes over a part. Each is a link to
    the output file, read back only if the new index still lists it (see _read_bundle). A
    file that is gone gets no link: Pagefind would create it through the link.
    """
    seeds = {}
    for path, sha in last.files:
        if not path.startswith(f"{folder}/fragment/"):
            continue
        file = kept_file(path, sha)
        if file is not None and file.is_file():
            seeds[path[len(folder) + 1 :]] = file
    return seeds


def _remember(digest: str, part: Part, files: dict[str, bytes]) -> None:
    size = sum(map(len, files.values()))
    while _memo and size + sum(sum(map(len, f.values())) for _, f in _memo.values()) > MEMO_LIMIT:
        del _memo[next(iter(_memo))]  # the oldest first
    if size <= MEMO_LIMIT:
        _memo[digest] = (part, dict(files))


def _lists(parts: Mapping[str, Part]) -> dict[str, bytes]:
    """What the search page reads besides Pagefind's files: the other parts to merge, and
    the date of every dated result."""
    others = [
        folder[len(BUNDLE) + 1 :] + "/"
        for folder, part in parts.items()
        if folder != BUNDLE and part.files
    ]
    others.sort(key=lambda name: int(name[len("part-") : -1]))
    dates = dict(sorted(pair for part in parts.values() for pair in part.dates))
    return {
        PARTS_FILE: json.dumps({"parts": others}).encode(),
        DATES_FILE: json.dumps(dates, separators=(",", ":")).encode(),
    }


_Done = tuple[str, str, dict[str, bytes], tuple[tuple[str, int], ...]]


def _index_parts(
    todo: list[_Todo],
    pages: Mapping[str, bytes],
    language: str,
    finished: Callable[[int], None] | None = None,
) -> list[_Done]:
    """Index each part; up to one indexer a core at a time: (folder, digest, files, dates)
    of each. `finished(i)` is called as the index of `todo[i]` is written."""
    if not todo:
        return []
    for scratch in _scratch_folders():
        try:
            return _index_parts_in(scratch, todo, pages, language, finished)
        except OSError as exc:
            if exc.errno != errno.ENOSPC or scratch is None:
                raise
    raise AssertionError("unreachable: the last scratch folder re-raises")


def _scratch_folders() -> list[str | None]:
    """Where the pages and the index are written for the indexer: memory first, if the
    machine has room there (tens of thousands of files are made and removed again, which
    costs seconds on a disk), else the usual temporary folder (None)."""
    try:
        free = os.statvfs(SHARED_MEMORY)
        if os.access(SHARED_MEMORY, os.W_OK) and free.f_bavail * free.f_frsize >= SCRATCH_ROOM:
            return [SHARED_MEMORY, None]
    except OSError:
        pass
    return [None]


def _index_parts_in(
    scratch: str | None,
    todo: list[_Todo],
    pages: Mapping[str, bytes],
    language: str,
    finished: Callable[[int], None] | None,
) -> list[_Done]:
    made: dict[int, tuple[dict[str, bytes], tuple[tuple[str, int], ...]]] = {}
    with tempfile.TemporaryDirectory(prefix="sitegen-search-", dir=scratch) as tmp:
        binary = functools.cache(_indexer_binary)  # looked for once, when first needed

        async def index(number: int) -> None:
            # Each part's pages are written just before it is indexed and removed just after:
            # the scratch folder holds a few parts' pages at a time, not the archive's.
            part = todo[number]
            site, bundle = Path(tmp, f"site-{number}"), Path(tmp, f"index-{number}")
            urls = _write_pages(pages, part.paths, site)
            # A part with no page to find (a theme without `data-pagefind-body`) is left out:
            # an empty index would fail to merge. The first part always has Pagefind's code.
            if part.folder != BUNDLE and not urls:
                made[number] = ({}, ())
            else:
                seeded = _plant(bundle, part.seeds)
                await _index_folder(binary(), site, bundle, language)
                result = _collect(bundle, part.folder, urls, seeded)
                if result is None:  # the seeds cannot be told apart: again, without them
                    shutil.rmtree(bundle)
                    await _index_folder(binary(), site, bundle, language)
                    result = _collect(bundle, part.folder, urls, seeded=False)
                made[number] = result
            shutil.rmtree(site)  # room in memory for the next part's pages
            if finished is not None:
                finished(number)

        _run(lambda: _index_all(len(todo), index, min(len(todo), os.cpu_count() or 1)))
    # `made` may be missing a part only if indexing failed, which raised above.
    return [(part.folder, part.digest, *made[number]) for number, part in enumerate(todo)]


def _plant(bundle: Path, seeds: Mapping[str, Path]) -> bool:
    """Links to the last build's files of a part where the indexer would write them; False
    if there are none, as where the scratch folder's file system has no links (a part is
    then indexed in full, as on a first build)."""
    try:
        for name, file in seeds.items():
            target = bundle / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(file)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS):
            raise  # a full scratch folder is the caller's to handle
        shutil.rmtree(bundle, ignore_errors=True)
        return False
    return bool(seeds)


def _collect(
    bundle: Path, folder: str, urls: Mapping[str, int | None], seeded: bool
) -> tuple[dict[str, bytes], tuple[tuple[str, int], ...]] | None:
    """A part's index as written in `bundle`, and (result id, date) of each dated page; None
    if it was seeded and its fragments are not one for each of its pages."""
    if not (bundle / "pagefind-entry.json").is_file():
        raise SitegenError("the search indexer wrote no index", key="search", hint=HINT)
    files = _read_bundle(bundle, folder, seeded)
    if files is None:
        return None
    files = stable_filters(files, folder)
    found = _fragment_urls(files, folder)
    if seeded and sorted(found.values()) != sorted(urls):
        return None
    dates = [(name, date) for name, url in found.items() if (date := urls.get(url)) is not None]
    return files, tuple(sorted(dates))


def _read_bundle(bundle: Path, folder: str, seeded: bool = False) -> dict[str, bytes] | None:
    """The files of a bundle as the output gets them. Of a seeded one, only the fragments its
    metadata lists: the others are the last build's, of pages that changed or left; None if
    the metadata cannot be read."""
    files, fragments = {}, []
    for file in sorted(bundle.rglob("*")):
        name = file.relative_to(bundle).as_posix()
        if not file.is_file() or file.name.startswith(UNUSED):
            continue
        if not (folder == BUNDLE or PART_DATA.fullmatch(name)):
            continue
        if seeded and name.startswith("fragment/"):
            fragments.append((name, file))
        else:
            files[f"{folder}/{name}"] = file.read_bytes()
    if seeded:
        listed = _listed_fragments(files, folder)
        if listed is None:
            return None
        for name, file in fragments:
            if name[len("fragment/") : -len(".pf_fragment")] in listed:
                files[f"{folder}/{name}"] = file.read_bytes()
    return files


def _listed_fragments(files: Mapping[str, bytes], folder: str) -> set[str] | None:
    """The fragment names a bundle's metadata lists: [version, [[fragment, words], ...], ...]."""
    try:
        listed: set[str] = set()
        entry = json.loads(files[f"{folder}/pagefind-entry.json"])
        for language in entry["languages"].values():
            meta = _read_cbor(files[f"{folder}/pagefind.{language['hash']}.pf_meta"])
            if not _is_pairs(meta[1], int):
                return None
            listed.update(name for name, _ in meta[1])
        return listed
    except (KeyError, TypeError, ValueError, IndexError, gzip.BadGzipFile):
        return None


def _write_pages(pages: Mapping[str, bytes], paths: list[str], site: Path) -> dict[str, int | None]:
    """Write one part's indexed pages below `site`: the URL Pagefind gives each, with the
    date it sorts by if it has one."""
    site.mkdir()
    urls: dict[str, int | None] = {}
    for path in paths:
        data = pages[path]  # read only now: `pages` may be a lazy view of the output folder
        if BODY_MARKER not in data:
            continue
        target = site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        found = DATE_SORT.search(data)
        urls["/" + path[: -len("index.html")]] = int(found.group(1)) if found else None
    return urls


def _fragment_urls(files: Mapping[str, bytes], folder: str) -> dict[str, str]:
    """The URL of each page of a part, by the id of its result (its fragment's name)."""
    found = {}
    for path, data in files.items():
        if path.startswith(f"{folder}/fragment/"):
            fragment = json.loads(gzip.decompress(data)[len(SIGNATURE) :])
            found[path.rsplit("/", 1)[1].removesuffix(".pf_fragment")] = fragment.get("url")
    return found


# -- filters in a stable order ----------------------------------------------------------------
# Pagefind (1.5) writes the values of each filter, and the list of filters, in the order of a
# hash map seeded at random (a TODO in its `index/mod.rs`): the same pages give other bytes,
# and other file names, on every run. The files are small CBOR documents, gzipped behind a
# signature; they are rewritten here with values and filters sorted, and named by content.
SIGNATURE = b"pagefind_dcd"


def stable_filters(files: dict[str, bytes], folder: str = BUNDLE) -> dict[str, bytes]:
    """The bundle in `folder` with its filter files and metadata in a stable order and
    stably named; unchanged if their layout is not the one this function knows."""
    entry_path = f"{folder}/pagefind-entry.json"
    try:
        entry_text = files[entry_path].decode("utf-8")
        languages = json.loads(entry_text)["languages"]
        result = dict(files)
        for language in languages.values():
            old_hash = language["hash"]
            new_hash = _stable_language(result, old_hash, folder)
            entry_text = entry_text.replace(f'"{old_hash}"', f'"{new_hash}"')
        result[entry_path] = entry_text.encode("utf-8")
        return result
    except (KeyError, TypeError, ValueError, IndexError, struct.error, gzip.BadGzipFile):
        return files


def _stable_language(files: dict[str, bytes], meta_hash: str, folder: str) -> str:
    """Sort one language's filters and sorts; rename the files; the metadata's new hash."""
    prefix = meta_hash.rsplit("_", 1)[0]
    meta_path = f"{folder}/pagefind.{meta_hash}.pf_meta"
    meta = _read_cbor(files[meta_path])
    for part in meta:
        if _is_pairs(part, str) and all(
            f"{folder}/filter/{h}.pf_filter" in files for _, h in part
        ):  # the filters: [name, file hash]
            for pair in part:
                old = f"{folder}/filter/{pair[1]}.pf_filter"
                name, values = _read_cbor(files.pop(old))
                values.sort(key=lambda value: value[0])
                data = _cbor_document([name, values])
                pair[1] = _unused_name(files, folder, prefix, data, 7, "filter/{}.pf_filter")
                files[f"{folder}/filter/{pair[1]}.pf_filter"] = _gzip(data)
            part.sort(key=lambda pair: pair[0])
        elif _is_pairs(part, list):  # the sorts: [key, pages in order]
            part.sort(key=lambda pair: pair[0])
    del files[meta_path]
    data = _cbor_document(meta)
    new_hash = _unused_name(files, folder, prefix, data, 10, "pagefind.{}.pf_meta")
    files[f"{folder}/pagefind.{new_hash}.pf_meta"] = _gzip(data)
    return new_hash


def _is_pairs(part: object, second: type) -> bool:
    return (
        isinstance(part, list)
        and bool(part)
        and all(
            isinstance(p, list)
            and len(p) == 2
            and isinstance(p[0], str)
            and isinstance(p[1], second)
            for p in part
        )
    )


def _unused_name(
    files: Mapping[str, bytes], folder: str, prefix: str, data: bytes, size: int, form: str
) -> str:
    digest = hashlib.sha256(data).hexdigest()
    while f"{folder}/" + form.format(f"{prefix}_{digest[:size]}") in files:
        size += 1
    return f"{prefix}_{digest[:size]}"


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def _read_cbor(compressed: bytes) -> Any:
    data = gzip.decompress(compressed)
    if not data.startswith(SIGNATURE):
        raise ValueError("not a Pagefind document")
    value, end = _decode(data, len(SIGNATURE))
    if end != len(data) or _cbor_document(value) != data:  # must read back as written
        raise ValueError("unexpected CBOR")
    return value


def _cbor_document(value: Any) -> bytes:
    out = bytearray(SIGNATURE)
    _encode(value, out)
    return bytes(out)


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    """One CBOR item of the kinds Pagefind writes here: integers, text, arrays."""
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if info < 24:
        argument = info
    elif info <= 27:
        size = 1 << (info - 24)
        argument = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise ValueError("indefinite or reserved CBOR item")
    if major == 0:
        return argument, at
    if major == 1:
        return -1 - argument, at
    if major == 3:
        return data[at : at + argument].decode("utf-8"), at + argument
    if major == 4:
        items = []
        for _ in range(argument):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise ValueError(f"CBOR major type {major}")


def _encode(value: Any, out: bytearray) -> None:
    if isinstance(value, bool):
        raise ValueError("CBOR booleans are not expected")
    if isinstance(value, int):
        _head(0 if value >= 0 else 1, value if value >= 0 else -1 - value, out)
    elif isinstance(value, str):
        raw = value.encode("utf-8")
        _head(3, len(raw), out)
        out += raw
    elif isinstance(value, list):
        _head(4, len(value), out)
        for item in value:
            _encode(item, out)
    else:
        raise ValueError(f"cannot encode {type(value).__name__}")


def _head(major: int, argument: int, out: bytearray) -> None:
    """The shortest head, as Pagefind's encoder (minicbor) writes it."""
    if argument < 24:
        out.append(major << 5 | argument)
        return
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            out.append(major << 5 | info)
            out += argument.to_bytes(size, "big")
            return
    raise ValueError("integer too large for CBOR")


# -- the indexer --------------------------------------------------------------------------------
async def _index_all(count: int, index: Callable[[int], Awaitable[None]], workers: int) -> None:
    """`index(i)` for each i below `count`, in order, `workers` at a time."""
    queue = list(reversed(range(count)))

    async def worker() -> None:
        while queue:
            await index(queue.pop())

    tasks = [asyncio.ensure_future(worker()) for _ in range(workers)]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        queue.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def _indexer_binary() -> str:
    """The `pagefind` binary, found as Pagefind's Python package finds it (the variable
    `PAGEFIND_BINARY_PATH`, then the `pagefind_bin` packages, then the PATH)."""
    # Imported here: commands that never index do not pay for it.
    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None:
        raise SitegenError(
            "cannot start the search indexer: no `pagefind` binary found",
            key="search",
            hint=f"is the package `pagefind[bin]` installed? Or {HINT}",
        )
    return str(binary)


async def _index_folder(binary: str, site: Path, bundle: Path, language: str) -> None:
    """One run of Pagefind's command line over a folder of pages, into `bundle`.

    The command rather than the Python API's service: the service answers each request
    after a poll of a tenth of a second, three requests a part. It runs in the scratch
    folder with no `PAGEFIND_*` variables, so that neither a Pagefind configuration file
    where sitegen was started nor the environment changes the index.
    """
    # One language for the whole archive: an article in another language is still found
    # from the one search page (without stemming for its language).
    command = [binary, "--site", str(site), "--output-path", str(bundle)]
    command += ["--force-language", language, "--silent"]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    try:
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=site.parent,
            env=environment,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
    except OSError as exc:  # no binary there, or one that cannot run
        raise SitegenError(
            f"cannot start the search indexer: {exc.strerror or exc}",
            key="search",
            hint=f"is the package `pagefind[bin]` installed? Or {HINT}",
        ) from None
    try:
        output, _ = await asyncio.wait_for(process.communicate(), TIMEOUT_S)
    except TimeoutError:
        await _kill(process)
        raise SitegenError(
            f"the search indexer did not finish in {TIMEOUT_S:.0f} s", key="search", hint=HINT
        ) from None
    except BaseException:  # another part failed, or the build was interrupted
        await _kill(process)
        raise
    if process.returncode != 0:
        raise SitegenError(_failure(output), key="search", hint=HINT)


def _failure(output: bytes) -> str:
    """What the indexer said went wrong: its first `Error:` line, if it gave one."""
    for line in output.decode("utf-8", "replace").splitlines():
        said = line.removeprefix("Error:").strip()
        if line.startswith("Error:") and said:
            return f"the search indexer failed: {said}"
    return STOPPED  # killed, crashed, or not Pagefind at all


async def _kill(process: asyncio.subprocess.Process) -> None:
    """Stop a run that is no longer wanted, and reap it."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await asyncio.shield(process.wait())


def _run(make: Callable[[], Awaitable[None]]) -> None:
    """Run a coroutine to the end, also from a thread whose event loop is already running
    (a preview server's)."""

    async def main() -> None:
        await make()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(main())
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sitegen-search") as pool:
        pool.submit(asyncio.run, main()).result()
