"""Finding and decoding the raw text files given to `sitegen import`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ImportError_, SitegenError


@dataclass(frozen=True)
class Source:
    """One input file: where it is, how to name it in messages, and its decoded text."""

    path: Path
    shown: str
    text: str


def expand_paths(paths: list[Path], errors: list[SitegenError]) -> list[tuple[Path, str]]:
    """Files to import: each file given, and every `.txt` file of each directory given."""
    found: list[tuple[Path, str]] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.append((path, str(path)))

    for path in paths:
        if path.is_dir():
            try:
                texts = sorted(
                    p for p in path.iterdir() if p.suffix.lower() == ".txt" and p.is_file()
                )
            except OSError as exc:
                errors.append(ImportError_(f"cannot read directory: {_reason(exc)}", path))
                continue
            if not texts:
                errors.append(
                    ImportError_("directory has no .txt files", path, hint="give .txt files")
                )
            for text_path in texts:
                add(text_path)
        else:
            add(path)
    return found


def read_source(path: Path, shown: str) -> Source:
    """Decode one input strictly: UTF-8 (a BOM is fine), CRLF or CR line ends, not blank."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportError_(f"cannot read: {_reason(exc)}", shown) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ImportError_(
            "file is not valid UTF-8", shown, line, hint="save it as UTF-8 text"
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportError_("file contains NUL bytes", shown, line, hint="is it a binary file?")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        what = "file is empty" if not text else "file holds only whitespace"
        raise ImportError_(what, shown, hint="give the article's text")
    return Source(path, shown, text)


def _reason(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return " ".join(reason.split()).lower() if reason else type(exc).__name__
