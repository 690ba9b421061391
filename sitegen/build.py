"""Runs the stages in order: load, model, render, write; with timings and warnings."""

from __future__ import annotations

import gc
import hashlib
import operator
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from .assets import Asset, build_assets, collect_asset_files
from .buildstate import (
    BuildOptions,
    BuildResult,
    InputSignature,
    input_signature,
    manifest_digest,
    unchanged_since_last_build,
)
from .cache import BuildCache
from .config import Settings, load_settings
from .dates import formatted_dates, remember_dates
from .errors import BuildFailed, CacheError, ConfigError, ErrorCollector, SitegenError
from .ingest import Ingested, ingest, scan_sources
from .library import Library, build_library
from .progress import Progress, silent
from .render import CARD_TEMPLATE, TEMPLATES, RenderResult, render_site
from .snapshot import (
    Patch,
    PendingBase,
    begin_full,
    discard,
    finish_full,
    last_related_memo,
    snapshot_key,
    store_patch,
    try_patch,
)
from .templates import check_templates, make_environment, template_dependencies
from .theme import search_path
from .writer import Staged, Staging, read_fingerprints

if TYPE_CHECKING:
    from .search import Part, SearchIndex


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = now - self._last
        self._last = now


def _check_output_folder(site_dir: Path, output: Path) -> None:
    site, out = site_dir.resolve(), output.resolve()
    watched = [site / name for name in ("content", "templates", "assets")]
    if out == site or any(out == w or w in out.parents for w in watched) or out in site.parents:
        raise BuildFailed(
            [
                ConfigError(
                    "the output folder would overwrite the site's sources",
                    str(output),
                    key="--output",
                    hint="choose a folder of its own, such as output/",
                )
            ]
        )


def _template_sources(env: jinja2.Environment) -> dict[str, str]:
    """Per page template, and for the card template, a hash of its source and of
    everything it includes or extends."""
    result: dict[str, str] = {}
    everything = frozenset(env.list_templates())
    for name in {*TEMPLATES.values(), CARD_TEMPLATE}:
        digest = hashlib.sha256()
        dependencies = template_dependencies(env, name)
        cards = template_dependencies(env, CARD_TEMPLATE)  # rendered through render_card()
        if dependencies is not None and cards is not None:
            dependencies = dependencies | cards
        for dependency in sorted(dependencies if dependencies is not None else everything):
            try:
                source = env.loader.get_source(env, dependency)[0]  # type: ignore[union-attr]
            except jinja2.TemplateNotFound:
                source = ""
            digest.update(f"{dependency}\0{source}\0".encode())
        result[name] = digest.hexdigest()
    return result


SEARCH_STATE = "search-parts"  # the parts of the index the last build wrote
DATES_STATE = "dates"  # every date the builds have formatted (see dates.py)


@dataclass
class Prepared:
    library: Library
    assets: dict[str, Asset]
    env: jinja2.Environment
    cache: BuildCache
    template_sources: dict[str, str]
    snapshot_key: str
    patch: Patch | None = None  # set when the last library was patched for body edits
    ingested: Ingested | None = None  # set when everything was loaded and indexed
    dates_kept: int = 0  # formatted dates the cache holds (see dates.py)


def prepare(
    options: BuildOptions,
    timer: _Timer | None = None,
    stamps: Mapping[str, os.stat_result] | None = None,
    progress: Progress = silent,
) -> Prepared:
    """Load, model and check everything; raises BuildFailed before anything is written.

    `stamps` are the stats of every file below the content folder, if just taken;
    `progress` hears of the files parsed and the related lists computed."""
    timer = timer or _Timer()
    settings = load_settings(options.site_dir, options.base_url)
    _check_output_folder(options.site_dir, options.output)
    errors = ErrorCollector()
    cache = BuildCache(options.cache, enabled=options.use_cache)
    scan = scan_sources(options.site_dir, settings, errors, cache, stamps)
    assets, env, late = _theme(options, settings)
    template_sources = _template_sources(env)
    key = snapshot_key(options, settings, template_sources, assets)
    patch = None
    if options.use_cache and not errors.errors and not late.errors:
        try:
            patch = try_patch(cache, key, scan, settings, options)
        except CacheError:  # the kept library names a record the cache lost
            patch = None
    ingested = None
    if patch is not None:
        library = patch.library
        timer.lap("load")
    else:
        ingested = ingest(options.site_dir, settings, errors, cache, scan, progress)
        timer.lap("load")
        library = build_library(
            settings,
            ingested.sources,
            ingested.bodies,
            errors,
            drafts=options.drafts,
            related_memo=last_related_memo(cache),
            progress=progress,
        )
        library.content_keys = ingested.content_keys

    def load_html(kind: str, slug: str) -> str:
        html = cache.parsed_html(library.content_keys[(kind, slug)])
        if html is None:
            raise CacheError(
                "the build cache lost an entry",
                str(cache.path),
                key="cache",
                hint="build again, or with --no-cache",
            )
        return html

    library.html_loader = load_html
    timer.lap("library")
    for error in late.errors:  # reported after the content's own
        errors.add(error)
    errors.raise_if_any()
    if options.strict and library.warnings:
        raise BuildFailed([w.as_error() for w in library.warnings])
    timer.lap("check")
    kept_dates = remember_dates(cache.state(DATES_STATE)) if options.use_cache else 0
    return Prepared(
        library,
        assets,
        env,
        cache,
        template_sources,
        key,
        patch,
        ingested,
        kept_dates,
    )


def _theme(
    options: BuildOptions, settings: Settings
) -> tuple[dict[str, Asset], jinja2.Environment, ErrorCollector]:
    """Assets and templates, with their problems."""
    errors = ErrorCollector()
    assets: dict[str, Asset] = {}
    try:
        files = collect_asset_files(search_path(options.site_dir, "assets"))
        assets = build_assets(files, settings.base_path, hash_names=options.hash_assets)
    except SitegenError as exc:
        errors.add(exc)

    def asset_url(name: str) -> str:
        asset = assets.get(name)
        if asset is None:
            raise SitegenError(f"no asset named {name!r}", key="asset", hint="is it in assets/?")
        return settings.base_path + asset.output

    bytecode = options.cache / "templates" if options.use_cache else None
    env = make_environment(
        search_path(options.site_dir, "templates"), settings, asset_url, bytecode
    )
    check_templates(env, errors)
    return assets, env, errors


def _begin_keeping(prepared: Prepared) -> PendingBase | None:
    """A full build's library starts on its way to the cache (see snapshot.begin_full)."""
    if prepared.ingested is None:
        return None
    ingested = prepared.ingested
    return begin_full(
        prepared.cache,
        prepared.snapshot_key,
        prepared.library,
        ingested.content,
        ingested.origins,
        ingested.unstored,
    )


def _keep(
    prepared: Prepared, result: RenderResult, pending: PendingBase | None, output: Path
) -> None:
    """Keep this build's library (with its related memo, which the next full build starts
    from) for the next build to patch, and the cards it rendered for the next to show."""
    cache, manifest = prepared.cache, manifest_digest(output)
    if prepared.patch is not None:
        prepared.patch.scan.store_stats(cache)
        store_patch(cache, prepared.patch, result.uses, manifest)
    elif pending is not None:
        finish_full(cache, pending, result.uses, manifest)
    if prepared.ingested is not None and prepared.ingested.live is not None:
        cache.prune_parsed(prepared.ingested.live)  # something was parsed: some may be dead
    # Room for each card as it is and as it was before an edit to the card template.
    cache.store_card_html(result.cards, most=2 * len(prepared.library.articles) + 1000)


def _search_index(
    result: RenderResult[Staged],
    staging: Staging,
    settings: Settings,
    cache: BuildCache,
    progress: Progress,
) -> SearchIndex:
    """The search index, from every HTML page: staged now, or kept on disk unchanged. Parts
    whose pages did not change stay as the last build wrote them."""
    # Imported here: a build without search (as every rebuild in the benchmark) does not
    # pay for the indexer and asyncio at start-up, a tenth of a small rebuild's imports.
    from .search import build_search_index

    output, previous = staging.output, staging.previous
    # After a killed build the folder may hold files the manifest does not list: index all.
    last = None if staging.interrupted else cache.state(SEARCH_STATE)

    def keep(part: Part) -> bool:
        return all(
            previous.get(path) == sha and (output / path).is_file() for path, sha in part.files
        )

    root = output.absolute()  # the indexer follows links to these files from elsewhere

    def kept_file(path: str, sha: str) -> Path | None:
        return root / path if previous.get(path) == sha else None

    try:
        return build_search_index(
            _Pages(result, staging),
            settings,
            last if isinstance(last, dict) else None,
            keep,
            progress,
            kept_file,
        )
    except SitegenError as exc:
        raise BuildFailed([exc]) from None


class _Pages(Mapping[str, bytes]):
    """Every HTML page of the build by output path, read from disk only when asked for:
    from its temporary if it was staged now, else from the output folder."""

    def __init__(self, result: RenderResult[Staged], staging: Staging) -> None:
        self._staged = result.files
        self._staging = staging
        self._paths = [path for path in result.paths if path.endswith(".html")]

    def __getitem__(self, path: str) -> bytes:
        staged = self._staged.get(path) or Staged(path, "", None)
        return self._staging.read(staged)

    def digest(self, path: str) -> str:
        """The sha256 of a page's bytes, without reading them."""
        staged = self._staged.get(path)
        return staged.hash if staged is not None else self._staging.previous[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def _patched(patch: Patch | None) -> int:
    """How many content files a patching build took in: edited, new, deleted or drafts."""
    if patch is None:
        return 0
    return len(patch.edited) + len(patch.files) + len(patch.removed) + len(patch.drafts)


def _relative_to_site(errors: list[SitegenError], site_dir: Path) -> None:
    """Show files inside the site relative to it, as content files are shown."""
    site = site_dir.resolve()
    for error in errors:
        if error.path and Path(error.path).is_absolute():
            path = Path(error.path).resolve()
            if site in path.parents:
                error.path = path.relative_to(site).as_posix()


def build_site(
    options: BuildOptions,
    signature: InputSignature | None = None,
    check_inputs: bool = True,
    stamps: Mapping[str, os.stat_result] | None = None,
    progress: Progress = silent,
) -> BuildResult:
    """Build the site into the output folder; on any error the folder is left as it was.

    `signature` is the `input_signature` the caller has just taken, if any. A caller
    that knows something changed (a preview's watcher) passes `check_inputs=False`:
    no signature is taken, and the build never answers from the last build's state.
    Such a caller may pass the `stamps` it has just taken instead: the stat of every
    file below the site's content folder, by its path as `site_dir / "content" / ...`
    spells it; the build then neither lists nor stats the sources again. `progress`
    hears how far each long stage has got (see progress.py).
    """
    if not (check_inputs and options.use_cache):
        signature = None
    elif signature is None:
        signature = input_signature(options)
    if signature is not None:
        stamps = signature.files
    try:
        return _build(options, signature, stamps, progress)
    except BuildFailed as failed:
        _relative_to_site(failed.errors, options.site_dir)
        raise


def _build(
    options: BuildOptions,
    signature: InputSignature | None,
    stamps: Mapping[str, os.stat_result] | None,
    progress: Progress,
) -> BuildResult:
    started = time.perf_counter()
    if signature is not None:
        unchanged = unchanged_since_last_build(options, signature)
        if unchanged is not None:
            unchanged.seconds = time.perf_counter() - started
            return unchanged
    timer = _Timer()
    with _Collector() as collector:
        prepared = prepare(options, timer, stamps, progress)
        collector.models_made()
        try:
            return _render_and_write(options, signature, prepared, timer, started, progress)
        except BuildFailed as failed:
            lost = any(isinstance(error, CacheError) for error in failed.errors)
            if prepared.patch is None or not lost:
                raise
            # The kept library named a body or HTML the cache no longer holds; nothing
            # was written: build again from the archive, which reparses what is missing.
            discard(prepared.cache)
            prepared.cache.close()
    return _build(options, signature, stamps, progress)


class _Collector:
    """Loading and modelling make many long-lived objects and no garbage; the cycle
    collector would walk the growing heap again and again (a second or more at 10,000
    articles). It is paused while they are made, then told to leave them alone until
    the build ends (gc.freeze, which also spares the pages forked workers share)."""

    def __enter__(self) -> _Collector:
        self.enabled = gc.isenabled()
        gc.disable()
        return self

    def models_made(self) -> None:
        gc.freeze()
        if self.enabled:
            gc.enable()

    def __exit__(self, *exc_info: object) -> None:
        gc.unfreeze()  # a preview server's next build makes new ones
        if self.enabled:
            gc.enable()


def _render_and_write(
    options: BuildOptions,
    signature: InputSignature | None,
    prepared: Prepared,
    timer: _Timer,
    started: float,
    progress: Progress,
) -> BuildResult:
    patch = prepared.patch
    pending = _begin_keeping(prepared) if options.use_cache else None
    staging: Staging | None = None
    try:
        previous = {}
        if options.use_cache:
            previous = read_fingerprints(options.output, patch.affected if patch else None)
        try:
            staging = Staging(options.output, patching=patch is not None)
            # Each worker writes the files it renders to temporaries: neither the bytes nor
            # the writing wait on this process.
            result = render_site(
                prepared.library,
                prepared.env,
                prepared.assets,
                staging.stage,
                prepared.template_sources,
                previous,
                only=patch.affected if patch else None,
                kept_cards=prepared.cache.card_html if options.use_cache else None,
                progress=progress,
            )
            timer.lap("render")
            staged = list(result.files.values())
            kept = result.kept
            search = None
            if options.search and prepared.library.settings.search:
                search = _search_index(
                    result, staging, prepared.library.settings, prepared.cache, progress
                )
                staged += [staging.stage(path, search.files[path]) for path in sorted(search.files)]
                kept = kept | set(search.kept)
                timer.lap("search")
            # A patching build's outputs are the last build's: it only appends to the manifest
            # (but the search index may have dropped a part, and a term list a page).
            same = patch is not None and search is None and not patch.routes_changed
            report = staging.commit(staged, kept, result.fingerprints, same_files=same)
        except SitegenError as exc:
            raise BuildFailed([exc]) from None
    except BaseException:
        if staging is not None:
            staging.abandon()
        if pending is not None:
            pending.abandon()
        prepared.cache.close()
        raise
    timer.lap("write")
    if options.use_cache:
        _keep(prepared, result, pending, options.output)
        if search is not None:
            prepared.cache.store_state(SEARCH_STATE, search.parts)
        formatted = formatted_dates()
        if len(formatted[1]) != prepared.dates_kept:  # this process knows more
            prepared.cache.store_state(DATES_STATE, formatted)
    pages = sum(map(operator.methodcaller("endswith", ".html"), result.paths))  # 41,000, in C
    # The next build with the same inputs has nothing to do. The signature was taken before
    # any input was read, so a file changed while this build ran no longer matches it: the
    # next build sees the change, and no second walk of the inputs is needed to tell.
    if signature is not None:
        prepared.cache.store_state(
            "last_build",
            {
                "signature": signature.digest,
                "manifest": manifest_digest(options.output),
                "files": report.written + report.unchanged,
                "pages": pages,
                "warnings": prepared.library.warnings,
            },
        )
    prepared.cache.close()
    return BuildResult(
        report,
        prepared.library.warnings,
        pages,
        time.perf_counter() - started,
        timer.timings,
        rendered=len(result.files),
        patched=_patched(prepared.patch),
    )
