"""Writing planned content files: all of them, or, if anything fails, none."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import ImportError_


def write_all(files: list[tuple[Path, str]]) -> None:
    """Write each `(path, text)` atomically; temporary files first, then rename them all."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp_name = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
            )
            staged.append((Path(temp_name), path))
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
        for temp, path in staged:
            os.replace(temp, path)
    except OSError as exc:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        target = exc.filename or (staged[-1][1] if staged else "content")
        raise ImportError_(f"cannot write: {exc.strerror or exc}", target) from None
