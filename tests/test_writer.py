"""The writer: atomic, minimal, owned writes."""

from __future__ import annotations

import errno
import json
import os
import subprocess

import pytest
from support.site import snapshot

from sitegen import writer
from sitegen.errors import OutputError
from sitegen.writer import MANIFEST, TMP_TAG, digest, read_manifest, write_output


def manifest_lines(output, appended: int = 0) -> list[str]:
    """The manifest's lines, after checking that its header gives the length of all but the
    last `appended` (which patching builds added)."""
    header, _, body = (output / MANIFEST).read_text(encoding="utf-8").partition("\n")
    lines = body.splitlines(keepends=True)
    written = "".join(lines[: len(lines) - appended])
    assert header == f"#sitegen-manifest 2 {len(written.encode())}"
    return [line.rstrip("\n") for line in lines]


def test_writes_files_and_manifest(tmp_path):
    report = write_output({"a/index.html": b"A", "b.txt": b"B"}, tmp_path)
    assert (report.written, report.unchanged, report.deleted) == (2, 0, 0)
    assert (tmp_path / "a/index.html").read_bytes() == b"A"
    assert manifest_lines(tmp_path) == [
        f"{digest(b'A')} - a/index.html",
        f"{digest(b'B')} - b.txt",
    ]


def test_unchanged_files_keep_their_mtime(tmp_path):
    write_output({"a.html": b"A", "b.html": b"B"}, tmp_path)
    os.utime(tmp_path / "a.html", ns=(1_000_000_000, 1_000_000_000))
    report = write_output({"a.html": b"A", "b.html": b"B2"}, tmp_path)
    assert (report.written, report.unchanged) == (1, 1)
    assert (tmp_path / "a.html").stat().st_mtime_ns == 1_000_000_000


def test_deletes_only_what_it_wrote(tmp_path):
    write_output({"old/index.html": b"old", "keep.html": b"k"}, tmp_path)
    (tmp_path / "CNAME").write_text("example.org")
    (tmp_path / "old/notes.txt").write_text("mine")
    report = write_output({"keep.html": b"k"}, tmp_path)
    assert report.deleted == 1
    assert not (tmp_path / "old/index.html").exists()
    assert (tmp_path / "old/notes.txt").exists()  # the folder stays, it is not empty
    assert (tmp_path / "CNAME").read_text() == "example.org"


def test_removes_empty_folders_it_emptied(tmp_path):
    write_output({"x/y/index.html": b"1", "k": b"k"}, tmp_path)
    write_output({"k": b"k"}, tmp_path)
    assert not (tmp_path / "x").exists()


def test_full_disk_leaves_previous_output_intact(tmp_path, monkeypatch):
    write_output({"a.html": b"A", "b.html": b"B"}, tmp_path)
    before = snapshot(tmp_path)
    real_write = writer._write_file
    calls = []

    def failing_write(path: str, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", path)
        real_write(path, data)

    monkeypatch.setattr(writer, "_write_file", failing_write)
    with pytest.raises(OutputError) as failed:
        write_output({"a.html": b"A2", "b.html": b"B2", "c.html": b"C"}, tmp_path)
    monkeypatch.undo()
    assert "no space left on device" in failed.value.format()
    assert snapshot(tmp_path) == before
    assert not [p for p in tmp_path.rglob("*") if TMP_TAG in p.name]


def test_leftover_temporary_files_are_removed(tmp_path):
    write_output({"a.html": b"A"}, tmp_path)
    (tmp_path / ".sitegen-writing").write_bytes(b"")  # a build was killed mid-write
    (tmp_path / f".a.html{TMP_TAG}999").write_bytes(b"half")
    write_output({"a.html": b"A"}, tmp_path)
    assert not (tmp_path / f".a.html{TMP_TAG}999").exists()
    assert not (tmp_path / ".sitegen-writing").exists()


def test_stale_manifest_after_kill_is_repaired(tmp_path):
    write_output({"a.html": b"A"}, tmp_path)
    (tmp_path / "a.html").write_bytes(b"A2")  # renamed into place, manifest not yet updated
    report = write_output({"a.html": b"A2"}, tmp_path)
    assert report.written == 0
    assert read_manifest(tmp_path)["a.html"] == digest(b"A2")
    write_output({"a.html": b"A"}, tmp_path)
    assert (tmp_path / "a.html").read_bytes() == b"A"


def test_refuses_paths_outside_output(tmp_path):
    with pytest.raises(OutputError):
        write_output({"../evil": b"x"}, tmp_path / "out")


# -- the manifest: sorted lines, looked up by bisection, appended to by patching builds --


def _patch(output, files: dict[str, bytes], kept: set[str], prints: dict[str, str]):
    """Commit as a patching build does: its files are the last build's, so it appends."""
    staging = writer.Staging(output, patching=True)
    staged = [staging.stage(path, data) for path, data in files.items()]
    return staging.commit(staged, kept, prints, same_files=True)


def test_a_patching_build_appends_its_lines_and_a_full_build_sorts_them_again(tmp_path):
    files = {f"p/{n}.html": f"page {n}".encode() for n in range(5)}
    write_output(files, tmp_path, fingerprints=dict.fromkeys(files, "f1"))
    before = (tmp_path / MANIFEST).read_bytes()
    others = set(files) - {"p/1.html", "p/3.html"}
    # p/1 changes; p/3 is rendered again to the same bytes, under the same fingerprint.
    report = _patch(
        tmp_path,
        {"p/1.html": b"page 1, corrected", "p/3.html": b"page 3"},
        others,
        {"p/1.html": "f2", "p/3.html": "f1"},
    )
    assert (report.written, report.unchanged, report.deleted) == (1, 4, 0)
    after = (tmp_path / MANIFEST).read_bytes()
    assert after.startswith(before)  # no line of the last build's was written again
    assert after[len(before) :].decode() == f"{digest(b'page 1, corrected')} f2 p/1.html\n"
    assert read_manifest(tmp_path)["p/1.html"] == digest(b"page 1, corrected")
    assert writer.read_fingerprints(tmp_path)["p/1.html"] == "f2"
    files["p/1.html"] = b"page 1, corrected"
    write_output({**files, "p/5.html": b"new"}, tmp_path, fingerprints=dict.fromkeys(files, "f3"))
    lines = manifest_lines(tmp_path)
    assert [line.split(" ")[2] for line in lines] == [f"p/{n}.html" for n in range(6)]
    assert lines[1] == f"{digest(b'page 1, corrected')} f3 p/1.html"


def test_manifest_lines_are_found_by_bisection_without_parsing_the_rest(tmp_path):
    paths = ["a.html", "a b.html", "a-b.html", "a/b.html", "a/b/c.html", "b.html", "z/x.html"]
    paths += ["ä/x.html", "日本/index.html"]
    write_output({path: path.encode() for path in paths}, tmp_path)
    _patch(tmp_path, {"a/b.html": b"again"}, set(paths) - {"a/b.html"}, {"a/b.html": "f"})
    manifest = writer.Manifest((tmp_path / MANIFEST).read_bytes())
    for path in paths:
        edited = path == "a/b.html"
        expected = (digest(b"again"), "f") if edited else (digest(path.encode()), "-")
        assert manifest.get(path) == expected, path
    for missing in ["", "0", "a", "a/", "a/b", "ab.html", "zz", "日"]:
        assert manifest.get(missing) is None, missing
    assert not manifest.parsed()
    assert sorted(manifest.entries()) == sorted(paths)


def test_a_line_cut_short_by_a_killed_build_is_not_read(tmp_path):
    write_output({"a.html": b"A", "b.html": b"B"}, tmp_path)
    with open(tmp_path / MANIFEST, "a", encoding="utf-8") as file:
        file.write(f"{digest(b'B2')} - b.ht")  # killed while appending: no newline
    (tmp_path / "b.html").write_bytes(b"B2")
    (tmp_path / writer.MARKER).write_bytes(b"")
    assert sorted(read_manifest(tmp_path)) == ["a.html", "b.html"]
    assert writer.read_fingerprints(tmp_path) == {}  # the marker: nothing is trusted
    write_output({"a.html": b"A", "b.html": b"B"}, tmp_path)
    assert (tmp_path / "b.html").read_bytes() == b"B"
    assert manifest_lines(tmp_path)[1] == f"{digest(b'B')} - b.html"


def test_appended_lines_past_the_bound_are_written_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "_MAX_APPENDED", 1)
    write_output({"a.html": b"A", "b.html": b"B"}, tmp_path)
    _patch(tmp_path, {"a.html": b"A2"}, {"b.html"}, {})
    assert len(manifest_lines(tmp_path, appended=1)) == 3
    _patch(tmp_path, {"b.html": b"B2"}, {"a.html"}, {})
    assert manifest_lines(tmp_path) == [
        f"{digest(b'A2')} - a.html",
        f"{digest(b'B2')} - b.html",
    ]


def test_the_json_manifest_of_an_older_sitegen_is_read_then_replaced(tmp_path):
    (tmp_path / "old.html").write_bytes(b"old")
    (tmp_path / "keep.html").write_bytes(b"k")
    (tmp_path / "mine.txt").write_bytes(b"not sitegen's")
    legacy = {"files": {"old.html": digest(b"old"), "keep.html": digest(b"k")}}
    (tmp_path / writer.LEGACY_MANIFEST).write_text(json.dumps(legacy))
    report = write_output({"keep.html": b"k"}, tmp_path)
    assert (report.written, report.unchanged, report.deleted) == (0, 1, 1)
    assert not (tmp_path / "old.html").exists()
    assert (tmp_path / "mine.txt").exists()
    assert not (tmp_path / writer.LEGACY_MANIFEST).exists()
    assert manifest_lines(tmp_path) == [f"{digest(b'k')} - keep.html"]


def test_an_output_path_with_a_line_break_is_refused(tmp_path):
    with pytest.raises(OutputError) as refused:
        write_output({"a\nb.html": b"x"}, tmp_path)
    assert "line break" in refused.value.format()
    assert not (tmp_path / MANIFEST).exists()


def first_build_folder(output, pid: int):
    return output.parent / f".{output.name}{writer.FRESH_TAG}{pid}"


def test_a_first_build_writes_a_folder_of_its_own_then_renames_it(tmp_path, monkeypatch):
    """With no output folder yet, each file is written once under its own name, and the
    folder appears whole: one rename, none a file."""
    output = tmp_path / "site" / "output"  # its parent is made too
    renamed = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: renamed.append(b) or real_replace(a, b))
    report = write_output({"a/index.html": b"A", "b.txt": b"B"}, output)
    assert (report.written, report.unchanged, report.deleted) == (2, 0, 0)
    assert (output / "a/index.html").read_bytes() == b"A"
    assert read_manifest(output) == {"a/index.html": digest(b"A"), "b.txt": digest(b"B")}
    assert renamed == [first_build_folder(output, os.getpid()) / MANIFEST]  # the manifest's
    assert sorted(p.name for p in output.parent.iterdir()) == ["output"]
    assert not [p for p in output.rglob("*") if TMP_TAG in p.name or p.name == writer.MARKER]
    report = write_output({"a/index.html": b"A", "b.txt": b"B2"}, output)  # now a rebuild
    assert (report.written, report.unchanged) == (1, 1)


def test_a_failed_first_build_leaves_no_folder(tmp_path, monkeypatch):
    output = tmp_path / "output"
    real_write = writer._write_file

    def failing_write(path: str, data: bytes, *args) -> None:
        if path.endswith("c.html"):
            raise OSError(errno.ENOSPC, "No space left on device", path)
        real_write(path, data, *args)

    monkeypatch.setattr(writer, "_write_file", failing_write)
    with pytest.raises(OutputError) as failed:
        write_output({"a.html": b"A", "b.html": b"B", "c.html": b"C"}, output)
    assert "no space left on device" in failed.value.format()
    assert list(tmp_path.iterdir()) == []


def test_a_killed_first_builds_folder_goes_with_the_next_first_build(tmp_path):
    """A folder left by a first build whose process is gone is removed; one whose process
    still runs (a build going on beside this one) is left alone."""
    output = tmp_path / "output"
    gone = first_build_folder(output, _finished_pid())
    running = first_build_folder(output, os.getppid())
    for folder in (gone, running):
        (folder / "articles/x").mkdir(parents=True)
        (folder / "articles/x/index.html").write_bytes(b"half")
    write_output({"a.html": b"A"}, output)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["output", running.name])
    assert (output / "a.html").read_bytes() == b"A"


def _finished_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_an_output_folder_made_during_a_first_build_is_not_overwritten(tmp_path):
    output = tmp_path / "output"
    staging = writer.Staging(output)
    staged = [staging.stage("a.html", b"A")]
    output.mkdir()
    (output / "theirs.html").write_bytes(b"another build's")
    with pytest.raises(OutputError) as failed:
        staging.commit(staged)
    staging.abandon()
    assert "the output folder appeared while this build ran" in failed.value.format()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]
    assert [p.name for p in output.iterdir()] == ["theirs.html"]
