"""What `sitegen import` is asked to do, and what it reports back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..errors import Warning_


@dataclass(frozen=True)
class ImportOptions:
    """The command's options; `topics` and `regions` are the only source of terms."""

    date: str | None = None  # YYYY-MM-DD or YYYY-MM; overrides a date line in the text
    type: str | None = None  # one of the contract's article types; default: recognised
    topics: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    slug: str | None = None  # only with a single input file
    force: bool = False  # replace an article file whose content differs
    dry_run: bool = False  # plan and report, write nothing


FileStatus = Literal["new", "replaced", "unchanged"]


@dataclass(frozen=True)
class PlannedFile:
    """One content file an import writes (or, in a dry run, would write)."""

    path: Path
    text: str
    kind: Literal["article", "author"]
    status: FileStatus
    source: str  # the input file it comes from, as given


@dataclass(frozen=True)
class ImportReport:
    """Everything an import did or would do; the CLI prints `messages()`."""

    site_dir: Path
    planned: tuple[PlannedFile, ...] = ()
    written: tuple[Path, ...] = ()  # files created or replaced; empty in a dry run
    unchanged: tuple[Path, ...] = ()  # article files that already held the same text
    existing_authors: tuple[Path, ...] = ()  # author files matched and left untouched
    drafts: tuple[Path, ...] = ()  # articles written with `draft: true`: they need a date
    hints: tuple[Warning_, ...] = ()  # near-miss names and other notes
    dry_run: bool = False

    def shown(self, path: Path) -> str:
        """A path as printed: relative to the site folder where possible."""
        try:
            return str(path.relative_to(self.site_dir))
        except ValueError:
            return str(path)

    def dry_run_text(self) -> str:
        """Each target path followed by the front matter that would be written there."""
        parts: list[str] = []
        for planned in self.planned:
            if planned.status == "unchanged":
                continue
            front = planned.text.split("\n---\n", 1)[0] + "\n---"
            verb = "would replace" if planned.status == "replaced" else "would write"
            parts.append(f"{verb} {self.shown(planned.path)}\n{front}")
        return "\n".join(parts)

    def messages(self) -> list[str]:
        """One line per outcome, for the CLI to print in this order."""
        lines: list[str] = []
        if self.dry_run:
            lines.extend(self.dry_run_text().split("\n") if self.dry_run_text() else [])
        else:
            lines.extend(f"wrote {self.shown(path)}" for path in self.written)
        lines.extend(f"unchanged {self.shown(path)}" for path in self.unchanged)
        lines.extend(f"kept {self.shown(path)} (existing author)" for path in self.existing_authors)
        written = "would be written" if self.dry_run else "is written"
        for path in self.drafts:
            lines.append(
                f"{self.shown(path)}: date: needs a date; the text gives none, so it "
                f"{written} as a draft (add `date:` and remove `draft: true`, "
                "or import again with --date and --force)"
            )
        lines.extend(hint.format() for hint in self.hints)
        return lines
