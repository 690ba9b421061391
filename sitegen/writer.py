"""The only module that touches the output folder: atomic, minimal, owned writes.

Every changed file goes to a temporary name beside its target, written by the
process that rendered it (`Staging.stage`); only when all are written are they
renamed into place, by the build's own process. Unchanged files keep their mtimes.
Files listed in the previous manifest and produced no more are deleted; no
other file is ever removed. The manifest is written last (see Manifest).

A first build (no output folder yet, as on a deploy from a clean checkout) writes each
file under its own name in a folder of its own beside the output, and renames that
folder into place once complete: one rename instead of one a file.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import json
import os
import shutil
import stat
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputError

MANIFEST = ".sitegen-manifest"
LEGACY_MANIFEST = ".sitegen-manifest.json"  # what sitegen wrote before manifest 2
MARKER = ".sitegen-writing"
TMP_TAG = ".sitegen-tmp-"
FRESH_TAG = ".sitegen-new-"  # `.<output>.sitegen-new-<pid>`: a first build's folder
_HEADER = b"#sitegen-manifest 2 "
NO_PRINT = "-"  # the fingerprint of a file no fingerprint describes (the search index's)
_MAX_APPENDED = 20_000  # lines appended before the next write rewrites the whole file

Entry = tuple[str, str]  # (sha256 of the file's bytes, fingerprint of its inputs)


@dataclass(frozen=True)
class WriteReport:
    written: int
    unchanged: int
    deleted: int


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _parse_lines(text: str) -> dict[str, Entry]:
    """Entries of whole lines; split on newlines only, which no output path holds."""
    found = {}
    for line in text.split("\n")[:-1]:
        parts = line.split(" ", 2)
        if len(parts) == 3 and len(parts[0]) == 64 and parts[2]:
            found[parts[2]] = (parts[0], parts[1])
    return found


class Manifest:
    """What the last complete build wrote: each file's sha256 and its inputs' fingerprint.

    On disk it is UTF-8 text: a header giving the length in bytes of a section sorted by
    path, of one line per file (`sha256 fingerprint path`), then the lines that builds
    patching a few outputs appended, the last line for a path winning. Such a build
    looks up the lines it needs by bisecting the sorted section, and appends its own:
    parsing and writing the whole (41,000 lines at 10,000 articles) took a fifth of its
    time. Any other build reads all of it, and writes it whole and sorted again.
    """

    def __init__(
        self, data: bytes = b"", entries: dict[str, Entry] | None = None, appended: int = 0
    ) -> None:
        self.appended = appended  # lines after the sorted section
        self.sorted = entries is not None  # a file with a sorted section to append to
        self._data, self._start, self._end = data, 0, 0
        self._tail: dict[str, Entry] = {}
        self._all = entries
        if entries is None:
            self._sections()

    def _sections(self) -> None:
        data = self._data
        first = data.find(b"\n")
        header = data[:first]
        length = header[len(_HEADER) :]
        if first < 0 or not header.startswith(_HEADER) or not length.isdigit():
            self._all = {}  # not a manifest sitegen wrote: nothing is known of the folder
            return
        self._start, self._end = first + 1, first + 1 + int(length)
        self.sorted = True
        # A line cut short by a build killed while appending has no newline (see MARKER).
        self._tail = _parse_lines(data[self._end :].decode("utf-8", "replace"))
        self.appended = data.count(b"\n", self._end)

    def get(self, path: str) -> Entry | None:
        if self._all is not None:
            return self._all.get(path)
        return self._tail.get(path) or self._bisect(path.encode())

    def _bisect(self, path: bytes) -> Entry | None:
        """The sorted section's line for `path`. `lo` and `hi` stay at starts of lines;
        the section is sorted as Python sorts strings, by code point, as UTF-8 bytes sort."""
        data, lo, hi = self._data, self._start, self._end
        while lo < hi:
            start = data.rfind(b"\n", lo, (lo + hi) // 2) + 1 or lo
            end = data.find(b"\n", start, hi)
            parts = data[start:end].split(b" ", 2) if end >= 0 else []
            if len(parts) != 3:
                return None  # damaged: the writer then trusts the disk alone
            if parts[2] == path:
                return parts[0].decode(), parts[1].decode()
            if parts[2] < path:
                lo = end + 1
            else:
                hi = start
        return None

    def entries(self) -> dict[str, Entry]:
        """Every file's entry, parsed once."""
        if self._all is None:
            found = _parse_lines(self._data[self._start : self._end].decode("utf-8", "replace"))
            found.update(self._tail)
            self._all, self._data, self._tail = found, b"", {}
        return self._all

    def parsed(self) -> bool:
        return self._all is not None

    def hashes(self) -> dict[str, str]:
        return {path: entry[0] for path, entry in self.entries().items()}


_LAST_READ: tuple[tuple[int, ...], Manifest] | None = None


def _stamp(result: os.stat_result) -> tuple[int, ...]:
    # The file itself, not the path it was reached by: a build reads the manifest as
    # `output/...` and as the resolved path, and parsed it (11 MB at 10,000 articles) twice.
    return (result.st_dev, result.st_ino, result.st_mtime_ns, result.st_size)


def load_manifest(output: Path) -> Manifest:
    """The manifest of the output folder, read once for as long as the file stays the same;
    empty if there is none or it cannot be read."""
    global _LAST_READ
    path = output / MANIFEST
    try:
        stamp = _stamp(path.stat())
        if _LAST_READ is None or _LAST_READ[0] != stamp:
            _LAST_READ = (stamp, Manifest(path.read_bytes()))
        return _LAST_READ[1]
    except OSError:
        return _legacy_manifest(output)


def _legacy_manifest(output: Path) -> Manifest:
    """The JSON manifest sitegen wrote before: its files, so that a build still deletes
    those it produces no more."""
    try:
        data = json.loads((output / LEGACY_MANIFEST).read_bytes())
        files = {str(path): str(sha) for path, sha in dict(data["files"]).items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Manifest()
    legacy = Manifest(entries={path: (sha, NO_PRINT) for path, sha in files.items()})
    legacy.sorted = False  # written whole, as the new kind, by the next build
    return legacy


def read_manifest(output: Path) -> dict[str, str]:
    """Path -> sha256 of what the last complete build wrote; empty if none or unreadable."""
    return load_manifest(output).hashes()


class _Fingerprints(Mapping[str, str]):
    """The fingerprints of a patching build's outputs, each looked up when asked for;
    those in `checked` only while their file is still there."""

    def __init__(self, manifest: Manifest, root: str, checked: Collection[str]) -> None:
        self._manifest, self._root, self._checked = manifest, root, checked

    def __getitem__(self, path: str) -> str:
        entry = self._manifest.get(path)
        if entry is None or entry[1] == NO_PRINT:
            raise KeyError(path)
        if path in self._checked and not os.path.isfile(f"{self._root}/{path}"):
            raise KeyError(path)
        return entry[1]

    def __iter__(self) -> Iterator[str]:
        return (path for path in self._manifest.entries() if path in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def read_fingerprints(output: Path, checked: Collection[str] | None = None) -> Mapping[str, str]:
    """Path -> fingerprint of the inputs of each file the last build wrote and that is still there.

    With `checked`, only those paths are looked for on disk, and each is looked up when
    asked for (a build that patches a few outputs trusts the manifest for the rest, as
    a build with nothing to do does).
    """
    if (output / MARKER).exists():
        return {}  # a build was killed while writing: the manifest may be stale
    manifest = load_manifest(output)
    root = str(output)
    if checked is not None:
        return _Fingerprints(manifest, root, checked)
    isfile = os.path.isfile  # os.path, not pathlib: tens of thousands of calls
    return {
        path: fingerprint
        for path, (_, fingerprint) in manifest.entries().items()
        if fingerprint != NO_PRINT and isfile(f"{root}/{path}")
    }


def _check_inside(output: Path, path: str) -> None:
    # Paths come from our own routes and checked aliases; this is a last guard.
    if path.startswith("/") or ".." in path.split("/") or not path:
        raise OutputError(f"refusing to write outside the output folder: {path!r}", output)
    if "\n" in path:  # it would end the path's line in the manifest
        raise OutputError(f"an output path cannot hold a line break: {path!r}", output)


def _safe_target(output: Path, path: str) -> Path:
    _check_inside(output, path)
    return output / path


def _describe(exc: OSError) -> tuple[str, str | None]:
    if exc.errno == errno.ENOSPC:
        return "no space left on device", "free some space and build again"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied", "is the output folder writable?"
    return exc.strerror or str(exc), None


def _remove_dead_fresh(output: Path) -> None:
    """The folders of first builds into `output` that were killed before they were
    complete (their process is gone); this process's own pid may be a dead one's reused."""
    prefix = f".{output.name}{FRESH_TAG}"
    try:
        names = os.listdir(output.parent)
    except OSError:
        return
    for name in names:
        pid = name[len(prefix) :]
        ours = name.startswith(prefix) and pid.isdigit()
        if ours and (int(pid) == os.getpid() or not _alive(int(pid))):
            shutil.rmtree(output.parent / name, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's: alive
        return True
    return True


def _remove_temporaries(output: Path, tag: str = TMP_TAG) -> None:
    """Temporary files whose name carries `tag`: any build's, or one build's own."""
    for root, _dirs, names in os.walk(output):
        for name in names:
            if tag in name:
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(root, name))


def _unchanged(target: str, size: int, new_hash: str, old_hash: str | None, data: bytes) -> bool:
    if size != len(data):
        return False
    if old_hash == new_hash:
        return True
    # The manifest may be stale after a killed build; the disk is the truth.
    try:
        with open(target, "rb") as file:
            return file.read() == data
    except OSError:
        return False


def _write_file(path: str, data: bytes, flags: int = os.O_CREAT | os.O_TRUNC) -> None:
    # os.open, not open(): a buffered file object costs three more system calls a file
    # (fstat, isatty, lseek), tens of thousands of them on a build from scratch.
    descriptor = os.open(path, os.O_WRONLY | os.O_CLOEXEC | flags, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


def _make_folder(folder: str) -> None:
    """`os.makedirs(folder, exist_ok=True)`, with one system call for a folder whose parent
    is there, as most are: makedirs looks at the parent first (tens of thousands of times
    on a build from scratch, where each article has its own folder)."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        if not os.path.isdir(folder):
            raise
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)


@dataclass(frozen=True)
class Staged:
    """One output as `Staging.stage` left it."""

    path: str
    hash: str
    temporary: str | None  # where its new bytes wait; None: the file already holds them


class Staging:
    """One build's write, in two steps, so that rendering processes can write their own files.

    `stage`, in this process or any process forked from it, puts each changed file in a
    temporary beside its target (and marks the folder as being written); `commit` renames
    them all into place, deletes what is produced no more and writes the manifest last;
    `abandon` removes the temporaries instead, leaving the folder as it was. A build
    that patches a few outputs (`patching`) looks up their manifest lines only.
    """

    def __init__(self, output: Path, patching: bool = False) -> None:
        self.output = output.resolve()
        # With no output folder yet, files go straight to their names in a folder of this
        # build's own (see the module's notes); whatever happens, none is half there.
        self.fresh: Path | None = None
        if not os.path.lexists(self.output):
            self.fresh = self.output.parent / f".{self.output.name}{FRESH_TAG}{os.getpid()}"
            _remove_dead_fresh(self.output)
        folder = self.fresh or self.output
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            message, hint = _describe(exc)
            raise OutputError(
                f"cannot create output folder: {message}", self.output, hint=hint
            ) from None
        self.manifest = load_manifest(self.output)
        if not patching:  # parsed before workers fork, or each would parse it again
            self.manifest.entries()
        self.interrupted = self.fresh is None and (self.output / MARKER).exists()
        if self.interrupted:  # a build was killed while writing: its leftovers go first
            _remove_temporaries(self.output)
            (self.output / MARKER).unlink()
        self.tag = f"{TMP_TAG}{os.getpid()}"  # the same in every process of this build
        self._root = str(folder)
        self._marked_by = 0  # the process that last made sure the marker exists
        self._renaming = False
        self._folders: set[str] = set()

    def stage(self, path: str, data: bytes) -> Staged:
        """Hash one output and, unless the file on disk already holds it, write it to a
        temporary beside its target."""
        _check_inside(self.output, path)
        new_hash = digest(data)
        target = f"{self._root}/{path}"
        folder, name = target.rsplit("/", 1)
        if self.fresh is not None:  # a folder of this build's own: the file's own name
            temporary = target
        else:
            entry = None if self.interrupted else self.manifest.get(path)  # after a kill, disk
            old_hash = entry[0] if entry is not None else None
            try:
                found = os.stat(target)
            except OSError:
                found = None  # nothing there yet: the common case of a new output
            if found is not None:
                if stat.S_ISDIR(found.st_mode) and not os.path.islink(target):
                    raise OutputError(
                        "a folder stands where a file must go", target, hint="remove it"
                    )
                if _unchanged(target, found.st_size, new_hash, old_hash, data):
                    return Staged(path, new_hash, None)
            temporary = f"{folder}/.{name}{self.tag}"
        try:
            self._mark()
            if folder not in self._folders:
                _make_folder(folder)
                self._folders.add(folder)
            _write_file(temporary, data)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            message, hint = _describe(exc)
            where = exc.filename or self.output
            raise OutputError(f"cannot write output: {message}", where, hint=hint) from None
        return Staged(path, new_hash, temporary)

    def _mark(self) -> None:
        """The marker tells the next build that temporaries may be lying about."""
        if self.fresh is None and self._marked_by != os.getpid():  # getpid is a system call
            with open(self.output / MARKER, "ab"):
                pass
            self._marked_by = os.getpid()

    @functools.cached_property
    def previous(self) -> dict[str, str]:
        """Path -> sha256 of every file the last build wrote."""
        return self.manifest.hashes()

    def read(self, staged: Staged) -> bytes:
        """The bytes staged for one output: its temporary's, or the file's on disk."""
        return Path(staged.temporary or f"{self._root}/{staged.path}").read_bytes()

    def commit(
        self,
        staged: Iterable[Staged],
        kept: Collection[str] = (),
        fingerprints: Mapping[str, str] | None = None,
        *,
        same_files: bool = False,
    ) -> WriteReport:
        """Bring the folder to exactly the staged files plus `kept` (files of the last build
        left as they are); files sitegen never wrote are left alone. With `same_files`, the
        caller knows these are the files the last build wrote (a patching build's): none
        is deleted, and their lines are appended to the manifest."""
        staged = list(staged)
        fingerprints = fingerprints or {}
        manifest = self.manifest
        made = {item.path: (item.hash, fingerprints.get(item.path, NO_PRINT)) for item in staged}
        if self.fresh is not None:
            return self._commit_fresh(self.fresh, made)
        changed = sorted((item.path, item.temporary) for item in staged if item.temporary)
        fresh = {path: entry for path, entry in made.items() if manifest.get(path) != entry}
        stale: list[str] = []
        if not same_files:
            stale = sorted(manifest.entries().keys() - kept - made.keys())
        total = len(kept) + len(made.keys() - kept)
        legacy = (self.output / LEGACY_MANIFEST).exists()
        if not (changed or stale or fresh or legacy or self.interrupted):
            return WriteReport(0, total, 0)
        self._mark()
        self._renaming = True
        try:
            for path, temporary in changed:
                os.replace(temporary, f"{self._root}/{path}")  # type: ignore[arg-type]
            deleted = _delete_stale(self.output, stale)
            appendable = manifest.sorted and manifest.appended + len(fresh) <= _MAX_APPENDED
            if same_files and appendable and not self.interrupted:
                _append_manifest(self.output, manifest, fresh)
            else:
                entries = {**manifest.entries(), **fresh}
                for path in stale:
                    del entries[path]
                _write_manifest(self.output, entries)
            if legacy:
                os.unlink(self.output / LEGACY_MANIFEST)
        except OSError as exc:
            # Each file is whole, old or new; the marker makes the next build clean up.
            message, hint = _describe(exc)
            raise OutputError(
                f"cannot finish writing: {message}", exc.filename or self.output, hint=hint
            ) from None
        with contextlib.suppress(OSError):
            (self.output / MARKER).unlink()
        return WriteReport(len(changed), total - len(changed), deleted)

    def _commit_fresh(self, fresh: Path, made: dict[str, Entry]) -> WriteReport:
        """A first build's folder, complete with its manifest, becomes the output folder."""
        try:
            _write_manifest(fresh, made)
            os.rename(fresh, self.output)
        except OSError as exc:
            if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
                raise OutputError(
                    "the output folder appeared while this build ran",
                    self.output,
                    hint="another build wrote it: build again",
                ) from None
            message, hint = _describe(exc)
            raise OutputError(f"cannot finish writing: {message}", self.output, hint=hint) from None
        # The manifest remembered as written (_write_manifest) is the same file under its
        # new path: a manifest is known by its inode and stamps, not by where it lies.
        self.fresh = None
        self._root = str(self.output)
        return WriteReport(len(made), 0, 0)

    def abandon(self) -> None:
        """Remove this build's temporaries (those of every process), then the marker; once
        renaming has begun, the marker stays: the manifest no longer tells what is on disk.
        A first build's folder goes whole."""
        if self.fresh is not None:
            shutil.rmtree(self.fresh, ignore_errors=True)
            return
        if (self.output / MARKER).exists():  # only a build that staged something made it
            _remove_temporaries(self.output, self.tag)
            if not self._renaming:
                with contextlib.suppress(OSError):
                    (self.output / MARKER).unlink()


def write_output(
    files: Mapping[str, bytes],
    output: Path,
    kept: Iterable[str] = (),
    fingerprints: Mapping[str, str] | None = None,
) -> WriteReport:
    """Bring `output` to exactly `files` plus `kept` (files of the last build left as they
    are), atomically per file; files sitegen never wrote are left alone."""
    staging = Staging(output)
    try:
        staged = [staging.stage(path, files[path]) for path in sorted(files)]
    except BaseException:
        staging.abandon()
        raise
    return staging.commit(staged, kept, fingerprints)


def _delete_stale(output: Path, stale: list[str]) -> int:
    deleted = 0
    folders: set[Path] = set()
    for path in stale:
        target = _safe_target(output, path)
        try:
            target.unlink()
            deleted += 1
        except FileNotFoundError:
            pass
        folders.update(p for p in target.parents if output in p.parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only empty folders go
    return deleted


def _lines(entries: Iterable[tuple[str, Entry]]) -> bytes:
    return "".join([f"{sha} {print_} {path}\n" for path, (sha, print_) in entries]).encode()


def _write_manifest(output: Path, entries: dict[str, Entry]) -> None:
    """The whole manifest, sorted, by a rename."""
    body = _lines(sorted(entries.items()))
    data = b"%s%d\n%s" % (_HEADER, len(body), body)
    temporary = output / f"{MANIFEST}{TMP_TAG}{os.getpid()}"
    _write_file(str(temporary), data)
    os.replace(temporary, output / MANIFEST)
    _remember_manifest(output, Manifest(entries=entries))


def _append_manifest(output: Path, manifest: Manifest, fresh: Mapping[str, Entry]) -> None:
    """A patching build's lines, after the last build's: no other line is read or written."""
    if fresh:
        _write_file(str(output / MANIFEST), _lines(fresh.items()), os.O_APPEND)
    if manifest.parsed():  # a preview server's: its next build starts from this one
        appended = manifest.appended + len(fresh)
        _remember_manifest(
            output, Manifest(entries={**manifest.entries(), **fresh}, appended=appended)
        )


def _remember_manifest(output: Path, manifest: Manifest) -> None:
    """What was just written is what the next read in this process (a preview's next
    rebuild) would parse back."""
    global _LAST_READ
    try:
        stamp = _stamp((output / MANIFEST).stat())
    except OSError:
        return
    _LAST_READ = (stamp, manifest)
