"""Runs the stages in order: load, model, render, write; with timings and warnings."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .assets import Asset, build_assets, collect_asset_files
from .buildstate import (
    BuildOptions,
    BuildResult,
    input_signature,
    manifest_digest,
    unchanged_since_last_build,
)
from .cache import BuildCache
from .config import Settings, load_settings
from .errors import BuildFailed, ConfigError, ErrorCollector, SitegenError
from .ingest import ingest
from .library import Library, build_library
from .related import RelatedMemo
from .render import CARD_TEMPLATE, TEMPLATES, RenderResult, render_site
from .search import build_search_index
from .templates import check_templates, make_environment, template_dependencies
from .theme import search_path
from .writer import read_fingerprints, read_manifest, write_output


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
    """Per page template, a hash of its source and of everything it includes or extends."""
    result: dict[str, str] = {}
    everything = frozenset(env.list_templates())
    for name in set(TEMPLATES.values()):
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


@dataclass
class Prepared:
    library: Library
    assets: dict[str, Asset]
    env: jinja2.Environment
    cache: BuildCache


def prepare(options: BuildOptions, timer: _Timer | None = None) -> Prepared:
    """Load, model and check everything; raises BuildFailed before anything is written."""
    timer = timer or _Timer()
    settings = load_settings(options.site_dir, options.base_url)
    _check_output_folder(options.site_dir, options.output)
    errors = ErrorCollector()
    cache = BuildCache(options.cache, enabled=options.use_cache)
    ingested = ingest(options.site_dir, settings, errors, cache)
    timer.lap("load")
    related_memo = cache.state("related")
    library = build_library(
        settings,
        ingested.sources,
        ingested.bodies,
        errors,
        drafts=options.drafts,
        related_memo=related_memo if isinstance(related_memo, RelatedMemo) else None,
    )
    if library.related_memo is not related_memo:  # the same object when nothing changed
        cache.store_state("related", library.related_memo)
    library.content_keys = ingested.content_keys

    def load_html(kind: str, slug: str) -> str:
        html = cache.parsed_html(ingested.content_keys[(kind, slug)])
        if html is None:
            raise SitegenError("the build cache lost an entry; build again with --no-cache")
        return html

    library.html_loader = load_html
    timer.lap("library")
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
    errors.raise_if_any()
    if options.strict and library.warnings:
        raise BuildFailed([w.as_error() for w in library.warnings])
    timer.lap("check")
    return Prepared(library, assets, env, cache)


def _search_files(result: RenderResult, output: Path, settings: Settings) -> dict[str, bytes]:
    """The search index, from every HTML page: rendered now, or kept on disk unchanged."""
    previous = [p for p in read_manifest(output) if p.startswith("pagefind/")]
    if previous and not any(path.endswith(".html") for path in result.files):
        # Nothing a reader sees changed: the last index stays, as do its files. (Without a
        # last index, after a build with --no-search, there is nothing to keep: index.)
        try:
            return {p: (output / p).read_bytes() for p in previous}
        except OSError:
            pass  # a file of it has gone: index again
    pages: dict[str, bytes] = {}
    for path in result.fingerprints:
        if not path.endswith(".html"):
            continue
        data = result.files.get(path)
        pages[path] = data if data is not None else (output / path).read_bytes()
    try:
        return build_search_index(pages, settings)
    except SitegenError as exc:
        raise BuildFailed([exc]) from None


def _relative_to_site(errors: list[SitegenError], site_dir: Path) -> None:
    """Show files inside the site relative to it, as content files are shown."""
    site = site_dir.resolve()
    for error in errors:
        if error.path and Path(error.path).is_absolute():
            path = Path(error.path).resolve()
            if site in path.parents:
                error.path = path.relative_to(site).as_posix()


def build_site(options: BuildOptions, signature: str | None = None) -> BuildResult:
    """Build the site into the output folder; on any error the folder is left as it was.

    `signature` is the `input_signature` the caller has just taken, if any.
    """
    try:
        return _build(options, signature)
    except BuildFailed as failed:
        _relative_to_site(failed.errors, options.site_dir)
        raise


def _build(options: BuildOptions, signature: str | None) -> BuildResult:
    started = time.perf_counter()
    if signature is None:
        signature = input_signature(options) if options.use_cache else ""
    if signature:
        unchanged = unchanged_since_last_build(options, signature)
        if unchanged is not None:
            unchanged.seconds = time.perf_counter() - started
            return unchanged
    timer = _Timer()
    prepared = prepare(options, timer)
    previous = read_fingerprints(options.output) if options.use_cache else {}
    try:
        result = render_site(
            prepared.library,
            prepared.env,
            prepared.assets,
            _template_sources(prepared.env),
            previous,
        )
    except SitegenError as exc:
        raise BuildFailed([exc]) from None
    timer.lap("render")
    files = result.files
    if options.search and prepared.library.settings.search:
        files = {**files, **_search_files(result, options.output, prepared.library.settings)}
        timer.lap("search")
    try:
        report = write_output(files, options.output, result.kept, result.fingerprints)
    except SitegenError as exc:
        prepared.cache.close()
        raise BuildFailed([exc]) from None
    timer.lap("write")
    pages = sum(1 for path in result.fingerprints if path.endswith(".html"))
    if signature and signature == input_signature(options):  # nothing moved while we built
        prepared.cache.store_state(
            "last_build",
            {
                "signature": signature,
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
    )
