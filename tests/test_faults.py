"""Faults that must not break the archive: a killed build, a full disk, a read-only output
folder, and outputs that cannot both exist on disk. Each leaves `output/` whole."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.env import require
from support.site import copy_site

from sitegen.build import BuildOptions, build_site
from sitegen.errors import BuildFailed
from sitegen.parallel import worker_count
from sitegen.writer import FRESH_TAG, MANIFEST, MARKER, TMP_TAG

BASE_URL = "https://example.org/archive/"
ARTICLES = 40
BUILD_TIMEOUT_S = 300
KILL_ATTEMPTS = 3
# One letter apart: every page the edit changes keeps its size, as after fixing a typo, so
# only the bytes tell the old version from the new.
OLD_TITLE, NEW_TITLE = "Old title", "New title"
ERROR_LINE = re.compile(r"^error: (?P<path>[^:]+): (?P<message>.+)$")


def tree(folder: Path) -> dict[str, bytes]:
    """Path -> bytes of every file below `folder`."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def leftovers(folder: Path) -> list[str]:
    """Temporary files and the writing marker: what a killed build leaves behind."""
    return sorted(p for p in tree(folder) if TMP_TAG in p or p == MARKER)


def sitegen(site: Path, output: Path, *args: str) -> list[str]:
    """The command line of `sitegen build` for this site and output folder."""
    command = [sys.executable, "-m", "sitegen", "build", "--site", str(site)]
    return [*command, "--output", str(output), "--no-search", *args]


def run(command: list[str], prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, *command], capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False
    )


def assert_one_clear_error(result: subprocess.CompletedProcess[str], message: str) -> str:
    """Exit status 1, one `error: path: ...` line holding `message`, no traceback; the path."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == "1 error", result.stderr
    errors = [ERROR_LINE.match(line) for line in lines if line.startswith("error: ")]
    assert len(errors) == 1 and errors[0] is not None, result.stderr
    assert message in errors[0]["message"], result.stderr
    return errors[0]["path"]


# -- a killed build ---------------------------------------------------------------------------


def write_archive(site: Path, title: str, articles: int = ARTICLES) -> None:
    """A site big enough that writing it takes a moment: many small articles."""
    (site / "content/articles").mkdir(parents=True, exist_ok=True)
    (site / "content/authors").mkdir(parents=True, exist_ok=True)
    (site / "sitegen.toml").write_text(f'title = "{title}"\nbase_url = "{BASE_URL}"\n')
    for i in range(articles):
        (site / f"content/articles/a-{i:04d}.md").write_text(
            f"---\ntitle: Article {i}\ndate: 20{10 + i % 15}-0{1 + i % 9}-1{i % 10}\n"
            f"authors: [writer-{i % 5}]\ntopics: [Topic {i % 11}, Shared]\n"
            f"regions: [Region {i % 4}]\n---\nThe body of article {i}.\n"
        )
    for j in range(5):
        (site / f"content/authors/writer-{j}.md").write_text(
            f"---\nname: Writer {j}\n---\nWriter {j} covers the region.\n"
        )


def retitle(site: Path, title: str) -> None:
    """An edit that changes every page: the site's title."""
    (site / "sitegen.toml").write_text(f'title = "{title}"\nbase_url = "{BASE_URL}"\n')


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The archive built with the old title, with its cache, and a clean build with the new."""
    root = tmp_path_factory.mktemp("archive")
    site, new_site = root / "site", root / "new-site"
    write_archive(site, OLD_TITLE)
    build_site(BuildOptions(site_dir=site, output_dir=root / "old", search=False))
    write_archive(new_site, NEW_TITLE)
    options = BuildOptions(
        site_dir=new_site,
        output_dir=root / "new",
        search=False,
        use_cache=False,
        cache_dir=root / "new-cache",
    )
    build_site(options)
    return {"site": site, "old": root / "old", "new": root / "new"}


def kill_while_writing(command: list[str], output: Path, phase: str) -> None:
    """Run a build and SIGKILL it in the middle of its write phase.

    `writing`: while temporary files are being written, once the one of a middle article
    exists. `renaming`: just after the first file (`404.html`, first in sorted order) was
    renamed into place. Once it writes, the build runs at the lowest priority, so that the
    poller keeps up on a busy machine.
    """
    first = output / "404.html"
    first_inode = first.stat().st_ino
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    middle = output / f"articles/a-{ARTICLES // 2:04d}/.index.html{TMP_TAG}{process.pid}"
    deadline = time.monotonic() + BUILD_TIMEOUT_S
    try:
        while not (output / MARKER).exists() and process.poll() is None:
            assert time.monotonic() < deadline, "the build never started writing"
            time.sleep(0.0005)
        os.setpriority(os.PRIO_PROCESS, process.pid, 19)
        if phase == "writing":
            while not middle.exists() and process.poll() is None:
                time.sleep(0.0002)
        else:
            while os.stat(first).st_ino == first_inode and process.poll() is None:
                time.sleep(0.0002)
        os.kill(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait()


def killed_build(archive: dict[str, Path], root: Path, phase: str, mode: str) -> dict[str, Path]:
    """A copy of the old site and output, retitled, whose build was killed in `phase`."""
    args = ("--no-cache",) if mode == "full" else ()
    for _attempt in range(KILL_ATTEMPTS):
        shutil.rmtree(root, ignore_errors=True)
        site, output = root / "site", root / "output"
        shutil.copytree(archive["site"], site)  # with its warm cache
        shutil.copytree(archive["old"], output)
        (output / "CNAME").write_text("archive.example.org\n")  # not sitegen's
        retitle(site, NEW_TITLE)
        kill_while_writing(sitegen(site, output, *args), output, phase)
        if (output / MARKER).exists():
            return {"root": root, "site": site, "output": output}
    pytest.fail(f"the build finished {KILL_ATTEMPTS} times before it could be killed")


@pytest.fixture(scope="module", params=["full", "incremental"])
def killed_writing(request, archive, tmp_path_factory) -> dict[str, Path]:
    """A build (`--no-cache`, or with the warm cache) killed while writing temporary files."""
    root = tmp_path_factory.mktemp(f"killed-writing-{request.param}")
    return killed_build(archive, root, "writing", request.param) | {"mode": request.param}


@pytest.fixture(scope="module", params=["full", "incremental"])
def killed_renaming(request, archive, tmp_path_factory) -> dict[str, Path]:
    """A build (`--no-cache`, or with the warm cache) killed while renaming files into place."""
    root = tmp_path_factory.mktemp(f"killed-renaming-{request.param}")
    return killed_build(archive, root, "renaming", request.param) | {"mode": request.param}


def processes_running(needle: str) -> list[int]:
    """Pids of the processes whose command line holds `needle`."""
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and needle in (entry / "cmdline").read_bytes().decode():
                found.append(int(entry.name))
    return found


def first_build_folder(output: Path, pid: int) -> Path:
    """Where a first build (no output folder yet) writes, before renaming it to `output`."""
    return output.parent / f".{output.name}{FRESH_TAG}{pid}"


@pytest.mark.parametrize("first", [True, False], ids=["first-build", "rebuild"])
def test_a_killed_build_takes_its_workers_with_it(tmp_path: Path, first: bool) -> None:
    """Workers write the files they render; once their build is killed they must stop, or
    they would go on writing into the folder after it (and never exit). The next build
    clears what the killed one left: temporaries in the output folder, or the folder a
    first build was writing."""
    site, output = tmp_path / "site", tmp_path / "output"
    write_archive(site, OLD_TITLE, articles=400)
    if not first:
        output.mkdir()
        (output / "CNAME").write_text("archive.example.org\n")  # not sitegen's
    process = subprocess.Popen(
        sitegen(site, output, "--no-cache"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    folder = first_build_folder(output, process.pid) if first else output

    def writing() -> bool:  # a first build's folder holds the killed build's files only
        if first:
            return folder.exists() and bool(os.listdir(folder))
        return (output / MARKER).exists()

    deadline = time.monotonic() + BUILD_TIMEOUT_S
    while not writing() and process.poll() is None:  # workers are writing
        assert time.monotonic() < deadline, "the build never started writing"
        time.sleep(0.0005)
    assert process.poll() is None, "the build finished before it could be killed"
    process.kill()
    process.wait()

    def written() -> set[str]:
        return set(tree(folder)) if first else set(leftovers(output))

    left = written()
    deadline = time.monotonic() + 30
    while processes_running(str(site)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_running(str(site)) == [], "workers outlived their build"
    time.sleep(0.5)
    # At most the file each worker was creating at that instant; a worker left running
    # would finish its whole share of the pages (dozens of files here).
    late = written() - left
    assert len(late) <= worker_count(), f"{len(late)} files written after the build was killed"
    assert output.exists() != first, "a killed first build left an output folder"
    build_site(BuildOptions(site_dir=site, output_dir=output, search=False, use_cache=False))
    assert leftovers(output) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output", "site"]
    assert (output / "articles/a-0200/index.html").is_file()


def test_a_page_failing_in_a_worker_leaves_the_output_as_it_was(tmp_path: Path) -> None:
    """Workers write what they render as they go; when one page fails, the temporaries of
    every worker go, and the folder is the last build's."""
    site, output = tmp_path / "site", tmp_path / "output"
    write_archive(site, OLD_TITLE, articles=300)
    build_site(BuildOptions(site_dir=site, output_dir=output, search=False, use_cache=False))
    before = snapshot(output)
    retitle(site, NEW_TITLE)  # every page changes: the workers stage them all
    (site / "templates").mkdir()
    default = Path(__file__).parents[1] / "templates" / "article.html"
    failing = "{% block content %}{% if article.slug == 'a-0250' %}{{ no_such_value }}{% endif %}"
    (site / "templates/article.html").write_text(
        default.read_text().replace("{% block content %}", failing, 1)
    )
    with pytest.raises(BuildFailed) as failed:
        build_site(BuildOptions(site_dir=site, output_dir=output, search=False, use_cache=False))
    (error,) = failed.value.errors
    assert "no_such_value" in error.message and error.path.endswith("article.html")
    assert snapshot(output) == before
    assert leftovers(output) == []


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_card_failing_for_one_article_names_the_card_partial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    """Cards that many pages list are rendered once before the page workers start; one
    that fails there still fails the build as it would in one process: the card partial's
    file and line, and the output as it was."""
    monkeypatch.setenv("SITEGEN_WORKERS", workers)
    site, output = tmp_path / "site", tmp_path / "output"
    write_archive(site, OLD_TITLE, articles=300)
    build_site(BuildOptions(site_dir=site, output_dir=output, search=False, use_cache=False))
    before = snapshot(output)
    retitle(site, NEW_TITLE)
    (site / "templates/partials").mkdir(parents=True)
    default = Path(__file__).parents[1] / "templates/partials/card.html"
    lines = default.read_text().splitlines(keepends=True)
    failing = "{% if article.slug == 'a-0250' %}{{ no_such_value.name }}{% endif %}\n"
    (site / "templates/partials/card.html").write_text("".join([*lines[:2], failing, *lines[2:]]))
    with pytest.raises(BuildFailed) as failed:
        build_site(BuildOptions(site_dir=site, output_dir=output, search=False, use_cache=False))
    (error,) = failed.value.errors
    assert "no_such_value" in error.message
    assert error.path.endswith("templates/partials/card.html") and error.line == 3
    assert snapshot(output) == before
    assert leftovers(output) == []


def assert_each_file_old_or_new(output: Path, archive: dict[str, Path]) -> dict[str, bytes]:
    old, new = tree(archive["old"]), tree(archive["new"])
    after = tree(output)
    assert after.pop("CNAME") == b"archive.example.org\n"
    half_written = [
        path
        for path, data in after.items()
        if TMP_TAG not in path and path != MARKER and data not in (old.get(path), new.get(path))
    ]
    assert half_written == [], "files that are neither the old nor the new version"
    assert sorted(set(old) - set(after)) == [], "files lost"
    return after


def test_build_killed_while_writing_temporary_files_leaves_the_old_files(
    killed_writing: dict, archive: dict[str, Path]
) -> None:
    after = assert_each_file_old_or_new(killed_writing["output"], archive)
    old = tree(archive["old"])
    assert [p for p in old if after[p] != old[p]] == []
    assert [p for p in after if TMP_TAG in p], "not killed while writing temporary files"


def test_build_killed_while_renaming_leaves_each_file_old_or_new(
    killed_renaming: dict, archive: dict[str, Path]
) -> None:
    after = assert_each_file_old_or_new(killed_renaming["output"], archive)
    old, new = tree(archive["old"]), tree(archive["new"])
    assert [p for p in new if after.get(p) == new[p] != old.get(p)], "nothing renamed yet"
    assert [p for p in old if after.get(p) == old[p] != new.get(p)], "everything renamed"


def rebuild(killed: dict, tmp_path: Path, title: str) -> dict[str, bytes]:
    """A copy of the killed build's site and output, built again as `title`: the tree."""
    root = tmp_path / "copy"
    shutil.copytree(killed["root"], root, symlinks=True)
    site, output = root / "site", root / "output"
    retitle(site, title)
    incremental = killed["mode"] == "incremental"
    build_site(BuildOptions(site_dir=site, output_dir=output, search=False, use_cache=incremental))
    assert leftovers(output) == []
    repaired = tree(output)
    assert repaired.pop("CNAME") == b"archive.example.org\n"
    return repaired


def assert_repaired(killed: dict, archive: dict[str, Path], tmp_path: Path) -> None:
    repaired = rebuild(killed, tmp_path, NEW_TITLE)
    new = tree(archive["new"])
    assert sorted(repaired) == sorted(new)
    assert [p for p in new if repaired[p] != new[p]] == []


def test_next_build_after_a_kill_while_writing_repairs_the_tree(
    killed_writing: dict, archive: dict[str, Path], tmp_path: Path
) -> None:
    assert_repaired(killed_writing, archive, tmp_path)


def test_next_build_after_a_kill_while_renaming_repairs_the_tree(
    killed_renaming: dict, archive: dict[str, Path], tmp_path: Path
) -> None:
    assert_repaired(killed_renaming, archive, tmp_path)


def test_next_build_after_a_kill_and_a_reverted_edit_gives_the_old_site(
    killed_renaming: dict, archive: dict[str, Path], tmp_path: Path
) -> None:
    """The edit is undone after the kill: the files already renamed into place must go back,
    although the manifest and the fingerprints still describe the old site."""
    repaired = rebuild(killed_renaming, tmp_path, OLD_TITLE)
    old = tree(archive["old"])
    assert sorted(repaired) == sorted(old)
    stale = [p for p in old if repaired[p] != old[p]]
    assert stale == [], f"{len(stale)} files still hold the killed build's version: {stale[:3]}"


# -- a full disk --------------------------------------------------------------------------------


@contextlib.contextmanager
def small_tmpfs(mount_point: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` at `mount_point`; skips the test where mounting is not allowed."""
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); test_writer.py "
                    "covers a full disk in-process")  # fmt: skip
    try:
        yield mount_point
    finally:
        if subprocess.run(["umount", str(mount_point)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path, leave: int) -> None:
    """Write a file on `disk` that leaves about `leave` bytes free."""
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(disk / "filler", "wb") as filler:
        filler.write(b"\0" * max(0, free - leave))


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Bytes, mtime and inode of every file: byte-identical and not even rewritten."""
    return {
        path.relative_to(folder).as_posix(): (
            path.read_bytes(),
            path.stat().st_mtime_ns,
            path.stat().st_ino,
        )
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_full_disk_gives_a_clear_error_and_leaves_the_output_as_it_was(tmp_path: Path) -> None:
    site = copy_site("basic", tmp_path)
    with small_tmpfs(tmp_path / "disk", "4m") as disk:
        output = disk / "output"
        assert run(sitegen(site, output)).returncode == 0
        before = snapshot(output)
        toml = site / "sitegen.toml"
        toml.write_text(toml.read_text().replace('title = "', 'title = "Renamed ', 1))
        fill(disk, leave=32 * 1024)

        result = run(sitegen(site, output))
        path = assert_one_clear_error(result, "cannot write output: no space left on device")
        assert "free some space" in result.stderr
        assert Path(path).resolve().is_relative_to(output.resolve()), path
        assert snapshot(output) == before

        (disk / "filler").unlink()  # space again: the next build succeeds
        assert run(sitegen(site, output)).returncode == 0
        assert leftovers(output) == []


# -- a read-only output folder ----------------------------------------------------------------

PROBE = """
import sys
from pathlib import Path
import sitegen.build, sitegen.cli
try:
    (Path(sys.argv[1]) / "x").write_bytes(b"")
except PermissionError:
    print("bound by permissions")
"""
# Root ignores file permissions; these run a command as a process that they bind.
UNPRIVILEGED = {
    "nobody": ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
    "root without capabilities": ("setpriv", "--inh-caps=-all", "--bounding-set=-all"),
}


@pytest.fixture(scope="module")
def shared_dir() -> Iterator[Path]:
    """A folder outside /root that another user can read, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="sitegen-faults-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        make_writable(folder)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def unprivileged(shared_dir: Path) -> tuple[str, ...]:
    """A command prefix whose processes can import sitegen but not write a read-only folder."""
    probe = shared_dir / "probe"
    probe.mkdir(mode=0o555)
    probe.chmod(0o555)
    tried = []
    for name, prefix in UNPRIVILEGED.items():
        if shutil.which(prefix[0]) is None:
            tried.append(f"{name}: no {prefix[0]}")
            continue
        result = run([sys.executable, "-c", PROBE, str(probe)], prefix)
        if result.returncode == 0 and "bound by permissions" in result.stdout:
            return prefix
        tried.append(f"{name}: {(result.stderr.strip().splitlines() or ['no'])[-1]}")
    require(False, "no way to run sitegen bound by file permissions: " + "; ".join(tried))
    raise AssertionError  # unreachable: require skipped or failed


def make_read_only(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        mode = 0o555 if path.is_dir() else 0o444
        path.chmod(mode)


def make_writable(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


@pytest.mark.parametrize("where", ["output folder", "its parent"])
def test_read_only_output_gives_a_clear_error_and_is_left_alone(
    shared_dir: Path, unprivileged: tuple[str, ...], where: str
) -> None:
    root = shared_dir / where.replace(" ", "-")
    site = copy_site("basic", root)
    make_readable(root)
    output = root / "parent" / "output"
    if where == "output folder":
        assert run(sitegen(site, output, "--no-cache")).returncode == 0
        make_read_only(output)
    else:
        output.parent.mkdir()
        output.parent.chmod(0o555)
    before = snapshot(output.parent)
    toml = site / "sitegen.toml"
    toml.write_text(toml.read_text().replace('title = "', 'title = "Renamed ', 1))
    make_readable(root)
    try:
        result = run(sitegen(site, output, "--no-cache"), unprivileged)
        message = "cannot write output" if where == "output folder" else "cannot create output"
        assert_one_clear_error(result, f"{message}")
        assert "permission denied (is the output folder writable?)" in result.stderr
        assert snapshot(output.parent) == before
    finally:
        make_writable(root)


def make_readable(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
                   | (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH if path.is_dir() else 0))  # fmt: skip


# -- outputs that cannot both exist on disk -------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("/old/a", "/old/a/b/"),  # a file where another alias needs a folder
        ("/feed.xml/x/", None),  # a folder below a file the site owns
        ("/articles/early-warning/index.html/x", None),
    ],
)
def test_aliases_that_collide_on_disk_are_an_error_before_anything_is_written(
    tmp_path: Path, first: str, second: str | None
) -> None:
    site = copy_site("basic", tmp_path)
    output = tmp_path / "output"
    options = BuildOptions(site_dir=site, output_dir=output, search=False, use_cache=False)
    build_site(options)
    before = snapshot(output)
    for name, alias in (("caucasus-balance", first), ("strategic-stability", second)):
        if alias is None:
            continue
        article = site / f"content/articles/{name}.md"
        text = article.read_text()
        article.write_text(text.replace("\n---\n", f'\naliases: ["{alias}"]\n---\n', 1))
    with pytest.raises(BuildFailed) as failed:
        build_site(options)
    errors = failed.value.errors
    problems = [] if snapshot(output) == before else ["the output folder changed"]
    if [(e.key, (e.path or "").startswith("content/articles/")) for e in errors] != [
        ("aliases", True)
    ]:
        problems.append("not one `aliases` error naming the article")
    assert problems == [], problems + [error.format() for error in errors]
    assert MANIFEST in before
