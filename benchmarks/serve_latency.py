"""Measure `sitegen serve`: from saving a one-article edit to the new page in the browser.

    python -m benchmarks.serve_latency --articles 1000 --repeat 5

Generates (or reuses) the seeded corpus, copies it to a scratch folder, starts `sitegen serve`
there as a subprocess, and opens one article in headless Chromium (Debian's, as the tests use).
Each round appends a paragraph with a fresh marker to that article's Markdown and takes the
time of the save; the page reloads by itself, and the round ends when the new document shows
the marker. Latency is the new document's `DOMContentLoaded` (its own clock, the same machine
clock) minus the save time. Beside it: the build's own seconds from the server's log, and the
server's CPU seconds over the round (user + system from /proc), steadier than wall time on a
busy machine. Target: under 1 s at 1,000 articles.

With search on, the server indexes the whole archive in the background after its first build
(a minute of both cores at 10,000 articles) and again after each edit; every round waits for
the index to be up to date first, so that a round times the rebuild, not the rebuild beside
an indexer. The first index's time is reported on its own line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WORK = BENCH_DIR / ".work" / "serve-latency"
CHROMIUM = "/usr/bin/chromium"
# The flags of tests/support/browser.py: no sandbox as root, no calls home on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVING = re.compile(r"Serving the preview of .* at (http://\S+) \(Ctrl-C to stop\)")
BUILT = re.compile(r"^Built (\d+) pages in ([\d.]+) s: (\d+) written")
INDEXED = re.compile(r"^Search index updated \(([\d.]+) s\)")
CONNECTED = "() => Boolean(window.LiveReload?.connector?.protocol > 0)"
LOADED_AT = (
    "() => performance.timeOrigin"
    " + performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
)


@dataclass
class Round:
    latency_s: float  # save -> new document's DOMContentLoaded
    observed_s: float  # save -> the benchmark saw the marker (adds polling and IPC)
    build_s: float | None  # what the server reported for the rebuild
    written: int | None
    server_cpu_s: float | None


class Server:
    """`sitegen serve` in a subprocess, its output kept line by line."""

    def __init__(self, site: Path, tmpdir: Path) -> None:
        command = [sys.executable, "-m", "sitegen", "serve", "--site", str(site), "--port", "0"]
        from sitegen import cli

        if not hasattr(cli, "run_serve"):  # not wired into the CLI yet
            command[1:4] = ["-m", "sitegen.serve"]
        env = dict(os.environ, TMPDIR=str(tmpdir), PYTHONUNBUFFERED="1")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=REPO,
        )
        self.lines: list[str] = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()

    def wait_for(self, pattern: re.Pattern[str], after: int, timeout: float) -> re.Match[str]:
        """The first line from index `after` on that matches."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for line in self.lines[after:]:
                    if found := pattern.search(line):
                        return found
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(
                        f"no {pattern.pattern!r} in time; output:\n" + "\n".join(self.lines)
                    )
                self.changed.wait(0.5)

    def cpu_seconds(self) -> float | None:
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def corpus(articles: int, seed: int) -> Path:
    """The seeded corpus, generated once with the command the benchmarks document."""
    folder = WORK / f"corpus-{articles}-seed{seed}"
    if not (folder / "sitegen.toml").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "benchmarks.corpus", "--articles", str(articles)]
        command += ["--out", str(folder), "--seed", str(seed)]
        subprocess.run(command, check=True, cwd=REPO)
    return folder


def measure(articles: int, seed: int, repeat: int, timeout: float) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    from sitegen.config import load_settings

    source = corpus(articles, seed)
    with tempfile.TemporaryDirectory(prefix="sitegen-serve-latency-") as scratch:
        site = Path(scratch) / "site"
        shutil.copytree(source, site)
        server_tmp = Path(scratch) / "tmp"
        server_tmp.mkdir()
        article = sorted((site / "content" / "articles").glob("*.md"))[0]
        search = load_settings(site).search
        original = article.read_text(encoding="utf-8")
        started = time.perf_counter()
        server = Server(site, server_tmp)
        rounds: list[Round] = []
        first_index: float | None = None
        try:
            url = server.wait_for(SERVING, 0, timeout).group(1)
            first = server.wait_for(BUILT, 0, 5)
            first_build = time.perf_counter() - started
            if search:
                first_index = float(server.wait_for(INDEXED, 0, timeout).group(1))
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                page = browser.new_page()
                page.set_default_timeout(timeout * 1000)
                page.goto(f"{url}articles/{article.stem}/")
                page.wait_for_function(CONNECTED)
                for number in range(repeat):
                    time.sleep(1.0)  # let the previous round settle
                    marker = f"latency-probe-{number}-{time.time_ns()}"
                    lines_before = len(server.lines)
                    cpu_before = server.cpu_seconds()
                    article.write_text(f"{original}\n\nProbe {marker}.\n", encoding="utf-8")
                    saved = time.time()
                    page.wait_for_function(
                        f"() => document.body && document.body.innerText.includes('{marker}')",
                        polling=20,
                    )
                    observed = time.time() - saved
                    loaded = page.evaluate(LOADED_AT) / 1000
                    page.wait_for_function(CONNECTED)
                    built = server.wait_for(BUILT, lines_before, 10)
                    cpu_after = server.cpu_seconds()
                    if search:  # the next round starts once this edit is indexed
                        server.wait_for(INDEXED, lines_before, timeout)
                    cpu = None
                    if cpu_before is not None and cpu_after is not None:
                        cpu = round(cpu_after - cpu_before, 3)
                    rounds.append(
                        Round(
                            latency_s=round(loaded - saved, 3),
                            observed_s=round(observed, 3),
                            build_s=float(built.group(2)),
                            written=int(built.group(3)),
                            server_cpu_s=cpu,
                        )
                    )
                    print(json.dumps(asdict(rounds[-1])), flush=True)
                browser.close()
        finally:
            status = server.stop()
        leftovers = sorted(p.name for p in server_tmp.iterdir())
    latencies = [r.latency_s for r in rounds]
    return {
        "articles": articles,
        "seed": seed,
        "pages": int(first.group(1)),
        "first_build_s": float(first.group(2)),
        "startup_s": round(first_build, 2),
        "first_index_s": first_index,
        "rounds": [asdict(r) for r in rounds],
        "latency_median_s": statistics.median(latencies) if latencies else None,
        "latency_min_s": min(latencies, default=None),
        "latency_max_s": max(latencies, default=None),
        "exit_status": status,
        "temporary_leftovers": leftovers,
        "load_average": os.getloadavg(),
        "cores": os.cpu_count(),
    }


def report(args: argparse.Namespace, results: dict, load_at_start: tuple[float, ...]) -> str:
    """The markdown section of one run: machine, date, command, the rounds and the median."""
    from .run import _git_state, _run_text, machine_line

    argv = " ".join(sys.argv[1:])
    now = os.getloadavg()
    load = ", ".join(f"{a:.1f} → {b:.1f}" for a, b in zip(load_at_start, now, strict=True))
    lines = [
        f"## Preview latency, {_run_text(['date', '-u'])}",
        "",
        f"- machine: {machine_line()}",
        f"- command: `python -m benchmarks.serve_latency {argv}`",
        f"- sitegen at {_git_state()}",
        f"- load average (1, 5, 15 min) at start → end: {load}",
        "",
        f"{args.articles:,} articles, {results['pages']} pages; first build "
        f"{results['first_build_s']} s (server up after {results['startup_s']} s)",
        "",
        f"first search index in the background: {results['first_index_s']} s; each round "
        "starts once the last edit is indexed"
        if results["first_index_s"] is not None
        else "search is off in this site",
        "",
        "| round | save → new page (s) | observed (s) | build (s) | written | server CPU (s) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for number, r in enumerate(results["rounds"], start=1):
        lines.append(
            f"| {number} | {r['latency_s']} | {r['observed_s']} | {r['build_s']} "
            f"| {r['written']} | {r['server_cpu_s']} |"
        )
    lines += [
        "",
        f"Median save → new page: **{results['latency_median_s']} s** "
        f"(min {results['latency_min_s']}, max {results['latency_max_s']}); target < 1 s.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve_latency", description=__doc__)
    parser.add_argument("--articles", type=int, default=1000, help="corpus size (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--repeat", type=int, default=5, help="edits to time (default 5)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per wait")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--record", action="store_true", help="append the table to benchmarks/RESULTS.md"
    )
    args = parser.parse_args(argv)
    load_at_start = os.getloadavg()
    results = measure(args.articles, args.seed, args.repeat, args.timeout)
    text = report(args, results, load_at_start)
    print("\n" + text)
    if args.record:
        from .run import append_results

        append_results(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0 if results["exit_status"] == 0 and not results["temporary_leftovers"] else 1


if __name__ == "__main__":
    sys.exit(main())
