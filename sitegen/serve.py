"""`sitegen serve`: a live preview, built into a temporary folder and served on loopback.

The preview is built with the same `build_site` as a deployment, into a folder of its own that
is deleted on exit, and served under the path of `base_url` exactly as deployed. A watcher
batches file events into one rebuild; browsers reload only once the rebuild is complete. A
failed build leaves the server running and shows its errors in the browser until they are fixed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .buildstate import BuildOptions, BuildResult
from .cli import DEFAULT_HOST, DEFAULT_PORT, add_serve_arguments
from .config import CONFIG_NAME, Settings, load_settings
from .errors import BuildFailed, SitegenError
from .preview.net import PortError, bind_first_free, is_loopback, url_host
from .preview.state import SEARCH_FOLDER, Preview, Published, reload_paths
from .preview.watch import Snapshot, Watcher, scan
from .progress import Progress, above_bars, on_terminal, silent
from .writer import read_manifest

if TYPE_CHECKING:  # tornado is imported only when a server starts, not by every command
    from .preview.server import ReloadHub
    from .search import Part


# --- the command line --------------------------------------------------------------------


def run_serve(args: argparse.Namespace) -> int:
    """Run `sitegen serve` until Ctrl-C; the exit status."""
    options = ServeOptions(
        site_dir=args.site,
        host=args.host if args.host is not None else DEFAULT_HOST,
        port=args.port,
        drafts=args.drafts,
        open_browser=args.open,
    )
    try:
        return PreviewSession(options, Console(sys.stdout, sys.stderr)).run()
    except KeyboardInterrupt:  # a second Ctrl-C while stopping
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m sitegen.serve`: the same command outside the `sitegen` CLI."""
    parser = argparse.ArgumentParser(prog="sitegen serve", description=__doc__.split("\n")[0])
    add_serve_arguments(parser)
    return run_serve(parser.parse_args(argv))


# --- what the command prints ------------------------------------------------------------


class Console:
    """Everything `sitegen serve` prints: news to `out`, problems to `err`; thread-safe."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out, self.err = out, err
        self._lock = threading.Lock()

    def info(self, text: str) -> None:
        with self._lock, above_bars(self.out):
            print(text, file=self.out, flush=True)

    def problem(self, text: str) -> None:
        with self._lock, above_bars(self.err):
            print(text, file=self.err, flush=True)

    def errors(self, errors: Sequence[SitegenError]) -> None:
        with self._lock, above_bars(self.err):
            for error in errors:
                print(f"error: {error.format()}", file=self.err)
            print(f"{len(errors)} error{'s' if len(errors) != 1 else ''}", file=self.err)
            self.err.flush()


# --- building ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ServeOptions:
    site_dir: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    drafts: bool = False
    open_browser: bool = False


@dataclass(frozen=True)
class Outcome:
    """One preview build: its result, or the errors that stopped it."""

    base_path: str
    result: BuildResult | None = None
    errors: tuple[SitegenError, ...] = ()
    crash: str = ""  # a traceback, when the build failed for a reason that is not the site's
    settings: Settings | None = None  # as the preview was built with them

    @property
    def failed(self) -> bool:
        return self.result is None


class PreviewBuilder:
    """Builds the preview; the one place where a faster, incremental build drops in.

    `build_site` is called with the same output folder every time, so its writer skips
    unchanged files; `changes` (site-relative paths) is what an incremental build will need.
    """

    def __init__(
        self, site_dir: Path, output: Path, cache_dir: Path, drafts: bool, origin: str
    ) -> None:
        self.site_dir = site_dir
        self.output = output
        self.cache_dir = cache_dir
        self.drafts = drafts
        self.origin = origin  # scheme, host and port of this server
        self.base_path = "/"

    def build(
        self,
        changes: frozenset[str] | None = None,
        stamps: Mapping[str, os.stat_result] | None = None,
        progress: Progress = silent,
    ) -> Outcome:
        """Build once; never raises for a problem of the site. `stamps`: the watcher's
        stat of every file it has just scanned (see build_site); `progress` hears how far
        the build has got."""
        try:
            settings = load_settings(self.site_dir)
            self.base_path = settings.base_path
            # Absolute links (canonical, feeds, sitemap) point at this server too.
            settings = settings.with_base_url(self.origin + self.base_path)
            options = BuildOptions(
                site_dir=self.site_dir,
                output_dir=self.output,
                drafts=self.drafts,
                base_url=settings.base_url,
                strict=False,
                # Stable names: a stylesheet edit changes one file and no page.
                hash_assets=False,
                # The preview's own cache, deleted with it: a deployment build never sees
                # entries made with the preview's base_url and asset names.
                cache_dir=self.cache_dir,
                # Indexed after the browser has reloaded, in the background: see SearchIndexer.
                search=False,
            )
            from .build import build_site  # the pipeline loads on the first build

            # No input signature: the watcher already knows that something changed, and
            # a preview never answers from the last build's state.
            result = build_site(options, check_inputs=False, stamps=stamps, progress=progress)
        except BuildFailed as failed:
            return Outcome(self.base_path, errors=tuple(failed.errors))
        except SitegenError as error:
            return Outcome(self.base_path, errors=(error,))
        except Exception:
            return Outcome(self.base_path, crash=traceback.format_exc())
        return Outcome(self.base_path, result=result, settings=settings)


class PagesOnDisk(Mapping[str, bytes]):
    """Output path -> bytes of HTML pages, read only when asked for; a whole archive stays on disk."""

    def __init__(self, root: Path, paths: Sequence[str]) -> None:
        self.root = root
        self.paths = paths

    def __getitem__(self, path: str) -> bytes:
        if path not in self.paths:
            raise KeyError(path)
        return (self.root / path).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


class SearchIndexer:
    """The preview's search index, rebuilt in one background thread after each reload.

    The build runs with search off so that no page waits for the index. Each index goes into
    a folder of its own beside the build's output, and is served from there once complete;
    a newer request supersedes one still queued.
    """

    def __init__(self, preview: Preview, folder: Path, console: Console) -> None:
        self.preview = preview
        self.folder = folder  # the session's temporary folder
        self.console = console
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sitegen-search")
        self._queued: Future[None] | None = None
        self._count = 0
        # The index served now: its folder and parts, which the next starts from.
        self._last: tuple[Path, dict[str, Part]] | None = None

    def request(self, output: Path, manifest: Mapping[str, str], settings: Settings) -> None:
        """Index the pages of the preview folder, as `manifest` lists them, soon."""
        if not settings.search:
            return
        if self._queued is not None:
            self._queued.cancel()
        self._count += 1
        pages = sorted(path for path in manifest if path.endswith(".html"))
        target = self.folder / f"search-{self._count}"
        job = self.executor.submit(self._index, output, pages, settings, target, self._count)
        self._queued = job
        job.add_done_callback(self._done)

    def _index(
        self, output: Path, pages: list[str], settings: Settings, target: Path, number: int
    ) -> None:
        # Indexing a large archive takes seconds of CPU: it waits until the editor pauses,
        # and runs at a lower priority (this thread and the Pagefind process it starts), so
        # that the next rebuild is not slowed down by it.
        if self._superseded(number, wait=self.PAUSE):
            return
        _lower_this_threads_priority()
        from .search import build_search_index

        started = time.perf_counter()
        last_root, last_parts = self._last or (None, None)
        # The last index's files were written by this indexer from the bytes it lists.
        kept_file = None if last_root is None else (lambda path, sha: last_root / path)
        index = build_search_index(
            PagesOnDisk(output, pages), settings, last_parts, kept_file=kept_file
        )
        files = index.files
        for path, data in files.items():
            parts = path.split("/")
            if parts[0] != SEARCH_FOLDER or ".." in parts or "" in parts:
                raise ValueError(f"search index file outside {SEARCH_FOLDER}/: {path!r}")
            file = target.joinpath(*parts)
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(data)
        target.mkdir(parents=True, exist_ok=True)
        replaced = self.preview.update(lambda current: replace(current, search_root=target))
        self._last = (target, index.parts)
        if replaced.search_root is not None and replaced.search_root != target:
            shutil.rmtree(replaced.search_root, ignore_errors=True)
        # Until this line the preview's search shows the pages as they were; on a large
        # archive the first index takes a while, and the machine is busy meanwhile.
        self.console.info(f"Search index updated ({time.perf_counter() - started:.1f} s).")

    PAUSE = 3.0  # seconds without a newer rebuild before indexing starts

    def _superseded(self, number: int, wait: float) -> bool:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if number != self._count:
                return True
            time.sleep(0.05)
        return number != self._count

    def _done(self, job: Future[None]) -> None:
        if not job.cancelled() and job.exception() is not None:
            self.console.problem(f"warning: search indexing failed: {job.exception()!r}")

    def shutdown(self) -> None:
        """Drop queued work and wait for the running index, which writes into our folder."""
        self._count += 1  # an index still waiting for a pause gives up at once
        self.executor.shutdown(wait=True, cancel_futures=True)


def _lower_this_threads_priority() -> None:
    """On Linux a thread has a nice value of its own, inherited by the processes it starts."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def changed_outputs(before: dict[str, str], after: dict[str, str]) -> set[str]:
    """Output files whose content differs between two writer manifests (path -> sha256)."""
    # The pairs in one manifest only, as sets in C: a comprehension over 41,000 paths took a
    # tenth of the preview's rebuild at 10,000 articles.
    return {path for path, _ in before.items() ^ after.items()}


def _describe_changes(changes: set[str]) -> str:
    ordered = sorted(changes)
    if len(ordered) == 1:
        return f"{ordered[0]} changed"
    shown = ", ".join(ordered[:3]) + (", …" if len(ordered) > 3 else "")
    return f"{len(ordered)} files changed ({shown})"


# --- the session ------------------------------------------------------------------------


class PreviewSession:
    """One run of `sitegen serve`: temporary folder, first build, server, watcher, clean-up."""

    def __init__(self, options: ServeOptions, console: Console) -> None:
        self.options = options
        self.console = console
        self.site_dir = options.site_dir
        from .preview.server import ReloadHub

        self.hub: ReloadHub = ReloadHub()
        self.indexer: SearchIndexer | None = None
        self.preview: Preview | None = None
        self.builder: PreviewBuilder | None = None
        self.watcher: Watcher | None = None
        self.manifest: dict[str, str] = {}  # what the writer says the preview folder holds
        self.url = ""
        self.exit_status = 0
        self.warnings_shown: set[str] = set()
        self._session = secrets.token_hex(4)  # a restarted server never repeats a generation
        self._reloads = 0

    def run(self) -> int:
        """Serve until Ctrl-C or SIGTERM; always removes the temporary folder."""
        import asyncio  # here, so that other commands do not pay for importing it

        options = self.options
        if not (self.site_dir / CONFIG_NAME).is_file():
            self.console.problem(
                f"error: {self.site_dir / CONFIG_NAME}: no settings file "
                "(is --site the site's folder?)"
            )
            return 1
        try:
            sockets, port, busy = bind_first_free(options.host, options.port)
        except PortError as exc:
            self.console.problem(f"error: {exc}")
            return 1
        if busy:
            taken = f"Port {busy[0]} is" if len(busy) == 1 else f"Ports {busy[0]}-{busy[-1]} are"
            self.console.problem(
                f"{taken} already in use on {options.host} (another server is running there); "
                f"using port {port} instead."
            )
        if not is_loopback(options.host):
            drafts = ", drafts included" if options.drafts else ""
            self.console.problem(
                f"warning: listening on {options.host}, which other machines may reach: "
                f"anyone on the network can read this preview{drafts}."
            )
        temporary = Path(tempfile.mkdtemp(prefix="sitegen-serve-"))
        watcher: Watcher | None = None
        previous_sigterm = _treat_sigterm_as_interrupt()
        try:
            output = temporary / "site"
            origin = f"http://{url_host(options.host)}:{port}"
            self.builder = PreviewBuilder(
                self.site_dir, output, temporary / "cache", options.drafts, origin
            )
            # Before the build, so that no edit during it is missed.
            stats: dict[str, os.stat_result] = {}
            sources = scan(self.site_dir, stats=stats)
            self._first_build(sources, output, temporary, stats)
            watcher = self.watcher = Watcher(self.site_dir, self._rebuild, snapshot=sources)
            self.url = origin + self.preview.published.base_path  # type: ignore[union-attr]
            loop = asyncio.new_event_loop()
            try:
                loop.run_until_complete(self._serve(sockets, watcher))
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()
            self.console.info("Stopping…")
        except KeyboardInterrupt:
            self.console.info("Stopping…")
        finally:
            for sock in sockets:
                sock.close()
            try:
                self._stop_background(watcher)
            finally:
                # Even when a second Ctrl-C cut the wait short.
                shutil.rmtree(temporary, ignore_errors=True)
                if previous_sigterm is not None:
                    signal.signal(signal.SIGTERM, previous_sigterm)
        if temporary.exists():
            self.console.problem(f"warning: could not remove the preview folder {temporary}")
            return self.exit_status or 1
        self.console.info(f"Stopped; removed the preview folder {temporary}.")
        return self.exit_status

    def _stop_background(self, watcher: Watcher | None) -> None:
        # The temporary folder goes only once nothing can write into it any more.
        if watcher is not None and watcher.is_alive():
            watcher.stop()
            if watcher.busy.is_set():
                self.console.info("Waiting for the running build to finish…")
            watcher.join()
        if self.indexer is not None:
            self.indexer.shutdown()

    def _first_build(
        self,
        sources: Snapshot,
        output: Path,
        temporary: Path,
        stats: Mapping[str, os.stat_result],
    ) -> None:
        assert self.builder is not None
        count = sum(1 for path in sources if path.startswith("content/"))
        self.console.info(
            f"Building a preview of {self.site_dir} ({count} content files) into {output}; "
            "it is deleted on exit."
        )
        with on_terminal(self.console.err) as progress:
            outcome = self.builder.build(stamps=stats, progress=progress)
        self.manifest = read_manifest(output)
        published = self._published(outcome, output)
        self.preview = Preview(published)
        self.indexer = SearchIndexer(self.preview, temporary, self.console)
        self._report(outcome)
        if outcome.settings is not None:
            self.indexer.request(output, self.manifest, outcome.settings)

    def _published(self, outcome: Outcome, output: Path) -> Published:
        return Published(
            root=output,
            base_path=outcome.base_path,
            errors=outcome.errors,
            crash=outcome.crash,
            site_dir=self.site_dir,
            generation=f"{self._session}-{self._reloads}",
        )

    def _report(self, outcome: Outcome) -> None:
        if outcome.result is not None:
            result, report = outcome.result, outcome.result.report
            # Each warning once, not again on every rebuild.
            warnings = {warning.format() for warning in result.warnings}
            for warning in sorted(warnings - self.warnings_shown):
                self.console.problem(f"warning: {warning}")
            self.warnings_shown = warnings
            self.console.info(
                f"Built {result.pages} pages in {result.seconds:.2f} s: {report.written} written, "
                f"{report.unchanged} unchanged, {report.deleted} deleted, "
                f"{len(result.warnings)} warning{'s' if len(result.warnings) != 1 else ''}."
            )
            return
        if outcome.crash:
            self.console.problem(outcome.crash.rstrip())
            self.console.problem("error: the build crashed; the browser shows the traceback.")
            return
        self.console.errors(outcome.errors)
        self.console.problem("The browser shows these errors until they are fixed.")

    def _rebuild(self, changes: set[str]) -> None:
        """Rebuild after a batch of changes, then reload the browsers; in the watcher's thread."""
        assert self.builder is not None and self.preview is not None
        self.console.info(f"{_describe_changes(changes)}; rebuilding…")
        before = self.preview.published
        stats = self.watcher.stats if self.watcher is not None else None
        # A template edit renders every page again: as long as a first build, and shown
        # the same way. The search indexer's news is printed above the bars (Console).
        with on_terminal(self.console.err) as progress:
            outcome = self.builder.build(frozenset(changes), stats, progress=progress)
        manifest = read_manifest(before.root)
        changed = changed_outputs(self.manifest, manifest)
        self.manifest = manifest
        published = self._published(outcome, before.root)
        paths = reload_paths(before, published, changed)
        if paths:
            self._reloads += 1
        published = replace(published, generation=f"{self._session}-{self._reloads}")
        # First publish, then reload: never the other way. The search index stays as it was.
        self.preview.update(lambda current: replace(published, search_root=current.search_root))
        self._report(outcome)
        if published.base_path != before.base_path:
            self.url = self.url.rsplit(before.base_path, 1)[0] + published.base_path
            self.console.info(f"base_url's path changed: the preview is now at {self.url}")
        if paths:
            self.hub.reload(paths)
            shown = "the page" if paths == ["*"] else ", ".join(paths)
            browsers = len(self.hub.sockets)
            self.console.info(f"Reloading {shown} in {browsers} browser{'s' * (browsers != 1)}.")
        pages_changed = any(path.endswith(".html") for path in changed)
        if outcome.settings is not None and pages_changed and self.indexer is not None:
            self.indexer.request(before.root, manifest, outcome.settings)

    async def _serve(self, sockets: list[socket.socket], watcher: Watcher) -> None:
        import asyncio
        import webbrowser

        from tornado.httpserver import HTTPServer
        from tornado.ioloop import IOLoop, PeriodicCallback

        from .preview.server import make_application

        assert self.preview is not None
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stopping.set)
        self.hub.loop = IOLoop.current()
        application = make_application(
            self.preview, self.hub, loopback_only=is_loopback(self.options.host)
        )
        server = HTTPServer(application)
        server.add_sockets(sockets)

        def check_watcher() -> None:
            if not watcher.is_alive() and not stopping.is_set():
                self.console.problem(f"error: the file watcher stopped: {watcher.failure!r}")
                self.exit_status = 1
                stopping.set()

        health = PeriodicCallback(check_watcher, 1000)
        try:
            watcher.start()
            health.start()
            self.console.info(
                "Watching content/, templates/, assets/ and sitegen.toml; "
                "the browser reloads after each rebuild."
            )
            self.console.info(
                f"Serving the preview of {self.site_dir} at {self.url} (Ctrl-C to stop)"
            )
            if self.options.open_browser:
                threading.Thread(target=webbrowser.open, args=(self.url,), daemon=True).start()
            await stopping.wait()
        finally:
            health.stop()
            server.stop()
            self.hub.close_all()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(server.close_all_connections(), timeout=2)
            for signal_number in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signal_number)
            # Until the background threads are joined, a second Ctrl-C stops the wait.
            signal.signal(signal.SIGINT, signal.default_int_handler)
            _treat_sigterm_as_interrupt()


_MAIN_PID = os.getpid()


def _interrupt(signal_number: int, frame: object) -> None:
    if os.getpid() != _MAIN_PID:
        # A worker forked by the build: SIGTERM is how its pool ends it; die as by default.
        signal.signal(signal_number, signal.SIG_DFL)
        os.kill(os.getpid(), signal_number)
        return
    raise KeyboardInterrupt


def _treat_sigterm_as_interrupt() -> signal.Handlers | Callable | int | None:
    """Make SIGTERM stop the command like Ctrl-C, with clean-up; the previous handler."""
    global _MAIN_PID
    if threading.current_thread() is not threading.main_thread():
        return None
    _MAIN_PID = os.getpid()
    return signal.signal(signal.SIGTERM, _interrupt)


if __name__ == "__main__":
    sys.exit(main())
