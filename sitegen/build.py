"""Runs the stages in order: load, model, render, write; with timings and warnings."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .assets import Asset, build_assets, collect_asset_files
from .config import Settings, load_settings
from .errors import BuildFailed, ConfigError, ErrorCollector, SitegenError, Warning_
from .library import Library, build_library
from .loader import Sources, load_sources
from .markdown import RenderedBody, render_markdown
from .render import render_site
from .templates import check_templates, make_environment
from .theme import search_path
from .writer import WriteReport, write_output


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path
    output_dir: Path | None = None
    drafts: bool = False
    base_url: str | None = None
    strict: bool = False
    hash_assets: bool = True

    @property
    def output(self) -> Path:
        return self.output_dir if self.output_dir is not None else self.site_dir / "output"


@dataclass
class BuildResult:
    report: WriteReport
    warnings: list[Warning_]
    pages: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = now - self._last
        self._last = now


def render_bodies(sources: Sources, settings: Settings) -> dict[tuple[str, str], RenderedBody]:
    """Markdown of every article, author and page, keyed by (kind, slug)."""
    base, raw = settings.base_path, settings.markdown.raw_html
    bodies: dict[tuple[str, str], RenderedBody] = {}
    for article in sources.articles:
        interview = article.type == "interview"
        bodies[("articles", article.slug)] = render_markdown(article.body, base, raw, interview)
    for author in sources.authors:
        bodies[("authors", author.slug)] = render_markdown(author.body, base, raw, False)
    for page in sources.pages:
        bodies[("pages", page.slug)] = render_markdown(page.body, base, raw, False)
    return bodies


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


def prepare(
    options: BuildOptions, timer: _Timer | None = None
) -> tuple[Library, dict[str, Asset], object]:
    """Load, model and check everything; raises BuildFailed before anything is written."""
    timer = timer or _Timer()
    settings = load_settings(options.site_dir, options.base_url)
    _check_output_folder(options.site_dir, options.output)
    errors = ErrorCollector()
    sources = load_sources(options.site_dir, settings, errors)
    timer.lap("load")
    bodies = render_bodies(sources, settings)
    timer.lap("markdown")
    library = build_library(settings, sources, bodies, errors, drafts=options.drafts)
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

    env = make_environment(search_path(options.site_dir, "templates"), settings, asset_url)
    check_templates(env, errors)
    errors.raise_if_any()
    if options.strict and library.warnings:
        raise BuildFailed([w.as_error() for w in library.warnings])
    timer.lap("check")
    return library, assets, env


def build_site(options: BuildOptions, progress: Callable[[str], None] | None = None) -> BuildResult:
    """Build the site into the output folder; on any error the folder is left as it was."""
    started = time.perf_counter()
    timer = _Timer()
    library, assets, env = prepare(options, timer)
    try:
        files = render_site(library, env, assets)  # type: ignore[arg-type]
    except SitegenError as exc:
        raise BuildFailed([exc]) from None
    timer.lap("render")
    try:
        report = write_output(files, options.output)
    except SitegenError as exc:
        raise BuildFailed([exc]) from None
    timer.lap("write")
    pages = sum(1 for path in files if path.endswith(".html"))
    return BuildResult(
        report, library.warnings, pages, time.perf_counter() - started, timer.timings
    )
