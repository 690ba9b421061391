"""The writer: atomic, minimal, owned writes."""

from __future__ import annotations

import errno
import json
import os

import pytest
from support.site import snapshot

from sitegen import writer
from sitegen.errors import OutputError
from sitegen.writer import MANIFEST, TMP_TAG, write_output


def test_writes_files_and_manifest(tmp_path):
    report = write_output({"a/index.html": b"A", "b.txt": b"B"}, tmp_path)
    assert (report.written, report.unchanged, report.deleted) == (2, 0, 0)
    assert (tmp_path / "a/index.html").read_bytes() == b"A"
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert sorted(manifest["files"]) == ["a/index.html", "b.txt"]


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
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert manifest["files"]["a.html"] != ""
    write_output({"a.html": b"A"}, tmp_path)
    assert (tmp_path / "a.html").read_bytes() == b"A"


def test_refuses_paths_outside_output(tmp_path):
    with pytest.raises(OutputError):
        write_output({"../evil": b"x"}, tmp_path / "out")
