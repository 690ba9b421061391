"""The only module that touches the output folder: atomic, minimal, owned writes.

Every changed file goes to a temporary name beside its target, written by the
process that rendered it (`Staging.stage`); only when all are written are they
renamed into place, by the build's own process. Unchanged files keep their mtimes.
Files listed in the previous manifest and produced no more are deleted; no
other file is ever removed. The manifest is written last.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson

from .errors import OutputError

MANIFEST = ".sitegen-manifest.json"
MARKER = ".sitegen-writing"
TMP_TAG = ".sitegen-tmp-"


@dataclass(frozen=True)
class WriteReport:
    written: int
    unchanged: int
    deleted: int


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_LAST_READ: tuple[tuple[int, ...], dict[str, dict[str, str]]] | None = None


def _stamp(result: os.stat_result) -> tuple[int, ...]:
    # The file itself, not the path it was reached by: a build reads the manifest as
    # `output/...` and as the resolved path, and parsed it (11 MB at 10,000 articles) twice.
    return (result.st_dev, result.st_ino, result.st_mtime_ns, result.st_size)


def _manifest_table(output: Path, table: str) -> dict[str, str]:
    """One table of the manifest, parsed once for as long as the file stays the same."""
    global _LAST_READ
    path = output / MANIFEST
    try:
        stamp = _stamp(path.stat())
        if _LAST_READ is None or _LAST_READ[0] != stamp:
            data = orjson.loads(path.read_bytes())
            # JSON keys are strings; a value that is not one only fails to match.
            tables = {
                name: data[name]
                for name in ("files", "fingerprints")
                if isinstance(data.get(name), dict)
            }
            _LAST_READ = (stamp, tables)
        return dict(_LAST_READ[1].get(table, {}))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def read_manifest(output: Path) -> dict[str, str]:
    """Path -> sha256 of what the last complete build wrote; empty if none or unreadable."""
    return _manifest_table(output, "files")


def read_fingerprints(output: Path, checked: Collection[str] | None = None) -> dict[str, str]:
    """Path -> fingerprint of the inputs of each file the last build wrote and that is still there.

    With `checked`, only those paths are looked for on disk (a build that patches a few
    outputs trusts the manifest for the rest, as a build with nothing to do does).
    """
    if (output / MARKER).exists():
        return {}  # a build was killed while writing: the manifest may be stale
    fingerprints = _manifest_table(output, "fingerprints")
    files = read_manifest(output)
    root = str(output)
    isfile = os.path.isfile  # os.path, not pathlib: tens of thousands of calls
    if checked is not None:
        gone = {p for p in checked if p in fingerprints and not isfile(f"{root}/{p}")}
        for path in (fingerprints.keys() - files.keys()) | gone:  # set operations in C
            del fingerprints[path]
        return fingerprints
    return {p: f for p, f in fingerprints.items() if p in files and isfile(f"{root}/{p}")}


def _check_inside(output: Path, path: str) -> None:
    # Paths come from our own routes and checked aliases; this is a last guard.
    if path.startswith("/") or ".." in path.split("/") or not path:
        raise OutputError(f"refusing to write outside the output folder: {path!r}", output)


def _safe_target(output: Path, path: str) -> Path:
    _check_inside(output, path)
    return output / path


def _describe(exc: OSError) -> tuple[str, str | None]:
    if exc.errno == errno.ENOSPC:
        return "no space left on device", "free some space and build again"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied", "is the output folder writable?"
    return exc.strerror or str(exc), None


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


def _write_file(path: str, data: bytes) -> None:
    # os.open, not open(): a buffered file object costs three more system calls a file
    # (fstat, isatty, lseek), tens of thousands of them on a build from scratch.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


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
    `abandon` removes the temporaries instead, leaving the folder as it was.
    """

    def __init__(self, output: Path) -> None:
        self.output = output.resolve()
        try:
            self.output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            message, hint = _describe(exc)
            raise OutputError(
                f"cannot create output folder: {message}", self.output, hint=hint
            ) from None
        self.previous = read_manifest(self.output)
        self.interrupted = (self.output / MARKER).exists()
        if self.interrupted:  # a build was killed while writing: its leftovers go first
            _remove_temporaries(self.output)
            (self.output / MARKER).unlink()
        self.tag = f"{TMP_TAG}{os.getpid()}"  # the same in every process of this build
        self._root = str(self.output)
        self._marked_by = 0  # the process that last made sure the marker exists
        self._renaming = False
        self._folders: set[str] = set()

    def stage(self, path: str, data: bytes) -> Staged:
        """Hash one output and, unless the file on disk already holds it, write it to a
        temporary beside its target."""
        _check_inside(self.output, path)
        new_hash = digest(data)
        target = f"{self._root}/{path}"
        old_hash = None if self.interrupted else self.previous.get(path)  # after a kill, disk
        try:
            found = os.stat(target)
        except OSError:
            found = None  # nothing there yet: the common case of a new output
        if found is not None:
            if stat.S_ISDIR(found.st_mode) and not os.path.islink(target):
                raise OutputError("a folder stands where a file must go", target, hint="remove it")
            if _unchanged(target, found.st_size, new_hash, old_hash, data):
                return Staged(path, new_hash, None)
        folder, name = target.rsplit("/", 1)
        temporary = f"{folder}/.{name}{self.tag}"
        try:
            self._mark()
            if folder not in self._folders:
                os.makedirs(folder, exist_ok=True)
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
        if self._marked_by != os.getpid():
            with open(self.output / MARKER, "ab"):
                pass
            self._marked_by = os.getpid()

    def read(self, staged: Staged) -> bytes:
        """The bytes staged for one output: its temporary's, or the file's on disk."""
        return Path(staged.temporary or f"{self._root}/{staged.path}").read_bytes()

    def commit(
        self,
        staged: Iterable[Staged],
        kept: Iterable[str] = (),
        fingerprints: Mapping[str, str] | None = None,
    ) -> WriteReport:
        """Bring the folder to exactly the staged files plus `kept` (files of the last build
        left as they are); files sitegen never wrote are left alone."""
        staged = list(staged)
        made = {item.path: item.hash for item in staged}
        # The last manifest copied, less what is not kept: a patching build keeps 41,000
        # files at 10,000 articles, and a dict filled one by one took a tenth of its time.
        hashes = dict(self.previous)
        gone = hashes.keys() - kept
        for path in gone:
            del hashes[path]
        hashes.update(made)
        changed = sorted((item.path, item.temporary) for item in staged if item.temporary)
        stale = sorted(gone - made.keys())
        fingerprints = dict(fingerprints or {})
        if (
            not changed
            and not stale
            and self.previous == hashes
            and read_fingerprints(self.output) == fingerprints
        ):
            return WriteReport(0, len(hashes), 0)
        self._mark()
        self._renaming = True
        try:
            for path, temporary in changed:
                os.replace(temporary, f"{self._root}/{path}")  # type: ignore[arg-type]
            deleted = _delete_stale(self.output, stale)
            _write_manifest(self.output, hashes, fingerprints)
        except OSError as exc:
            # Each file is whole, old or new; the marker makes the next build clean up.
            message, hint = _describe(exc)
            raise OutputError(
                f"cannot finish writing: {message}", exc.filename or self.output, hint=hint
            ) from None
        with contextlib.suppress(OSError):
            (self.output / MARKER).unlink()
        return WriteReport(len(changed), len(hashes) - len(changed), deleted)

    def abandon(self) -> None:
        """Remove this build's temporaries (those of every process), then the marker; once
        renaming has begun, the marker stays: the manifest no longer tells what is on disk."""
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


def _write_manifest(
    output: Path, hashes: Mapping[str, str], fingerprints: Mapping[str, str]
) -> None:
    manifest = {"files": hashes, "fingerprints": fingerprints}
    # orjson: sorted and compact as json.dumps would write it, in a fifth of the time
    # (11 MB at 10,000 articles, on every build that writes anything).
    data = orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS)
    temporary = output / f"{MANIFEST}{TMP_TAG}{os.getpid()}"
    temporary.write_bytes(data + b"\n")
    os.replace(temporary, output / MANIFEST)
    _remember_manifest(output, manifest)


def _remember_manifest(output: Path, tables: dict[str, Mapping[str, str]]) -> None:
    """What was just written is what the next read in this process (a preview's next
    rebuild) would parse back."""
    global _LAST_READ
    path = output / MANIFEST
    try:
        stamp = _stamp(path.stat())
    except OSError:
        return
    _LAST_READ = (stamp, {name: dict(table) for name, table in tables.items()})
