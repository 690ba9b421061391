"""Where a cold build's time goes: py-spy over every process, summed by part of the build.

    python -m benchmarks.profile --articles 10000 --run-dir /dev/shm/sitegen-profile --record

Generates (or reuses) the benchmark's seeded corpus, copies it to a scratch folder, and builds
it cold, without search (its indexer is not Python), under `py-spy record --subprocesses`, so
that the workers are sampled too. Each sample goes to the part of the build it was in: the
innermost frame whose file names a part decides (`PARTS`), so time spent in the standard
library counts for the code that called it. The pool's helper threads in the build's own
process, which mostly wait on pipes, are counted apart and left out of the shares.

py-spy is not a dependency of sitegen: `pip install py-spy` (it needs ptrace, which a
container may have to allow), or `--install-py-spy` to put it into the peers' venv under
`benchmarks/.work/venv`. py-spy takes a share of the cores itself (at 200 samples a second,
a 26 s build took 30 s beside it), so the shares are what this tells, not the seconds. It
samples without stopping the build (`--nonblocking`): the few stacks it reads cut short
count as `other`.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import peers
from .run import REPO, VENV, WORK, _git_state, _run_text, append_results, machine_line

# (part, the folders or files that put a frame there); the first match wins. py-spy names
# a file by its path below the entry of sys.path it came from (`jinja2/runtime.py`);
# compiled templates by their file (`templates/base.html`).
PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Markdown (markdown-it-py)", ("sitegen/markdown.py", "markdown_it/", "mdit_py_plugins/")),
    ("templates (Jinja)", ("jinja2/", "markupsafe/", "sitegen/templates.py", "templates/")),
    ("front matter (YAML)", ("sitegen/frontmatter_yaml.py", "yaml/", "frontmatter/")),
    ("content checks and models", ("sitegen/loader.py", "sitegen/model.py", "sitegen/dates.py")),
    ("top words", ("sitegen/related.py:top_words", "sitegen/related.py:words")),
    ("related posts", ("sitegen/related.py",)),
    ("feeds", ("sitegen/feeds.py", "feedgen/")),
    ("citation files", ("sitegen/citations.py", "bibtexparser/", "rispy/")),
    ("page views", ("sitegen/render.py", "sitegen/structured.py")),
    ("writing files", ("sitegen/writer.py",)),
    ("fingerprints", ("sitegen/fingerprints.py",)),
    ("build cache", ("sitegen/cache.py",)),
    ("parse stage's own code", ("sitegen/ingest.py",)),
    ("library (indexing)", ("sitegen/library.py",)),
    ("workers: pickling and pipes", ("multiprocessing/",)),
    ("imports", ("<frozen importlib",)),
    ("other sitegen", ("sitegen/",)),
)
POOL_THREADS = ("Pool._handle_workers", "Pool._handle_results", "Pool._handle_tasks")
OTHER = "other"


@dataclass
class Profile:
    samples: int  # of the build's work: pool threads left out
    waiting: int  # in the pool's helper threads
    parts: collections.Counter[str]
    own: collections.Counter[str]  # innermost frames: where the interpreter itself was


def frame_key(frame: str) -> str:
    """`/path:function` from py-spy's `function (path:line)`: a folder or file of PARTS
    matches where `/` and it stand in the key, so `yaml/` is not `pyyaml/`."""
    function, _, where = frame.partition(" (")
    return f"/{where.rpartition(':')[0]}:{function}"


def part_of(frames: Sequence[str]) -> str:
    """The part of the build a stack (outermost frame first) was in."""
    for frame in reversed(frames):
        if frame.startswith("process "):  # py-spy's frame for the process: its command line
            continue
        key = frame_key(frame)
        for part, fragments in PARTS:
            if any(f"/{fragment}" in key for fragment in fragments):
                return part
    return OTHER


def summarise(lines: Iterable[str]) -> Profile:
    """Sum py-spy's raw (collapsed) output, one stack and its count a line."""
    parts: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    samples = waiting = 0
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        if any(thread in frame for frame in frames for thread in POOL_THREADS):
            waiting += int(count)
            continue
        samples += int(count)
        parts[part_of(frames)] += int(count)
        own[frames[-1].rpartition(":")[0] + ")"] += int(count)
    return Profile(samples, waiting, parts, own)


def py_spy(install: bool) -> str:
    """The py-spy command: on the PATH, else in the peers' venv (installed there on request)."""
    in_venv = VENV / "bin" / "py-spy"
    if install and not in_venv.exists():
        if not peers.venv_python(VENV).exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(peers.venv_python(VENV)), "-m", "pip", "install", "--quiet", "py-spy>=0.4"]
        subprocess.run(pip, check=True)
    found = shutil.which("py-spy") or (str(in_venv) if in_venv.exists() else None)
    if found is None:
        raise SystemExit("py-spy not found: pip install py-spy, or run with --install-py-spy")
    return found


def record(args: argparse.Namespace) -> tuple[Path, float]:
    """Build the corpus cold under py-spy; the raw profile and the build's seconds."""
    from .run import prepare_corpus

    site = prepare_corpus(args.articles, args.seed, ()).site
    run_dir = Path(args.run_dir)
    shutil.rmtree(run_dir, ignore_errors=True)
    shutil.copytree(site, run_dir / "site", symlinks=True)
    raw = run_dir / "profile.txt"
    build = [sys.executable, "-m", "sitegen", "build", "--site", str(run_dir / "site")]
    build += ["--output", str(run_dir / "out"), "--no-search", "-q"]
    command = [py_spy(args.install_py_spy), "record", "--subprocesses", "--format", "raw"]
    command += ["--rate", str(args.rate), "--output", str(raw), "--nonblocking", "--", *build]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    return raw, time.perf_counter() - started


def report(args: argparse.Namespace, profile: Profile, wall: float) -> str:
    """The markdown section: machine, command, the parts' shares and the busiest frames."""
    argv = " ".join(sys.argv[1:])
    lines = [
        f"## Profile of a cold build, {_run_text(['date', '-u'])}",
        "",
        f"- machine: {machine_line()}",
        f"- command: `python -m benchmarks.profile {argv}`",
        f"- sitegen at {_git_state()}",
        f"- {args.articles:,} articles, no search; {wall:.1f} s under py-spy, sampling every "
        f"process {args.rate} times a second",
        f"- {profile.samples:,} samples of work; {profile.waiting:,} more in the pool's helper "
        "threads, left out",
        "",
        "| part of the build | share of samples |",
        "| --- | ---: |",
    ]
    for part, count in profile.parts.most_common():
        lines.append(f"| {part} | {100 * count / max(1, profile.samples):.1f}% |")
    lines += ["", "Busiest innermost frames:", ""]
    lines += ["| frame | share of samples |", "| --- | ---: |"]
    for frame, count in profile.own.most_common(args.top):
        shown = frame.replace(str(REPO) + "/", "").replace("|", "\\|")
        lines.append(f"| `{shown}` | {100 * count / max(1, profile.samples):.1f}% |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument("--articles", type=int, default=10000, help="corpus size (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--rate", type=int, default=100, help="samples a second (default 100)")
    parser.add_argument("--top", type=int, default=15, help="innermost frames to list")
    parser.add_argument(
        "--run-dir", default=str(WORK / "profile"), help="scratch folder (default .work/profile)"
    )
    parser.add_argument("--install-py-spy", action="store_true", help="into .work/venv")
    parser.add_argument(
        "--record", action="store_true", help="append the tables to benchmarks/RESULTS.md"
    )
    args = parser.parse_args(argv)
    raw, wall = record(args)
    with raw.open(encoding="utf-8") as handle:
        profile = summarise(handle)
    text = report(args, profile, wall)
    print("\n" + text)
    if args.record:
        append_results(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
