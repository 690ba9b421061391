"""A long build says how far it has got: on a terminal, and nowhere else."""

from __future__ import annotations

import fcntl
import io
import itertools
import os
import pty
import re
import shutil
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest
from support.ports import free_port
from support.site import SITES

from sitegen import progress
from sitegen.build import build_site
from sitegen.buildstate import BuildOptions
from sitegen.progress import on_terminal
from sitegen.serve import Console
from sitegen.snapshot import forget as forget_snapshot

# The command as a person runs it, with the bars' delay off: the fixture builds in well
# under the half second that keeps a quick rebuild's terminal quiet.
COMMAND = (
    "import sys; import sitegen.progress as progress; progress.DELAY = 0; "
    "from sitegen.cli import main; sys.exit(main(sys.argv[1:]))"
)


def _reports(
    site: Path, output: Path, search: bool = False
) -> tuple[dict[str, list[tuple[int, int]]], int]:
    """(done, total) reports by stage, in the order the stages began; and the files rendered."""
    seen: list[tuple[str, int, int]] = []
    options = BuildOptions(site, output, search=search, cache_dir=output.parent / "cache")
    result = build_site(options, progress=lambda *report: seen.append(report))
    stages = {}
    for stage, reports in itertools.groupby(seen, key=lambda report: report[0]):
        assert stage not in stages, f"{stage} began twice"
        stages[stage] = [(done, total) for _, done, total in reports]
    return stages, result.rendered


def test_a_build_counts_each_long_stage_up_to_what_it_does(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SITES / "basic", site)
    output = tmp_path / "out"
    stages, rendered = _reports(site, output)
    assert list(stages) == ["parsing", "related posts", "fingerprints", "cards", "rendering"]
    content = len(list((site / "content").rglob("*.md")))
    articles = len(list((output / "articles").glob("*/index.html")))  # drafts have none
    for stage, total in [
        ("parsing", content),
        ("related posts", articles),
        ("fingerprints", stages["fingerprints"][0][1]),  # checked below
        ("cards", articles),  # each on the home page, among others
        ("rendering", rendered),
    ]:
        done = [count for count, _ in stages[stage]]
        assert done == sorted(set(done)), stage  # only forward, from nought as it begins
        assert done[0] == 0 and done[-1] == total, stage
        assert {t for _, t in stages[stage]} == {total}, stage
    # Every page and feed is fingerprinted; assets and redirects are rendered as they are.
    assert 0 < stages["fingerprints"][-1][0] < rendered

    # A body edit is patched in (no stage parses the whole site) and renders the few
    # pages that show it; its card, which shows no more than the first paragraph, is kept.
    article = sorted((site / "content/articles").glob("*.md"))[0]
    article.write_text(article.read_text() + "\nOne more paragraph.\n")
    forget_snapshot()
    stages, rendered = _reports(site, output)
    assert list(stages) == ["fingerprints", "rendering"]
    assert stages["rendering"][-1] == (rendered, rendered)
    assert stages["fingerprints"][-1][0] >= rendered  # what it may reach; what it changed
    assert 0 < rendered < content * 3


def test_the_search_index_is_counted_in_the_pages_it_indexes(tmp_path):
    output = tmp_path / "out"
    stages, _ = _reports(SITES / "search", output, search=True)
    assert list(stages)[-1] == "search index"
    indexed = [*output.glob("articles/*/index.html"), *output.glob("authors/*/index.html")]
    assert stages["search index"][-1] == (len(indexed), len(indexed))


def _terminal() -> tuple[int, int]:
    """A pty 100 columns wide: (the side a person reads, the side a command writes)."""
    master, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    return master, terminal


def _on_terminal(*args: str) -> str:
    """What a terminal 100 columns wide shows while `sitegen ARGS` runs, as written to it."""
    master, terminal = _terminal()
    with subprocess.Popen(
        [sys.executable, "-c", COMMAND, *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
    ) as process:
        os.close(terminal)
        chunks: list[bytes] = []
        _read_all(master, chunks)
        os.close(master)
        written = b"".join(chunks)
        assert process.wait(timeout=120) == 0, written
    return written.decode()


def _read_all(master: int, chunks: list[bytes]) -> None:
    """What the command writes to the terminal, into `chunks`, until it closes."""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closed with the process
            return
        if not chunk:
            return
        chunks.append(chunk)


def _screen(written: str) -> list[str]:
    """The lines left on the terminal: in each, the last text written after a return."""
    lines = []
    for line in written.split("\n"):
        segments = [segment for segment in line.split("\r") if segment]
        if segments and segments[-1].strip():
            lines.append(segments[-1].rstrip())
    return lines


def test_the_command_draws_bars_on_a_terminal_and_leaves_only_its_summary(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SITES / "basic", site)
    shown = _on_terminal("build", "--site", str(site), "--no-search")
    frames = [frame for line in shown.split("\n") for frame in line.split("\r")]
    bars = [frame for frame in frames if "|" in frame]
    assert [bar.split(":")[0] for bar in bars][:1] == ["parsing"]
    assert any(bar.startswith("rendering:") for bar in bars)
    # Each bar is cleared as the next begins and as the build ends: what stays on the
    # screen is the build's own report, its summary last.
    screen = _screen(shown)
    assert screen[-1].startswith("Built ") and not [line for line in screen if "|" in line]

    # Quiet, or written to a pipe or a log, it draws nothing.
    shutil.rmtree(site / "output")
    assert "|" not in _on_terminal("build", "--site", str(site), "--no-search", "--quiet")
    shutil.rmtree(site / "output")
    piped = subprocess.run(
        [sys.executable, "-c", COMMAND, "build", "--site", str(site), "--no-search"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert piped.stdout.startswith("Built ")
    assert all(line.startswith("warning: ") for line in piped.stderr.splitlines())


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("delay", [0, 60], ids=["bar-drawn", "bar-not-due"])
def test_news_printed_during_a_stage_lands_on_a_line_of_its_own(monkeypatch, delay):
    # The preview's search indexer tells of a new index from its own thread, maybe while
    # a rebuild draws its bar: the line must not land inside the bar, nor draw a bar that
    # is not due yet (a stage shows one once it has run DELAY seconds).
    monkeypatch.setattr(progress, "DELAY", delay)
    screen = _Terminal()
    console = Console(screen, screen)
    with on_terminal(screen) as report:
        report("rendering", 0, 10)
        report("rendering", 5, 10)
        console.info("Search index updated (1.0 s).")
        report("rendering", 10, 10)
    assert ("rendering:" in screen.getvalue()) == (delay == 0)
    assert _screen(screen.getvalue()) == ["Search index updated (1.0 s)."]


def test_the_preview_draws_bars_for_a_rebuild_and_leaves_its_report(tmp_path):
    # A template edit renders every page again, at 10,000 articles as long as the first
    # build: `sitegen serve` shows how far it has got, then only what it always printed.
    site = tmp_path / "site"
    shutil.copytree(SITES / "basic", site)
    master, terminal = _terminal()
    env = dict(os.environ, TMPDIR=str(tmp_path))
    command = [sys.executable, "-c", COMMAND, "serve", "--site", str(site)]
    command += ["--port", str(free_port())]
    written: list[bytes] = []

    def wait_for(pattern: str, after: int = 0) -> int:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            text = b"".join(written).decode(errors="replace")
            if found := re.compile(pattern).search(text, after):
                return found.end()
            time.sleep(0.05)
        raise AssertionError(f"no {pattern!r} within 60 s:\n{text}")

    with subprocess.Popen(
        command, stdin=terminal, stdout=terminal, stderr=terminal, env=env
    ) as process:
        os.close(terminal)
        reader = threading.Thread(target=_read_all, args=(master, written), daemon=True)
        reader.start()
        try:
            served = wait_for(r"Serving the preview")
            (site / "templates").mkdir(exist_ok=True)
            (site / "templates/404.html").write_text(
                '{% extends "base.html" %}{% block content %}<h1>Lost</h1>{% endblock %}'
            )
            rebuilding = wait_for(r"rebuilding…", served)
            wait_for(r"Built \d+ pages", rebuilding)
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=60) == 0
            reader.join(timeout=10)
        os.close(master)
    shown = b"".join(written).decode()
    rebuild = shown[shown.index("rebuilding…") :]
    frames = [frame for line in rebuild.split("\n") for frame in line.split("\r")]
    assert any(frame.startswith("rendering:") and "|" in frame for frame in frames)
    screen = _screen(rebuild)
    assert not [line for line in screen if "|" in line], screen
    assert any(line.startswith("Built ") for line in screen), screen
