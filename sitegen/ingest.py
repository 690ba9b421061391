"""Every content file parsed and its body rendered once: in workers, through the cache.

Only what changed since the last build is parsed; the rest comes from the cache
by content hash. Records leave this stage without their Markdown source, and
bodies without their plain text, so little crosses between processes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from . import __version__
from .cache import BuildCache
from .config import Settings
from .errors import ContentError, ErrorCollector, SitegenError
from .loader import SourceFile, Sources, assemble_sources, list_source_files, parse_source
from .markdown import RenderedBody, render_markdown
from .model import Article
from .parallel import chunks, parallel_map
from .progress import Progress, batches_done, silent
from .related import top_words

BodyKey = tuple[str, str]  # (kind, slug)


@dataclass
class Ingested:
    sources: Sources
    bodies: dict[BodyKey, RenderedBody]
    content_keys: dict[BodyKey, str]  # what each record was made from, for fingerprints
    content: dict[str, str]  # shown path -> content key, of every file parsed
    origins: dict[str, BodyKey]  # shown path -> what it holds
    # Bodies whose HTML only this process holds (the cache could not store it); the
    # others' HTML may be dropped and read back from the cache.
    unstored: set[BodyKey] = field(default_factory=set)
    # The content keys of the files scanned, when something was parsed: entries of other
    # keys are dead once the build has succeeded (a failed one leaves the cache as it
    # was, so that the library the last build kept can still be patched).
    live: list[str] | None = None


def _parse_fingerprint(settings: Settings) -> str:
    parts = (
        __version__,
        settings.timezone,
        settings.taxonomies,
        settings.base_path,
        settings.markdown.raw_html,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


# Set before workers fork: read by _ingest_one and _ingest_batch.
_SETTINGS: Settings | None = None
_CACHE: BuildCache | None = None

_Parsed = tuple[Any, RenderedBody | None, list["SitegenError"]]


def _ingest_one(
    job: tuple[SourceFile, bytes],
) -> tuple[Any, RenderedBody | None, list[SitegenError]]:
    source, data = job
    assert _SETTINGS is not None
    record, errors = parse_source(source, data, _SETTINGS)
    if record is None or errors:
        return None, None, errors
    body = render_markdown(
        record.body,
        _SETTINGS.base_path,
        _SETTINGS.markdown.raw_html,
        isinstance(record, Article) and record.type == "interview",
    )
    if isinstance(record, Article):
        body = replace(body, keywords=top_words(record.title, body.text))
    return replace(record, body=""), replace(body, text=""), []


def _ingest_batch(batch: list[tuple[str, SourceFile, bytes]]) -> tuple[list[_Parsed], bool]:
    """Parse a batch of files, and store what they gave in the cache from this process
    (in parallel, where the build's own process would take seconds at 10,000 files):
    the results, and whether they were stored."""
    assert _CACHE is not None
    results = [_ingest_one((source, data)) for _, source, data in batch]
    return results, _CACHE.write_parsed(_cache_entries(batch, results))


def _cache_entries(
    batch: list[tuple[str, SourceFile, bytes]], results: list[_Parsed]
) -> dict[str, tuple[tuple[Any, RenderedBody], str]]:
    """What the cache keeps of each file parsed: key -> ((record, body without HTML), HTML)."""
    return {
        key: ((record, replace(body, html=None)), body.html or "")
        for (key, _, _), (record, body, _) in zip(batch, results, strict=True)
        if record is not None and body is not None
    }


_MAX_DELTA = 1000  # changed stats kept in a row of their own before all are written again


@dataclass
class Scan:
    """Every content file with the hash of its bytes; only files whose size, mtime or
    inode changed since the last build were read."""

    jobs: list[tuple[str, SourceFile, bytes | None]]  # (content key, file, bytes if read)
    stats: dict[str, tuple[tuple[int, int, int], str]]  # shown -> (stat, content key)
    known: dict[str, tuple[tuple[int, int, int], str]]  # the same, as the last build saw it
    fingerprint: str
    delta: dict[str, tuple[tuple[int, int, int], str]]  # the part of `known` from the small row
    read: list[str]  # shown paths of the files read: the only entries that can have changed

    @cached_property
    def keys(self) -> dict[str, str]:
        """Shown path -> content key, of every file scanned."""
        return {source.shown: key for key, source, _ in self.jobs}

    def store_stats(self, cache: BuildCache) -> None:
        """The stats for the next build: when the same files are there, the entries that
        changed, in a small row of their own, while they are few; else all of them
        (11,000 at 10,000 articles, 20 ms to write again after each edit). An entry the
        small row outdates only says which key a file had at an old stat: it is never
        wrong, only unused."""
        changed = {
            shown: self.stats[shown]
            for shown in self.read
            if self.known.get(shown) != self.stats[shown]
        }
        same_files = self.stats.keys() == self.known.keys()
        if same_files and not changed:
            return
        if (
            same_files
            and len(self.delta) < len(self.known)
            and len(self.delta) + len(changed) <= _MAX_DELTA
        ):
            cache.store_state(f"stats-delta-{self.fingerprint}", {**self.delta, **changed})
        else:
            cache.store_state(f"stats-{self.fingerprint}", self.stats)
            cache.store_state(f"stats-delta-{self.fingerprint}", {})


def scan_sources(
    site_dir: Path,
    settings: Settings,
    errors: ErrorCollector,
    cache: BuildCache,
    stamps: Mapping[str, os.stat_result] | None = None,
) -> Scan:
    """List the content files and key each by its bytes, reading only what changed.

    `stamps` are the files' stats if the caller has just taken them.
    """
    fingerprint = _parse_fingerprint(settings)
    jobs: list[tuple[str, SourceFile, bytes | None]] = []
    known: dict[str, tuple[tuple[int, int, int], str]] = cache.state(f"stats-{fingerprint}") or {}
    delta = (cache.state(f"stats-delta-{fingerprint}") or {}) if known else {}
    if delta:
        known = {**known, **delta}
    stats: dict[str, tuple[tuple[int, int, int], str]] = {}
    read: list[str] = []
    for source in list_source_files(site_dir, stamps):
        try:
            stat = stamps.get(source.file) if stamps is not None else None
            if stat is None:
                stat = os.stat(source.file)
            signature = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
            seen = known.get(source.shown)
            if seen is not None and seen[0] == signature:
                jobs.append((seen[1], source, None))
                stats[source.shown] = seen
                continue
            data = source.read(stat.st_size)
        except OSError as exc:
            errors.add(ContentError(f"cannot read file: {exc.strerror or exc}", source.shown))
            continue
        digest = hashlib.sha256(data)
        digest.update(f"\0{fingerprint}\0{source.kind}\0{source.shown}".encode())
        key = digest.hexdigest()
        jobs.append((key, source, data))
        stats[source.shown] = (signature, key)
        read.append(source.shown)
    return Scan(jobs, stats, known, fingerprint, delta, read)


def parse_one(
    source: SourceFile, data: bytes, settings: Settings
) -> tuple[Any, RenderedBody | None, list[SitegenError]]:
    """One file parsed and rendered in this process: (record, body with HTML, errors)."""
    global _SETTINGS
    _SETTINGS = settings
    try:
        record, body, errors = _ingest_one((source, data))
    finally:
        _SETTINGS = None
    return record, body, errors


def ingest(
    site_dir: Path,
    settings: Settings,
    errors: ErrorCollector,
    cache: BuildCache,
    scan: Scan | None = None,
    progress: Progress = silent,
) -> Ingested:
    """Read, parse and render every content file; problems go to `errors`. `progress`
    hears of the files parsed (those the cache did not hold)."""
    global _SETTINGS, _CACHE
    scan = scan or scan_sources(site_dir, settings, errors, cache)
    jobs = scan.jobs
    cached = cache.parsed_meta(key for key, _, _ in jobs)
    missing = []
    readable = []
    for key, source, data in jobs:
        if key not in cached and data is None:  # not cached after all: read the file
            try:
                data = source.read()
            except OSError as exc:
                errors.add(ContentError(f"cannot read file: {exc.strerror or exc}", source.shown))
                continue
        if key not in cached:
            missing.append((key, source, data))
        readable.append((key, source, data))
    jobs = readable
    _SETTINGS, _CACHE = settings, cache
    try:
        batches = chunks(missing, 50)
        parsed = batches_done(progress, "parsing", batches)
        made = parallel_map(_ingest_batch, batches, min_items=8, finished=parsed)
    finally:
        _SETTINGS, _CACHE = None, None
    unstored_keys: set[str] = set()
    for batch, (parsed, stored) in zip(batches, made, strict=True):
        if stored:  # what the workers stored, this process may remember
            entries = _cache_entries(batch, parsed)
            cache.remember_parsed({key: meta for key, (meta, _) in entries.items()})
        else:
            unstored_keys.update(key for key, _, _ in batch)
    results = iter(result for parsed, _ in made for result in parsed)

    records: list[Any] = []
    bodies: dict[BodyKey, RenderedBody] = {}
    content_keys: dict[BodyKey, str] = {}
    content: dict[str, str] = {}
    origins: dict[str, BodyKey] = {}
    unstored: set[BodyKey] = set()
    for key, source, _ in jobs:
        if key in cached:
            record, body = cached[key]
        else:
            record, body, problems = next(results)
            for problem in problems:
                errors.add(problem)
            if record is None:
                continue
        records.append(record)
        bodies[(source.kind, record.slug)] = body
        content_keys[(source.kind, record.slug)] = key
        content[source.shown] = key
        origins[source.shown] = (source.kind, record.slug)
        if key in unstored_keys:
            unstored.add((source.kind, record.slug))
    scan.store_stats(cache)
    live = [key for key, _, _ in jobs] if len(cached) != len(jobs) else None
    return Ingested(
        assemble_sources(records, errors), bodies, content_keys, content, origins, unstored, live
    )
