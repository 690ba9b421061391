"""HTML validation with the Nu Html Checker (vnu.jar from the npm package vnu-jar)."""

import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from .env import NODE_MODULES, require_executable, require_file

VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
VNU_TIMEOUT_S = 900


@dataclass(frozen=True)
class VnuMessage:
    """One message of the checker, located in a file."""

    path: Path | None
    line: int | None
    column: int | None
    message: str
    extract: str = ""

    def __str__(self) -> str:
        where = ":".join(str(part) for part in (self.path, self.line, self.column) if part)
        return f"{where}: {self.message}"


def check_html(
    paths: Sequence[Path], *, filter_pattern: str | None = None, extra_args: Sequence[str] = ()
) -> tuple[list[VnuMessage], list[VnuMessage]]:
    """Validate HTML files (or folders of them) in one JVM; return ``(errors, warnings)``.

    ``filter_pattern`` is a Java regex of messages to drop (vnu's ``--filterpattern``). Info
    messages that are not warnings are left out. A path that does not exist raises
    ``FileNotFoundError``, since the checker itself would skip it without a word.
    """
    if not paths:
        return [], []
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        raise FileNotFoundError(f"no such file to validate: {', '.join(missing)}")
    java = require_executable("java", "install the Debian package default-jre-headless")
    require_file(VNU_JAR, "run `npm ci` in the repository root")
    command = [java, "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", "--stdout"]
    command += ["--skip-non-html"] if any(path.is_dir() for path in paths) else []
    command += ["--filterpattern", filter_pattern] if filter_pattern else []
    command += [*extra_args, *(str(path.resolve()) for path in paths)]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=VNU_TIMEOUT_S, check=False
    )
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(
            f"vnu exited {completed.returncode} without a JSON report:\n"
            f"{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}"
        ) from None
    errors: list[VnuMessage] = []
    warnings: list[VnuMessage] = []
    for raw in report.get("messages", []):
        message = _to_message(raw)
        if raw.get("type") in ("error", "non-document-error"):
            errors.append(message)
        elif raw.get("subType") == "warning":
            warnings.append(message)
    return errors, warnings


def _to_message(raw: dict[str, object]) -> VnuMessage:
    url = str(raw.get("url", ""))
    path = Path(unquote(urlparse(url).path)) if url.startswith("file:") else None
    line = raw.get("firstLine", raw.get("lastLine"))
    column = raw.get("firstColumn")
    return VnuMessage(
        path=path,
        line=line if isinstance(line, int) else None,
        column=column if isinstance(column, int) else None,
        message=str(raw.get("message", "")),
        extract=str(raw.get("extract", "")),
    )
