"""Measure the search index on generated corpora: index time, index size, indexer's peak memory.

    python -m benchmarks.search_index --sizes 1000 10000 --seed 1

For each size the corpus comes from `python -m benchmarks.corpus` (kept under
`benchmarks/.work/search/`) and is built once with `--no-search`. Then, once per repeat, a fresh
process reads the built pages and times `sitegen.search.build_search_index` on them, exactly as
a build calls it: it writes the article and author pages to a temporary folder, runs the
Pagefind binary over them, reads the index back and puts its filters in a stable order. That
process reports:

- index time: wall seconds of the call (nothing else: the pages are already in memory);
- indexer CPU: user + system seconds of the Pagefind binary, steadier on a busy machine;
- index size: the files and bytes of `pagefind/` as the build writes them;
- indexer peak RSS: `ru_maxrss` of the process's children, i.e. the Pagefind binary;
- Python peak RSS: `ru_maxrss` of the measuring process itself (the pages plus the index).

With `--rebuild`, the script also times `sitegen build` after one article's body is edited,
with search on and with search off, since every build that changes an indexed page indexes
the whole archive again. Results are printed as a markdown table; nothing is recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WORK = BENCH_DIR / ".work" / "search"


def _measure_once(output: Path, site: Path) -> dict[str, float]:
    """In this (fresh) process: index the built site's pages once; the figures as a dict."""
    sys.path.insert(0, str(REPO))
    from sitegen.config import load_settings
    from sitegen.search import build_search_index, indexed_pages

    settings = load_settings(site)
    pages = {
        path.relative_to(output).as_posix(): path.read_bytes() for path in output.rglob("*.html")
    }
    started = time.perf_counter()
    files = build_search_index(pages, settings).files
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": seconds,
        "indexed": len(indexed_pages(pages)),
        "files": len(files),
        "bytes": sum(len(data) for data in files.values()),
        "indexer_cpu_s": children.ru_utime + children.ru_stime,
        "indexer_rss_mb": children.ru_maxrss / 1024,
        "python_rss_mb": own / 1024,
    }


def _run(command: Sequence[str], **kwargs) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done


def _corpus(size: int, seed: int) -> Path:
    site = WORK / f"corpus-{size}-seed{seed}"
    if not (site / "sitegen.toml").is_file():
        shutil.rmtree(site, ignore_errors=True)
        command = [sys.executable, "-m", "benchmarks.corpus", "--articles", str(size)]
        _run([*command, "--out", str(site), "--seed", str(seed)], cwd=REPO)
    return site


def _build(site: Path, output: Path, search: bool) -> float:
    command = [sys.executable, "-m", "sitegen", "build", "--site", str(site)]
    command += ["--output", str(output), "-q", *([] if search else ["--no-search"])]
    started = time.perf_counter()
    _run(command, cwd=REPO)
    return time.perf_counter() - started


def _edit_body(site: Path, step: int) -> None:
    article = min((site / "content" / "articles").glob("*.md"))
    with article.open("a", encoding="utf-8") as file:
        file.write(f"\nOne more paragraph, edit number {step}, about early warning.\n")


def measure_size(size: int, seed: int, repeat: int, rebuild: bool) -> dict[str, object]:
    """Every figure for one corpus size, medians over `repeat` runs."""
    site = _corpus(size, seed)
    output = WORK / f"output-{size}-seed{seed}"
    shutil.rmtree(output, ignore_errors=True)
    _build(site, output, search=False)
    runs = []
    for _ in range(repeat):
        command = [sys.executable, "-m", "benchmarks.search_index", "--measure-once"]
        done = _run([*command, str(output), str(site)], cwd=REPO)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    figures: dict[str, object] = {
        key: statistics.median(run[key] for run in runs) for key in runs[0]
    }
    if rebuild:
        work = WORK / f"edit-{size}-seed{seed}"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(site, work / "site")
        for search in (True, False):
            out = work / ("out-search" if search else "out-plain")
            _build(work / "site", out, search=search)  # cold, fills the cache
            times = []
            for step in range(repeat):
                _edit_body(work / "site", step)
                times.append(_build(work / "site", out, search=search))
            figures["edit_rebuild_search_s" if search else "edit_rebuild_plain_s"] = (
                statistics.median(times)
            )
        shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(output, ignore_errors=True)
    return figures


def _table(results: dict[int, dict[str, object]]) -> str:
    rows = [
        ("pages indexed", "indexed", "{:.0f}"),
        ("index time (s)", "seconds", "{:.2f}"),
        ("indexer CPU, user + system (s)", "indexer_cpu_s", "{:.2f}"),
        ("index files", "files", "{:.0f}"),
        ("index size (MB)", "bytes", "{:.1f}"),
        ("indexer peak RSS (MB)", "indexer_rss_mb", "{:.0f}"),
        ("Python peak RSS while indexing (MB)", "python_rss_mb", "{:.0f}"),
        ("rebuild after a body edit, search on (s)", "edit_rebuild_search_s", "{:.2f}"),
        ("rebuild after a body edit, --no-search (s)", "edit_rebuild_plain_s", "{:.2f}"),
    ]
    sizes = sorted(results)
    lines = ["| figure | " + " | ".join(f"{s:,} articles" for s in sizes) + " |"]
    lines.append("| --- |" + " ---: |" * len(sizes))
    for label, key, form in rows:
        if not any(key in results[s] for s in sizes):
            continue
        cells = []
        for size in sizes:
            value = results[size].get(key)
            if key == "bytes" and isinstance(value, (int, float)):
                value = value / 1e6
            cells.append(form.format(value) if isinstance(value, (int, float)) else "—")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: `python -m benchmarks.search_index --sizes 1000 10000`."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search_index", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000], help="article counts")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; medians shown")
    parser.add_argument("--rebuild", action="store_true", help="also time body-edit rebuilds")
    parser.add_argument("--measure-once", nargs=2, metavar=("OUTPUT", "SITE"), type=Path,
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args(argv)
    if args.measure_once:
        print(json.dumps(_measure_once(*args.measure_once)))
        return 0
    WORK.mkdir(parents=True, exist_ok=True)
    results = {}
    for size in args.sizes:
        print(f"measuring {size} articles…", file=sys.stderr, flush=True)
        results[size] = measure_size(size, args.seed, args.repeat, args.rebuild)
    load = os.getloadavg()
    print(f"\n{os.cpu_count()} cores, load average {load[0]:.1f} at the end; seed {args.seed}; "
          f"medians of {args.repeat} runs\n")  # fmt: skip
    print(_table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
