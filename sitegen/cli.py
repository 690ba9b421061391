"""Commands, exit status, and everything printed."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__
from .buildstate import BuildOptions, input_signature, unchanged_since_last_build
from .errors import BuildFailed, SitegenError


def _print_errors(errors: Sequence[SitegenError]) -> None:
    for error in errors:
        print(f"error: {error.format()}", file=sys.stderr)
    print(f"{len(errors)} error{'s' if len(errors) != 1 else ''}", file=sys.stderr)


def _add_build(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("build", help="build the site into output/")
    parser.add_argument("--site", type=Path, default=Path("."), help="site folder (default: .)")
    parser.add_argument("--output", type=Path, help="output folder (default: SITE/output)")
    parser.add_argument("--drafts", action="store_true", help="include drafts")
    parser.add_argument("--base-url", help="override base_url for this build")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--no-search", action="store_true", help="skip the search index")
    parser.add_argument(
        "--no-cache", action="store_true", help="ignore .sitegen-cache/ and render everything"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    parser.add_argument("-v", "--verbose", action="store_true", help="print stage timings")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")


# `sitegen serve`: its options here, its code loaded only when it runs (a build starts faster).
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", type=Path, default=Path("."), help="site folder (default: .)")
    parser.add_argument(
        "--host",
        help=f"address to listen on (default: {DEFAULT_HOST}; any other is reachable by others)",
    )
    parser.add_argument(
        "--port",
        type=_port_number,
        default=DEFAULT_PORT,
        help=f"port to listen on; the next free one if busy (default: {DEFAULT_PORT})",
    )
    parser.add_argument("--drafts", action="store_true", help="include drafts")
    parser.add_argument("--open", action="store_true", help="open the preview in a web browser")


def _port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r} (0 to 65535)")
    return port


def _add_serve(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "serve",
        help="preview the site with live reload",
        description="Build the site into a temporary folder, serve it under base_url's path on "
        "loopback, and rebuild and reload the browser whenever a source changes.",
    )
    add_serve_arguments(parser)


def _run_serve(args: argparse.Namespace) -> int:
    from .serve import run_serve

    return run_serve(args)


def _add_import(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "import",
        help="turn raw article text into Markdown with front matter",
        description="Import raw article text (a file, or every .txt in a folder) into content/.",
    )
    parser.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", help="text files or folders")
    parser.add_argument("--site", type=Path, default=Path("."), help="site folder (default: .)")
    parser.add_argument("--date", help="publication date, YYYY-MM-DD or YYYY-MM")
    parser.add_argument("--type", help="interview, analysis, commentary, report or news")
    parser.add_argument("--topic", action="append", default=[], help="a topic (repeatable)")
    parser.add_argument("--region", action="append", default=[], help="a region (repeatable)")
    parser.add_argument("--slug", help="the article's slug, instead of one from the title")
    parser.add_argument("--force", action="store_true", help="replace an article with this slug")
    parser.add_argument("--dry-run", action="store_true", help="show what would be written")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")


def _run_import(args: argparse.Namespace) -> int:
    from .importer import ImportOptions, import_texts

    options = ImportOptions(
        date=args.date,
        type=args.type,
        topics=tuple(args.topic),
        regions=tuple(args.region),
        slug=args.slug,
        force=args.force,
        dry_run=args.dry_run,
    )
    report = import_texts([Path(p) for p in args.paths], args.site, options)
    for line in report.messages():
        print(line)
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sitegen",
        description="Publish an archive of interviews and analyses as a static site.",
    )
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_build(commands)
    _add_import(commands)
    _add_serve(commands)
    return parser


def _run_build(args: argparse.Namespace) -> int:
    options = BuildOptions(
        site_dir=args.site,
        output_dir=args.output,
        drafts=args.drafts,
        base_url=args.base_url,
        strict=args.strict,
        search=not args.no_search,
        use_cache=not args.no_cache,
    )
    result = None
    signature = None
    if options.use_cache:  # answer a build with nothing to do before loading the pipeline
        signature = input_signature(options)
        result = unchanged_since_last_build(options, signature)
    if result is None:
        from .build import build_site
        from .progress import on_terminal

        with on_terminal(None if args.quiet else sys.stderr) as progress:
            result = build_site(options, signature, progress=progress)
    if not args.quiet:
        for warning in result.warnings:
            print(f"warning: {warning.format()}", file=sys.stderr)
    if args.verbose:
        for stage, seconds in result.timings.items():
            print(f"  {stage:<10} {seconds:7.3f} s")
        if result.patched:
            files = (
                f"{result.patched} new, edited or deleted file{'s' if result.patched != 1 else ''}"
            )
            print(f"  patched the last build's library for {files}")
    report = result.report
    if not args.quiet:
        print(
            f"Built {report.written + report.unchanged} files ({result.pages} pages): "
            f"{report.written} written, {report.unchanged} unchanged, {report.deleted} deleted, "
            f"{len(result.warnings)} warning{'s' if len(result.warnings) != 1 else ''}, "
            f"{result.seconds:.2f} s"
        )
    return 0


def run() -> NoReturn:
    """The `sitegen` command: `main`, then an exit that skips the interpreter's teardown.

    A build leaves hundreds of megabytes of small objects; freeing them one by one at
    exit took a second after a build of 10,000 articles, longer than the edit's own
    rebuild. Output is flushed first; the build has closed its files and its cache.
    Under a profiler or a tracer (coverage) the normal exit runs, so they can report.
    """
    code = main()
    if sys.getprofile() is not None or sys.gettrace() is not None:
        raise SystemExit(code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `sitegen` command, returning its exit status."""
    args = make_parser().parse_args(argv)
    debug = getattr(args, "debug", False)
    try:
        if args.command == "build":
            return _run_build(args)
        if args.command == "import":
            return _run_import(args)
        if args.command == "serve":
            return _run_serve(args)
    except BuildFailed as failed:
        if debug:
            traceback.print_exc()
        _print_errors(failed.errors)
        return 1
    except SitegenError as error:
        if debug:
            traceback.print_exc()
        _print_errors([error])
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 2
