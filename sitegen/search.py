"""Search: a Pagefind index of article and author pages, built before anything is written.

Pagefind's Python API drives the `pagefind` binary as a service. The pages go to a temporary
folder and are indexed with one `add_directory` request: the API answers one message per
tenth of a second, so adding thousands of pages one by one would take minutes. The index is
written to a second temporary folder and read back, so that the build's writer alone puts it
into the output. Pagefind writes the same bytes for the same pages, except for its filter files,
which are put in a stable order here (`stable_filters`); `tests/test_search.py` proves it.

Result URLs in the index are relative to the site's root (`/articles/x/`); the search page
gives Pagefind the site's base path, which it puts in front of them.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import os
import re
import struct
import tempfile
from collections.abc import Awaitable, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from .config import Settings
from .errors import SitegenError

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

T = TypeVar("T")
# The last index made in this process, by a digest of its inputs: a build whose indexed pages
# did not change (an edit to a list page, the clean build beside an incremental one in the
# tests, a preview's rebuild) gets the same bytes without running the indexer again.
_memo: tuple[str, dict[str, bytes]] | None = None


def indexed_pages(pages: Mapping[str, bytes]) -> dict[str, bytes]:
    """The pages that search finds, by output path in sorted order: each article and author
    page whose template marks its content with `data-pagefind-body`."""
    return dict(_indexed(pages))


def _indexed(pages: Mapping[str, bytes]) -> Iterator[tuple[str, bytes]]:
    for path in sorted(p for p in pages if INDEXED_PAGE.fullmatch(p)):
        data = pages[path]  # read only now: `pages` may be a lazy view of the output folder
        if BODY_MARKER in data:
            yield path, data


def build_search_index(pages: Mapping[str, bytes], settings: Settings) -> dict[str, bytes]:
    """Output path -> bytes of the index files under `pagefind/`, for every indexed page.

    `pages` maps output paths of every HTML page (rendered now or kept from the
    last build) to their bytes, in any order.
    """
    global _memo
    with tempfile.TemporaryDirectory(prefix="sitegen-search-") as tmp:
        site, bundle = Path(tmp, "site"), Path(tmp, BUNDLE)
        key = _write_pages(pages, site, settings.language)
        if _memo is not None and _memo[0] == key:
            return dict(_memo[1])
        _run(lambda: _index(site, bundle, settings.language))
        if not (bundle / "pagefind-entry.json").is_file():
            raise SitegenError("the search indexer wrote no index", key="search", hint=HINT)
        files = {
            f"{BUNDLE}/{file.relative_to(bundle).as_posix()}": file.read_bytes()
            for file in sorted(bundle.rglob("*"))
            if file.is_file() and not file.name.startswith(UNUSED)
        }
    files = stable_filters(files)
    _memo = (key, dict(files)) if sum(map(len, files.values())) <= MEMO_LIMIT else None
    return files


def _write_pages(pages: Mapping[str, bytes], site: Path, language: str) -> str:
    """Write the indexed pages below `site`, one at a time; a digest of everything the index
    depends on: the pages, the language and the indexer."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        indexer = version("pagefind_bin")
    except PackageNotFoundError:
        indexer = ""
    digest = hashlib.sha256()
    binary = os.environ.get("PAGEFIND_BINARY_PATH", "")
    digest.update(f"{language}\0{indexer}\0{binary}\0".encode())
    site.mkdir()
    for path, data in _indexed(pages):
        digest.update(f"{path}\0{len(data)}\0".encode())
        digest.update(data)
        target = site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return digest.hexdigest()


# -- filters in a stable order ----------------------------------------------------------------
# Pagefind (1.5) writes the values of each filter, and the list of filters, in the order of a
# hash map seeded at random (a TODO in its `index/mod.rs`): the same pages give other bytes,
# and other file names, on every run. The files are small CBOR documents, gzipped behind a
# signature; they are rewritten here with values and filters sorted, and named by content.
SIGNATURE = b"pagefind_dcd"


def stable_filters(files: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle with its filter files and metadata in a stable order and stably named;
    unchanged if their layout is not the one this function knows."""
    entry_path = f"{BUNDLE}/pagefind-entry.json"
    try:
        entry_text = files[entry_path].decode("utf-8")
        languages = json.loads(entry_text)["languages"]
        result = dict(files)
        for language in languages.values():
            old_hash = language["hash"]
            new_hash = _stable_language(result, old_hash)
            entry_text = entry_text.replace(f'"{old_hash}"', f'"{new_hash}"')
        result[entry_path] = entry_text.encode("utf-8")
        return result
    except (KeyError, TypeError, ValueError, IndexError, struct.error, gzip.BadGzipFile):
        return files


def _stable_language(files: dict[str, bytes], meta_hash: str) -> str:
    """Sort one language's filters and sorts; rename the files; the metadata's new hash."""
    prefix = meta_hash.rsplit("_", 1)[0]
    meta_path = f"{BUNDLE}/pagefind.{meta_hash}.pf_meta"
    meta = _read_cbor(files[meta_path])
    for part in meta:
        if _is_pairs(part, str) and all(
            f"{BUNDLE}/filter/{h}.pf_filter" in files for _, h in part
        ):  # the filters: [name, file hash]
            for pair in part:
                old = f"{BUNDLE}/filter/{pair[1]}.pf_filter"
                name, values = _read_cbor(files.pop(old))
                values.sort(key=lambda value: value[0])
                data = _cbor_document([name, values])
                pair[1] = _unused_name(files, prefix, data, 7, "filter/{}.pf_filter")
                files[f"{BUNDLE}/filter/{pair[1]}.pf_filter"] = _gzip(data)
            part.sort(key=lambda pair: pair[0])
        elif _is_pairs(part, list):  # the sorts: [key, pages in order]
            part.sort(key=lambda pair: pair[0])
    del files[meta_path]
    data = _cbor_document(meta)
    new_hash = _unused_name(files, prefix, data, 10, "pagefind.{}.pf_meta")
    files[f"{BUNDLE}/pagefind.{new_hash}.pf_meta"] = _gzip(data)
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


def _unused_name(files: Mapping[str, bytes], prefix: str, data: bytes, size: int, form: str) -> str:
    digest = hashlib.sha256(data).hexdigest()
    while f"{BUNDLE}/" + form.format(f"{prefix}_{digest[:size]}") in files:
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
async def _index(site: Path, bundle: Path, language: str) -> None:
    # Imported here: commands that never index do not pay for it.
    from pagefind.service import PagefindService

    try:
        service = await PagefindService().launch()
    except OSError as exc:  # no binary, or one that cannot run
        raise SitegenError(
            f"cannot start the search indexer: {exc.strerror or exc}",
            key="search",
            hint="is the package `pagefind[bin]` installed? Or " + HINT,
        ) from None
    try:
        # One language for the whole archive: an article in another language is still
        # found from the one search page (without stemming for its language).
        index = await _guarded(service, service.create_index({"force_language": language}))
        await _guarded(service, index.add_directory(str(site)))
        await _guarded(service, index.write_files(str(bundle)))
    except BaseException:
        await _kill(service)
        raise
    await service.close()


async def _guarded(service: Any, call: Awaitable[T]) -> T:
    """Await one request; fail, rather than wait forever, if the indexer process dies."""
    request = asyncio.ensure_future(call)
    # The API reads answers in a task that ends only when the process's output ends.
    reader = getattr(service, "_poll_task", None)
    watched = {request, reader} if isinstance(reader, asyncio.Task) else {request}
    done, _ = await asyncio.wait(watched, timeout=TIMEOUT_S, return_when=asyncio.FIRST_COMPLETED)
    if request in done:
        try:
            return request.result()
        except SitegenError:
            raise
        except (ConnectionError, EOFError):  # it ended while we were writing to it
            raise SitegenError(STOPPED, key="search", hint=HINT) from None
        except Exception as exc:  # the indexer's own message
            detail = " ".join(str(part) for part in exc.args[:1]) or type(exc).__name__
            message = f"the search indexer failed: {detail}"
            raise SitegenError(message, key="search", hint=HINT) from None
    request.cancel()
    if reader in done:
        raise SitegenError(STOPPED, key="search", hint=HINT)
    raise SitegenError(
        f"the search indexer did not finish in {TIMEOUT_S:.0f} s", key="search", hint=HINT
    )


async def _kill(service: Any) -> None:
    """Stop the indexer after a failure; the API's `close` would wait 5 s for answers that a
    dead process never gives."""
    reader = getattr(service, "_poll_task", None)
    if isinstance(reader, asyncio.Task):
        if reader.done() and not reader.cancelled():
            reader.exception()  # seen: the error is reported as ours
        reader.cancel()
    backend = getattr(service, "_backend", None)
    if backend is None or backend.returncode is not None:
        return
    # A process that has ended is reaped by asyncio's watcher; signalling it first would reap
    # it behind the watcher's back. So: end of input, a moment to leave, and only then a kill.
    if backend.stdin is not None:
        backend.stdin.close()
    try:
        await asyncio.wait_for(backend.wait(), timeout=2.0)
    except TimeoutError:
        backend.kill()
        await backend.wait()


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
