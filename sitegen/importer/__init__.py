"""`sitegen import`: raw article text to content files, in one step.

A side entrance to the site: it reads raw text and `content/authors/`, and writes
`content/articles/<slug>.md` and new `content/authors/<slug>.md` files. It never
imports the render or writer stages, and it prints nothing: the report carries
every message for the CLI.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..config import load_settings
from ..errors import BuildFailed, ImportError_, SitegenError, Warning_
from .compose import ArticlePlan, ArticleProblems, check_options, compose_article
from .options import ImportOptions, ImportReport, PlannedFile
from .parse import parse_text
from .people import AuthorIndex
from .sources import expand_paths, read_source
from .write import write_all

__all__ = ["ImportOptions", "ImportReport", "PlannedFile", "import_texts"]


def import_texts(paths: list[Path], site_dir: Path, options: ImportOptions) -> ImportReport:
    """Import raw text files into `site_dir/content/`; all of them, or, on any error, none.

    Raises BuildFailed listing every problem of every input. With `options.dry_run`
    nothing is written and the report holds the target paths and front matter.
    """
    settings = load_settings(site_dir)  # BuildFailed if the folder is not a site
    options = _normalised(options)
    errors: list[SitegenError] = []
    files = expand_paths(paths, errors)
    option_errors = check_options(options, settings, len(files))
    sources = []
    for path, shown in files:
        try:
            sources.append(read_source(path, shown))
        except ImportError_ as exc:
            errors.append(exc)
    errors.extend(option_errors)
    people = AuthorIndex.from_folder(site_dir / "content" / "authors")
    plans: list[ArticlePlan] = []
    for source in sources if not option_errors else []:
        try:
            parsed = parse_text(source.text)
            plans.append(compose_article(source.shown, parsed, options, settings, people))
        except ArticleProblems as problems:
            errors.extend(problems.problems)
    if not files and not errors:
        errors.append(ImportError_("no input files given", "import"))
    planned, unchanged = _place(plans, site_dir, options, errors)
    if errors:
        raise BuildFailed(errors)
    hints: list[Warning_] = [hint for plan in plans for hint in plan.hints]
    hints.extend(
        Warning_(f"author file not used for matching: {problem.message}", problem.path)
        for problem in people.unreadable
    )
    existing = tuple(
        dict.fromkeys(
            author.path for plan in plans for author in plan.existing_authors if author.path
        )
    )
    drafts = tuple(
        site_dir / "content" / "articles" / f"{plan.slug}.md" for plan in plans if plan.draft
    )
    to_write = [p for p in planned if p.status != "unchanged"]
    if not options.dry_run:
        write_all([(p.path, p.text) for p in to_write])
    return ImportReport(
        site_dir=site_dir,
        planned=tuple(planned),
        written=() if options.dry_run else tuple(p.path for p in to_write),
        unchanged=tuple(unchanged),
        existing_authors=existing,
        drafts=drafts,
        hints=tuple(hints),
        dry_run=options.dry_run,
    )


def _normalised(options: ImportOptions) -> ImportOptions:
    """Terms stripped and each given once, in the order given."""

    def clean(terms: tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
        return tuple(dict.fromkeys(" ".join(term.split()) for term in terms or ()))

    return replace(options, topics=clean(options.topics), regions=clean(options.regions))


def _place(
    plans: list[ArticlePlan],
    site_dir: Path,
    options: ImportOptions,
    errors: list[SitegenError],
) -> tuple[list[PlannedFile], list[Path]]:
    """Target paths for every plan, checked against the disk and against each other."""
    articles = site_dir / "content" / "articles"
    authors = site_dir / "content" / "authors"
    planned: list[PlannedFile] = []
    unchanged: list[Path] = []
    claimed: dict[Path, str] = {}
    for plan in plans:
        target = articles / f"{plan.slug}.md"
        if target in claimed:
            errors.append(
                ImportError_(
                    f"maps to the same article as {claimed[target]}: {_rel(target, site_dir)}",
                    plan.source,
                    key="slug",
                    hint="import it on its own with --slug SLUG",
                )
            )
            continue
        claimed[target] = plan.source
        status = _status(target, plan.text)
        if status == "replaced" and not options.force:
            errors.append(
                ImportError_(
                    f"{_rel(target, site_dir)} already holds a different article",
                    plan.source,
                    key="slug",
                    hint="give --slug SLUG to import it under another name, "
                    "or --force to replace it",
                )
            )
            continue
        if status == "unchanged":
            unchanged.append(target)
        planned.append(PlannedFile(target, plan.text, "article", status, plan.source))
        for author in plan.authors:
            path = authors / f"{author.slug}.md"
            if path in claimed or path.exists():
                continue  # the first plan for a person wins; existing files are never touched
            claimed[path] = plan.source
            planned.append(PlannedFile(path, author.text, "author", "new", plan.source))
    return planned, unchanged


def _status(target: Path, text: str) -> str:
    try:
        existing = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return "new"
    except (OSError, UnicodeDecodeError):
        return "replaced"
    return "unchanged" if existing == text else "replaced"


def _rel(path: Path, site_dir: Path) -> str:
    try:
        return str(path.relative_to(site_dir))
    except ValueError:
        return str(path)
