"""Measure sitegen against Pelican and Hugo on generated corpora.

    python -m benchmarks.run --sizes 1000 10000 --peers pelican hugo --repeat 3

For each size the runner generates (or reuses) a seeded corpus under `benchmarks/.work/`,
converts it for each peer, and then, once per repeat, times every tool's builds with commands
interleaved (sitegen, pelican, hugo, hugo without related posts, sitegen, ...) so that a noisy
machine slows all of them alike. Each build runs under a fresh wrapper process that reports
wall time and the peak RSS of the largest process of the build (`RUSAGE_CHILDREN`). The
medians go into a markdown table, printed and appended to `benchmarks/RESULTS.md`.
"""

from __future__ import annotations

import argparse
import compileall
import functools
import hashlib
import itertools
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks import corpus, peers, vocabulary

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WORK = BENCH_DIR / ".work"
VENV = WORK / "venv"
RESULTS_FILE = BENCH_DIR / "RESULTS.md"
DEFAULT_TEMPLATE = "base.html"

# The wrapper that runs one measured command: a fresh process, so that RUSAGE_CHILDREN holds
# that command's process tree only. It prints one JSON line; the command's output goes to a log.
_MEASURE = r"""
import json, resource, subprocess, sys, time
log_path, *command = sys.argv[1:]
with open(log_path, "wb") as log:
    start = time.perf_counter()
    try:
        code = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT)
    except OSError as exc:
        log.write(f"cannot run {command[0]}: {exc}\n".encode())
        code = 127
    wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": code, "wall": wall, "user": usage.ru_utime, "sys": usage.ru_stime,
                  "maxrss_kb": usage.ru_maxrss}))
"""

# Figures in table order: key, label, whether peers are measured too.
TIME_FIGURES: tuple[tuple[str, str, bool], ...] = (
    ("cold", "cold build (s)", True),
    ("noop", "no-op rebuild (s)", True),
    ("body", "rebuild after one article's body edit (s)", True),
    ("title", "rebuild after one article's title edit (s)", False),
    ("author", "rebuild after its author's file is edited (s)", False),
    ("topics", "rebuild after one article's topics edit (s)", False),
    ("term", "rebuild after an article is given a topic new to the archive (s)", False),
    ("new", "rebuild after a new article is added (s)", False),
    ("expert", "rebuild after an interview with a new expert is imported (s)", False),
    ("delete", "rebuild after an article is deleted (s)", False),
    ("draft", "rebuild after an undated piece is imported as a draft (s)", False),
    ("template", "rebuild after a template edit (s)", False),
)
TOOLS = ("sitegen", "pelican", "hugo", "hugo-no-related")


@dataclass
class Measurement:
    """One timed command."""

    size: int
    repeat: int
    tool: str
    figure: str
    rc: int
    wall: float
    user: float
    sys: float
    maxrss_kb: int
    log: str
    note: str = ""

    @property
    def ok(self) -> bool:
        """Whether the command exited 0."""
        return self.rc == 0


@dataclass
class SizeResult:
    """Everything measured at one corpus size."""

    size: int
    words: int
    measurements: list[Measurement] = field(default_factory=list)
    output: dict[str, tuple[int, int]] = field(default_factory=dict)  # tool: (files, bytes)

    def walls(self, tool: str, figure: str) -> tuple[list[float], int]:
        """Wall times of the successful runs, and how many runs failed."""
        runs = [m for m in self.measurements if m.tool == tool and m.figure == figure]
        return [m.wall for m in runs if m.ok], sum(1 for m in runs if not m.ok)

    def median(self, tool: str, figure: str) -> float | None:
        """The median wall time of the successful runs, if any."""
        walls, _ = self.walls(tool, figure)
        return statistics.median(walls) if walls else None

    def cpu_seconds(self, tool: str) -> float | None:
        """Median CPU time (user + system) of the tool's cold builds: steadier than wall time."""
        runs = [m for m in self.measurements if m.tool == tool and m.figure == "cold" and m.ok]
        return statistics.median(m.user + m.sys for m in runs) if runs else None

    def peak_rss_mb(self, tool: str) -> float | None:
        """Median peak RSS of the tool's cold builds, in MiB."""
        runs = [m for m in self.measurements if m.tool == tool and m.figure == "cold" and m.ok]
        return statistics.median(m.maxrss_kb for m in runs) / 1024 if runs else None


# --- preparing corpora --------------------------------------------------------------------


def _fingerprint(*paths: Path) -> str:
    """A short hash of source files, so that a changed generator or converter is not cached."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _cached(target: Path, make: Callable[[Path], None]) -> Path:
    """`target`, made by `make` into a temporary folder and renamed into place when complete."""
    if target.exists():
        return target
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    make(partial)
    partial.rename(target)
    return target


@dataclass(frozen=True)
class Corpus:
    """A generated site and its conversions for the peers, all cached under `.work/corpus/`."""

    size: int
    seed: int
    root: Path
    peer_sources: dict[str, Path] = field(default_factory=dict)

    @property
    def site(self) -> Path:
        """The sitegen site."""
        return self.root / "site"

    @property
    def summary(self) -> dict[str, float]:
        """What the generator reported when it made the site."""
        return json.loads((self.root / "summary.json").read_text())


def prepare_corpus(size: int, seed: int, with_peers: Sequence[str]) -> Corpus:
    """Generate the corpus for `size` and `seed` unless cached, then any peer conversions."""
    key = _fingerprint(BENCH_DIR / "corpus.py", BENCH_DIR / "vocabulary.py")
    root = WORK / "corpus" / f"n{size}-s{seed}-{key}"

    def make_site(folder: Path) -> None:
        started = time.perf_counter()
        summary = corpus.generate_corpus(size, folder / "site", seed)
        (folder / "summary.json").write_text(json.dumps(asdict(summary)))
        print(f"  generated {size} articles in {time.perf_counter() - started:.1f} s")

    _cached(root, make_site)
    found = Corpus(size, seed, root)
    peer_key = _fingerprint(BENCH_DIR / "peers.py")
    converters = {"pelican": peers.convert_to_pelican, "hugo": peers.convert_to_hugo}
    for name in with_peers:
        convert = functools.partial(converters[name], found.site, title=corpus.SITE_TITLE)
        found.peer_sources[name] = _cached(root / f"{name}-{peer_key}", convert)
    return found


def edited_article(site: Path) -> str:
    """The slug of the article the edit figures change: the middle one that is not a draft."""
    articles = [a for a in peers.read_articles(site) if a.meta.get("draft") != "true"]
    return articles[len(articles) // 2].slug


def deleted_article(site: Path, edited: str) -> str:
    """The slug of the article the deletion figure deletes: the first published one after
    the middle, other than the edited one, without aliases (whose redirects would go too)."""
    articles = [a for a in peers.read_articles(site) if a.meta.get("draft") != "true"]
    later = articles[len(articles) // 2 :]
    return next(a.slug for a in later if a.slug != edited and not a.meta.get("aliases"))


# --- edits --------------------------------------------------------------------------------


def append_paragraph(path: Path, mark: str) -> None:
    """Edit an article's body: append one paragraph (the body is last in every format)."""
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(f"{text}\n\nAn editor added this paragraph ({mark}).\n", encoding="utf-8")


def retitle(path: Path, mark: str) -> None:
    """Edit an article's title: the front matter's `title:` line (the first, in this format)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("title: "))
    lines[at] = f"title: {corpus.yaml_str(f'An editor retitled this piece ({mark})')}"
    path.write_text("\n".join(lines), encoding="utf-8")


def edit_author(site: Path, article: Path, mark: str) -> None:
    """Edit the file of an article's first author: its `role:` line, added if missing."""
    meta, _ = peers.split_front_matter(article.read_text(encoding="utf-8"))
    authors = meta.get("authors") or []
    slug = authors[0] if isinstance(authors, list) else authors
    path = site / "content" / "authors" / f"{slug}.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    role = f"role: {corpus.yaml_str(f'Fellow, retitled by an editor ({mark})')}"
    roles = [i for i, line in enumerate(lines) if line.startswith("role: ")]
    if roles:
        lines[roles[0]] = role
    else:
        lines.insert(1, role)  # below the opening `---`
    path.write_text("\n".join(lines), encoding="utf-8")


def replace_first_topic(path: Path, topic: str) -> None:
    """Edit an article's topics: replace the first item of its YAML `topics:` list."""
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index("topics:")
    lines[start + 1] = f"  - {corpus.yaml_str(topic)}"
    path.write_text("\n".join(lines), encoding="utf-8")


def add_article(site: Path, article: Path, newest: str, mark: str) -> Path:
    """Publish a new article: a copy of `article` under a slug and title of its own, dated
    `newest` (the archive's newest day, so that it opens every list it joins), without the
    aliases of the piece it copies."""
    lines = article.read_text(encoding="utf-8").split("\n")
    kept: list[str] = []
    for line in lines:
        if kept and kept[-1] == "aliases:" and line.startswith("  - "):
            continue  # the block's items; the key itself is dropped below
        kept.append(line)
    kept = [line for line in kept if line != "aliases:"]
    for at, line in enumerate(kept):
        if line.startswith("title: "):
            kept[at] = f"title: {corpus.yaml_str(f'A new piece ({mark})')}"
        elif line.startswith("date: "):
            kept[at] = f"date: {newest}"
    slug = "a-new-piece-" + "-".join(mark.split())
    path = site / "content" / "articles" / f"{slug}.md"
    path.write_text("\n".join(kept), encoding="utf-8")
    return path


def add_interview(site: Path, article: Path, newest: str, mark: str) -> None:
    """Import an interview with an expert new to the archive, as `sitegen import` writes
    one: the expert's author file, and a new article (as add_article makes it) in which
    they are the one interviewee."""
    expert = "new-expert-" + "-".join(mark.split())
    name = corpus.yaml_str(f"New Expert ({mark})")
    (site / "content" / "authors" / f"{expert}.md").write_text(
        f"---\nname: {name}\nrole: Senior fellow\n---\n\nA biography.\n", encoding="utf-8"
    )
    piece = add_article(site, article, newest, f"interview {mark}")
    lines = piece.read_text(encoding="utf-8").split("\n")
    kept: list[str] = []
    for line in lines:
        if kept and kept[-1] == "interviewees:" and line.startswith("  - "):
            continue  # the copied piece's interviewees; the key is dropped below
        kept.append(line)
    kept = [line for line in kept if line != "interviewees:"]
    kept = ["type: interview" if line.startswith("type: ") else line for line in kept]
    end = kept.index("---", 1)  # the front matter's closing line
    kept[end:end] = ["interviewees:", f"  - {expert}"]
    piece.write_text("\n".join(kept), encoding="utf-8")


def add_draft(site: Path, article: Path, mark: str) -> None:
    """Import a piece with no date, as `sitegen import` writes one: a new article (as
    add_article makes it) with `draft: true` for its date, which a build without
    --drafts leaves out."""
    piece = add_article(site, article, "", f"draft {mark}")
    lines = piece.read_text(encoding="utf-8").split("\n")
    lines = ["draft: true" if line.startswith("date: ") else line for line in lines]
    piece.write_text("\n".join(lines), encoding="utf-8")


def newest_date(site: Path) -> str:
    """The newest `date:` of the site's articles, as written."""
    return max(str(a.meta["date"]) for a in peers.read_articles(site) if a.meta.get("date"))


def edit_template(site: Path, mark: str) -> None:
    """Override the default base template in the site's `templates/`, with one change."""
    default = REPO / "templates" / DEFAULT_TEMPLATE
    text = default.read_text(encoding="utf-8")
    comment = f"<!-- benchmark template edit {mark} -->"
    text = (
        text.replace("</body>", f"{comment}\n</body>", 1) if "</body>" in text else text + comment
    )
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / DEFAULT_TEMPLATE).write_text(text, encoding="utf-8")


def new_topic(path: Path) -> str:
    """A topic the article does not have yet, from the middle of the popularity ranking."""
    meta, _ = peers.split_front_matter(path.read_text(encoding="utf-8"))
    present = set(meta.get("topics", []))
    return next(t for t in vocabulary.TOPICS[60:] + vocabulary.TOPICS if t not in present)


# --- measuring ----------------------------------------------------------------------------


def measure(command: Sequence[str], log: Path, timeout: float, env: dict[str, str]) -> dict:
    """Run `command` under the wrapper; its rc, wall and CPU seconds, and peak RSS in KiB."""
    log.parent.mkdir(parents=True, exist_ok=True)
    wrapper = [sys.executable, "-c", _MEASURE, str(log), *command]
    proc = subprocess.Popen(
        wrapper, stdout=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        with log.open("a") as handle:
            handle.write(f"\n[benchmark] killed after {timeout:.0f} s\n")
        return {"rc": -9, "wall": timeout, "user": 0.0, "sys": 0.0, "maxrss_kb": 0}
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"rc": proc.returncode or 1, "wall": 0.0, "user": 0.0, "sys": 0.0, "maxrss_kb": 0}


def count_tree(folder: Path) -> tuple[int, int]:
    """Files and bytes under `folder`."""
    files = size = 0
    for dirpath, _, names in os.walk(folder):
        for name in names:
            files += 1
            size += os.lstat(os.path.join(dirpath, name)).st_size
    return files, size


def _tail(path: Path, lines: int = 12) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join("      " + line for line in text.rstrip().splitlines()[-lines:])


@dataclass
class Runner:
    """Runs one size's builds, keeping each tool's working copy and output apart."""

    args: argparse.Namespace
    corpus: Corpus
    result: SizeResult
    sitegen: list[str]
    env: dict[str, str]
    raw: Path
    run_dir: Path = field(init=False)

    def __post_init__(self) -> None:
        self.run_dir = Path(self.args.run_dir) / f"n{self.corpus.size}"

    def folder(self, tool: str) -> Path:
        """The tool's working copy of its source."""
        return self.run_dir / tool.removesuffix("-no-related") / "src"

    def output(self, tool: str) -> Path:
        """The tool's output folder."""
        return self.run_dir / "out" / tool

    def reset(self, tools: Sequence[str]) -> None:
        """Fresh working copies of the pristine sources, before each repeat."""
        shutil.rmtree(self.run_dir, ignore_errors=True)
        for tool in {t.removesuffix("-no-related") for t in tools}:
            source = self.corpus.site if tool == "sitegen" else self.corpus.peer_sources[tool]
            shutil.copytree(source, self.folder(tool), symlinks=True)

    def command(self, tool: str, search: bool = False) -> list[str]:
        """The build command of `tool`."""
        out = self.output(tool + ("-search" if search else ""))
        if tool == "sitegen":
            command = [*self.sitegen, "build", "--site", str(self.folder(tool))]
            command += ["--output", str(out), "-q"]
            return command if search else [*command, "--no-search"]
        if tool == "pelican":
            return peers.pelican_command(VENV, self.folder(tool), out)
        return peers.hugo_command(VENV, self.folder(tool), out, related=tool == "hugo")

    def clean(self, tool: str, search: bool = False) -> None:
        """Delete the tool's output and caches, for a cold build."""
        shutil.rmtree(self.output(tool + ("-search" if search else "")), ignore_errors=True)
        src = self.folder(tool)
        for cache in (".sitegen-cache", ".hugo-cache", "resources", "__pycache__"):
            shutil.rmtree(src / cache, ignore_errors=True)

    def run(self, repeat: int, tool: str, figure: str, search: bool = False) -> Measurement:
        """Time one build and record it; a failure is printed with the end of its log."""
        name = tool + ("-search" if search else "")
        log = self.run_dir.parent / "logs" / f"n{self.corpus.size}-r{repeat}-{name}-{figure}.log"
        env = self.env if tool == "sitegen" else dict(os.environ)  # repo on the path for sitegen
        # Flush what earlier steps wrote (copies, other tools' outputs, deletions), so that
        # no build pays for the disk write-back of another.
        os.sync()
        data = measure(self.command(tool, search), log, self.args.timeout, env)
        m = Measurement(self.corpus.size, repeat, name, figure, log=str(log), **data)
        self.record(m)
        status = f"{m.wall:8.2f} s {m.maxrss_kb / 1024:7.0f} MiB" if m.ok else "FAILED"
        print(f"  [{repeat}] {name:<16} {figure:<9} {status}", flush=True)
        if not m.ok:
            print(f"    exit status {m.rc}; log {log}:\n{_tail(log)}", flush=True)
        return m

    def record(self, m: Measurement) -> None:
        """Keep a measurement, and append it to the raw file at once, so a cut run keeps it."""
        self.result.measurements.append(m)
        with self.raw.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(m)) + "\n")

    def skip(self, repeat: int, tool: str, figure: str, why: str) -> None:
        """Record a build that was not run because an earlier step failed."""
        m = Measurement(self.corpus.size, repeat, tool, figure, 1, 0.0, 0.0, 0.0, 0, "", why)
        self.record(m)
        print(f"  [{repeat}] {tool:<16} {figure:<9} skipped: {why}", flush=True)


def run_size(
    args: argparse.Namespace, size: int, sitegen: list[str], env: dict[str, str], raw: Path
) -> SizeResult:
    """All repeats at one corpus size, interleaving the tools within each step."""
    print(f"\n== {size} articles ==", flush=True)
    found = prepare_corpus(size, args.seed, args.peers)
    result = SizeResult(size, int(found.summary["words"]))
    tools = ["sitegen"]
    if "pelican" in args.peers:
        tools.append("pelican")
    if "hugo" in args.peers:
        tools += ["hugo", "hugo-no-related"]
    runner = Runner(args, found, result, sitegen, env, raw)
    slug = edited_article(found.site)
    article = Path("content") / "articles" / f"{slug}.md"
    deleted = Path("content") / "articles" / f"{deleted_article(found.site, slug)}.md"
    newest = newest_date(found.site)
    for repeat in range(1, args.repeat + 1):
        runner.reset(tools)
        # Cold builds. Sitegen with search goes first, so that the plain cold build that follows
        # leaves its own cache for the rebuilds.
        runner.clean("sitegen", search=True)
        searched = runner.run(repeat, "sitegen", "cold", search=True)
        if searched.ok:
            result.output["sitegen-search"] = count_tree(runner.output("sitegen-search"))
            # What an editor waits for by default: a body edit rebuilt with search on. The
            # plain cold build below starts from scratch, so the edit changes nothing else.
            append_paragraph(runner.folder("sitegen") / article, f"search repeat {repeat}")
            runner.run(repeat, "sitegen", "body", search=True)
        shutil.rmtree(runner.output("sitegen-search"), ignore_errors=True)
        alive: dict[str, bool] = {}
        for tool in tools:
            runner.clean(tool)
            alive[tool] = runner.run(repeat, tool, "cold").ok
            if alive[tool]:
                result.output[tool] = count_tree(runner.output(tool))
        for figure, _, with_peers in TIME_FIGURES[1:]:
            if figure == "body":
                for tool in {t.removesuffix("-no-related") for t in tools}:
                    append_paragraph(runner.folder(tool) / article, f"repeat {repeat}")
            elif figure == "title":
                retitle(runner.folder("sitegen") / article, f"repeat {repeat}")
            elif figure == "author":
                folder = runner.folder("sitegen")
                edit_author(folder, folder / article, f"repeat {repeat}")
            elif figure == "topics":
                path = runner.folder("sitegen") / article
                replace_first_topic(path, new_topic(path))
            elif figure == "term":
                path = runner.folder("sitegen") / article
                replace_first_topic(path, f"A topic new to the archive ({repeat})")
            elif figure == "new":
                folder = runner.folder("sitegen")
                add_article(folder, folder / article, newest, f"repeat {repeat}")
            elif figure == "expert":
                folder = runner.folder("sitegen")
                add_interview(folder, folder / article, newest, f"repeat {repeat}")
            elif figure == "delete":
                (runner.folder("sitegen") / deleted).unlink()
            elif figure == "draft":
                folder = runner.folder("sitegen")
                add_draft(folder, folder / article, f"repeat {repeat}")
            elif figure == "template":
                try:
                    edit_template(runner.folder("sitegen"), f"repeat {repeat}")
                except OSError as exc:
                    runner.skip(repeat, "sitegen", figure, f"no default template to copy: {exc}")
                    continue
            for tool in tools if with_peers else ["sitegen"]:
                if alive[tool]:
                    runner.run(repeat, tool, figure)
                else:
                    runner.skip(repeat, tool, figure, "the cold build failed")
    shutil.rmtree(runner.run_dir, ignore_errors=True)
    return result


# --- reporting ----------------------------------------------------------------------------


def _seconds(result: SizeResult, tool: str, figure: str) -> str:
    walls, failed = result.walls(tool, figure)
    if not walls:
        return "failed" if failed else "—"
    text = f"{statistics.median(walls):.2f}"
    return f"{text} ({failed} failed)" if failed else text


def _ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or theirs is None or theirs == 0:
        return "—"
    return f"{ours / theirs:.2f}×"


def table(result: SizeResult, peer_tools: Sequence[str]) -> str:
    """The markdown table of one size: medians, and sitegen's time over each peer's."""
    header = ["figure", "sitegen", *peer_tools, *(f"sitegen/{p}" for p in peer_tools)]
    rows = [header, ["---"] * len(header)]
    for figure, label, with_peers in TIME_FIGURES:
        ours = result.median("sitegen", figure)
        cells = [label, _seconds(result, "sitegen", figure)]
        cells += [_seconds(result, p, figure) if with_peers else "—" for p in peer_tools]
        cells += [_ratio(ours, result.median(p, figure)) for p in peer_tools]
        rows.append(cells)
    cpu = {tool: result.cpu_seconds(tool) for tool in ("sitegen", *peer_tools)}
    rows.append(
        ["cold build CPU, user+sys (s)"]
        + [f"{cpu[t]:.2f}" if cpu[t] is not None else "—" for t in ("sitegen", *peer_tools)]
        + [_ratio(cpu["sitegen"], cpu[p]) for p in peer_tools]
    )
    rss = {tool: result.peak_rss_mb(tool) for tool in ("sitegen", *peer_tools)}
    rows.append(
        ["peak RSS, cold build (MiB)"]
        + [f"{rss[t]:.0f}" if rss[t] is not None else "—" for t in ("sitegen", *peer_tools)]
        + [_ratio(rss["sitegen"], rss[p]) for p in peer_tools]
    )
    for label, index, scale in (("files written", 0, 1), ("MB written", 1, 1_000_000)):
        cells = [label]
        for tool in ("sitegen", *peer_tools):
            counted = result.output.get(tool)
            cells.append("—" if counted is None else f"{counted[index] / scale:.0f}")
        rows.append(cells + [""] * len(peer_tools))
    with_search = result.median("sitegen-search", "cold")
    without = result.median("sitegen", "cold")
    search = "failed"
    if with_search is not None:
        difference = "—" if without is None else f"{with_search - without:.2f}"
        search = f"{difference} (build with search {with_search:.2f} s"
        files_with, _ = result.output.get("sitegen-search", (0, 0))
        files_without, _ = result.output.get("sitegen", (0, 0))
        search += f", {files_with - files_without:+d} files" if files_without else ""
        rss = result.peak_rss_mb("sitegen-search")
        search += f", peak RSS {rss:.0f} MiB)" if rss is not None else ")"
    rows.append(["search indexing (s), not in ratios", search] + [""] * (len(header) - 2))
    edited = _seconds(result, "sitegen-search", "body")
    label = "rebuild after one article's body edit, with search (s), not in ratios"
    rows.append([label, edited] + [""] * (len(header) - 2))
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def targets(results: Sequence[SizeResult]) -> list[str]:
    """The README's targets, checked where the run measured what they need."""
    lines: list[str] = []
    by_size = {r.size: r for r in results}
    big = by_size.get(10_000)

    def check(label: str, value: float | None, limit: float | None, unit: str) -> None:
        if value is None or limit is None:
            lines.append(f"- [?] {label}: not measured")
        else:
            mark = "x" if value <= limit else " "
            lines.append(f"- [{mark}] {label}: {value:.2f}{unit} (limit {limit:.2f}{unit})")

    if big is not None:
        cold = big.median("sitegen", "cold")
        hugo = big.median("hugo-no-related", "cold")
        pelican = big.median("pelican", "cold")
        check("cold build ≤ Hugo without related posts", cold, hugo, " s")
        check("cold build ≥10× faster than Pelican", cold, pelican and pelican / 10, " s")
        check("one-article body edit rebuild ≤ 1 s", big.median("sitegen", "body"), 1.0, " s")
        check("no-op rebuild ≤ 0.5 s", big.median("sitegen", "noop"), 0.5, " s")
        check("peak RSS ≤ 1 GB", big.peak_rss_mb("sitegen"), 1000 / 1.048576, " MiB")
    small = by_size.get(1_000)
    if big is not None and small is not None:
        a, b = small.median("sitegen", "cold"), big.median("sitegen", "cold")
        check("cold build growth 1k→10k ≤ 11×", b / a if a and b else None, 11.0, "×")
    return lines


def growth(results: Sequence[SizeResult], tools: Sequence[str]) -> list[str]:
    """Cold-build growth between consecutive sizes for every tool."""
    lines = []
    for small, big in itertools.pairwise(results):
        parts = []
        for tool in tools:
            a, b = small.median(tool, "cold"), big.median(tool, "cold")
            parts.append(f"{tool} {b / a:.1f}×" if a and b else f"{tool} —")
        lines.append(f"Cold build growth {small.size:,} → {big.size:,}: " + ", ".join(parts))
    return lines


def _run_text(command: Sequence[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def machine_line() -> str:
    """`uname -a`, CPU model, cores and RAM."""
    cpu = "?"
    ram = "?"
    try:
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1).strip() if found else platform.processor()
        kib = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
        ram = f"{int(kib.group(1)) / 1024 / 1024:.1f} GiB" if kib else "?"
    except OSError:
        pass
    return f"{_run_text(['uname', '-a'])}; {cpu}; {os.cpu_count()} cores; {ram} RAM"


def _filesystem(folder: Path) -> str:
    """The type of the file system a folder is on, as `df` names it (ext4, tmpfs ...)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = _run_text(["df", "--output=fstype", str(folder)]).splitlines()
    return lines[-1].strip() if len(lines) > 1 else "unknown file system"


def report(
    args: argparse.Namespace,
    results: Sequence[SizeResult],
    versions: dict,
    load_at_start: tuple[float, float, float],
    started: float,
    code_changed: bool = False,
) -> str:
    """The markdown section for this run: machine, date, command, tables, targets."""
    now = os.getloadavg()
    # The heading's date is the end's; a run takes up to an hour, and the hour matters here.
    span = " → ".join(time.strftime("%H:%M:%S", time.gmtime(t)) for t in (started, time.time()))
    load = ", ".join(f"{a:.1f} → {b:.1f}" for a, b in zip(load_at_start, now, strict=True))
    peer_tools = [t for t in TOOLS[1:] if t.removesuffix("-no-related") in args.peers]
    argv = " ".join(shlex.quote(a) for a in sys.argv[1:])
    lines = [
        f"## {_run_text(['date', '-u'])}",
        "",
        f"- machine: {machine_line()}",
        f"- command: `python -m benchmarks.run {argv}`",
        f"- sitegen: `{' '.join(args.sitegen_cmd)}` at {_git_state()}",
        f"- peers: {', '.join(f'{k} {v}' for k, v in versions.items()) or 'none'}",
        f"- median of {args.repeat} run(s); corpus seed {args.seed}",
        f"- ran (UTC): {span}",
        f"- load average (1, 5, 15 min) at start → end: {load}",
        f"- builds in: `{args.run_dir}` ({_filesystem(args.run_dir)})",
    ]
    if code_changed:
        lines.append(
            "- **warning: sitegen's code, default templates or assets changed during this run;"
            " its rebuild figures may be full rebuilds and are not reliable**"
        )
    for result in results:
        lines += [
            "",
            f"### {result.size:,} articles ({result.words:,} words)",
            "",
            table(result, peer_tools),
        ]
    checked = targets(results) or ["- none: the targets are set at 10,000 articles"]
    lines += ["", *growth(results, ["sitegen", *peer_tools]), "", "Targets:", *checked]
    return "\n".join(lines) + "\n"


def code_fingerprint() -> str:
    """A hash of sitegen's code, default templates and assets, to notice edits during a run."""
    digest = hashlib.sha256()
    for folder in ("sitegen", "templates", "assets"):
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPO)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _git_state() -> str:
    head = _run_text(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]) or "no commit"
    dirty = _run_text(["git", "-C", str(REPO), "status", "--porcelain", "--", "sitegen"])
    return f"{head}{' (sitegen/ modified)' if dirty else ''}"


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: prepare corpora, run the builds, print and record the tables."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000], help="articles per run")
    parser.add_argument("--peers", nargs="*", default=[], choices=["pelican", "hugo"])
    parser.add_argument("--repeat", type=int, default=3, help="runs of every build (median)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--install-peers", action="store_true", help="set up .work/venv first")
    parser.add_argument(
        "--sitegen-cmd",
        type=shlex.split,
        default=[sys.executable, "-m", "sitegen"],
        help="how to call sitegen (default: this Python with -m sitegen, from this repo)",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per build")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument(
        "--run-dir",
        type=Path,
        default=WORK / "run",
        help="where the tools' copies build, e.g. a RAM disk (default: benchmarks/.work/run)",
    )
    args = parser.parse_args(argv)

    if args.install_peers:
        print(f"installing {' '.join(peers.PEER_REQUIREMENTS)} into {VENV}", flush=True)
        peers.install_peers(VENV)
    versions: dict[str, str] = {}
    if args.peers:
        if not peers.venv_python(VENV).exists():
            parser.error(f"peers need {VENV}; add --install-peers")
        versions = peers.peer_versions(VENV)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    # sitegen runs from bytecode, as an installed package does. A machine that sets
    # PYTHONDONTWRITEBYTECODE (this one) would otherwise compile its modules on every
    # run: about 0.1 s, a quarter of a no-op rebuild.
    compileall.compile_dir(REPO / "sitegen", quiet=1)

    load_at_start, started = os.getloadavg(), time.time()
    code_at_start = code_fingerprint()
    raw = WORK / "results" / f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.jsonl"
    raw.parent.mkdir(parents=True, exist_ok=True)
    print(f"raw measurements go to {raw}", flush=True)
    results = [run_size(args, size, args.sitegen_cmd, env, raw) for size in sorted(args.sizes)]
    code_changed = code_fingerprint() != code_at_start
    text = report(args, results, versions, load_at_start, started, code_changed)
    print("\n" + text)
    if not args.no_record:
        append_results(text)
    return 0


def append_results(text: str) -> None:
    """Append a section to RESULTS.md (every benchmark's), after a blank line whatever notes
    were added by hand at its end."""
    old = RESULTS_FILE.read_text(encoding="utf-8") if RESULTS_FILE.exists() else ""
    header = "# Benchmark results\n\n" if not old else "" if old.endswith("\n\n") else "\n"
    with RESULTS_FILE.open("a", encoding="utf-8") as handle:
        handle.write(header + text.rstrip("\n") + "\n")
    print(f"appended to {RESULTS_FILE}")


if __name__ == "__main__":
    sys.exit(main())
