"""Broken input is reported as `error: path:line: key: message`, and the output is left alone.

Each folder under `tests/fixtures/invalid/` is a small site that is valid apart from one
problem, with an `expected.json` naming the errors sitegen must print:
`{"errors": [{"path": ..., "line": ..., "key": ...}], "message_contains": ...}`. Paths are
relative to the site folder; a `line` or `key` of null means the message has none.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sitegen.cli import main

INVALID = Path(__file__).parent / "fixtures" / "invalid"
CASES = sorted(p.name for p in INVALID.iterdir() if (p / "expected.json").is_file())
OLD_MTIME_NS = 946_684_800 * 10**9  # 2000-01-01: a rewrite with the same bytes still shows

# The site every case folder starts from; its build fills `output/` before the broken build.
TOML = 'title = "Test Archive"\nbase_url = "https://example.org/"\n'
GOOD_ARTICLE = """---
title: A good article
date: 2019-10-03
authors: [jane-doe]
topics: [Strategic stability]
regions: [Russia]
---
A valid body that links to nothing.
"""
JANE = "---\nname: Jane Doe\nrole: Senior fellow\n---\nJane writes about strategic stability.\n"
IVAN = "---\nname: Ivan Petrov\n---\nIvan is an expert on early warning.\n"
VALID_SITE = {
    "sitegen.toml": TOML,
    "content/articles/good.md": GOOD_ARTICLE,
    "content/authors/jane-doe.md": JANE,
    "content/authors/ivan-petrov.md": IVAN,
}

Snapshot = dict[str, tuple[bytes, int] | None]


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (path below `root` -> text or bytes) and return `root`."""
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return root


def snapshot(folder: Path) -> Snapshot:
    """Every file's bytes and mtime, and every folder, below `folder`."""
    state: Snapshot = {}
    for root, dirs, names in os.walk(folder):
        for name in dirs:
            state[os.path.relpath(os.path.join(root, name), folder) + "/"] = None
        for name in names:
            path = Path(root, name)
            state[str(path.relative_to(folder))] = (path.read_bytes(), path.stat().st_mtime_ns)
    return state


def age(folder: Path) -> None:
    """Give every file below `folder` the same old mtime."""
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))


def assert_unchanged(folder: Path, before: Snapshot) -> None:
    after = snapshot(folder)
    assert sorted(after) == sorted(before), "files were added to or removed from the output"
    changed = [path for path, state in after.items() if state != before[path]]
    assert not changed, f"the failed build touched {changed[:5]}"


def expected_prefix(error: dict[str, Any]) -> str:
    """`error: path:line: key: ` as sitegen prints it; line and key may be absent."""
    prefix = f"error: {error['path']}"
    if error["line"] is not None:
        prefix += f":{error['line']}"
    prefix += ": "
    if error["key"] is not None:
        prefix += f"{error['key']}: "
    return prefix


def assert_reported(stderr: str, expected: dict[str, Any]) -> None:
    """Exactly the expected errors, each in the one format, then the count; no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert lines, "nothing printed on stderr"
    count = len(expected["errors"])
    assert lines[-1] == f"{count} error{'s' if count != 1 else ''}", stderr
    printed = [line for line in lines if line.startswith("error: ")]
    assert len(printed) == count, f"expected {count} error lines, got:\n{stderr}"
    for error in expected["errors"]:
        prefix = expected_prefix(error)
        assert any(line.startswith(prefix) for line in printed), (
            f"no line starting {prefix!r} in:\n{stderr}"
        )
    assert expected["message_contains"] in "\n".join(printed), stderr


@pytest.fixture(scope="session")
def baseline_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """VALID_SITE after a successful build: its `output/` (with old mtimes) and build cache."""
    site = write_files(tmp_path_factory.mktemp("baseline") / "site", VALID_SITE)
    assert main(["build", "--site", str(site), "--quiet"]) == 0
    assert (site / "output" / ".sitegen-manifest").is_file()
    age(site / "output")
    return site


def prebuilt_site(tmp_path: Path, baseline_site: Path, files: dict[str, str | bytes]) -> Path:
    """A copy of the built baseline site in `tmp_path/site`, then `files` written over it."""
    site = tmp_path / "site"
    shutil.copytree(baseline_site, site, copy_function=shutil.copy2)
    return write_files(site, files)


def copy_case(case: str, tmp_path: Path, baseline_site: Path) -> tuple[Path, Snapshot]:
    """The valid site built, then the case's files copied in; and its output's snapshot.

    Building the valid site first means the broken build starts from a real previous
    output and a warm build cache, as when an editor breaks a file of a working site.
    """
    site = prebuilt_site(tmp_path, baseline_site, {})
    shutil.copytree(
        INVALID / case, site, ignore=shutil.ignore_patterns("expected.json"), dirs_exist_ok=True
    )
    return site, snapshot(site / "output")


def load_expected(case: str) -> dict[str, Any]:
    return json.loads((INVALID / case / "expected.json").read_text(encoding="utf-8"))


def run_cli(args: list[str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """`python -m sitegen ARGS` in a real process, as a user or CI would run it."""
    return subprocess.run(
        [sys.executable, "-m", "sitegen", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_every_case_folder_has_a_well_formed_expectation():
    assert len(CASES) >= 50
    for case in CASES:
        expected = load_expected(case)
        assert set(expected) == {"errors", "message_contains"}, case
        assert expected["errors"], case
        for error in expected["errors"]:
            assert set(error) == {"path", "line", "key"}, case
            assert (INVALID / case / error["path"]).is_file(), f"{case}: {error['path']}"


@pytest.mark.parametrize("case", CASES)
def test_broken_site_reports_error_and_leaves_output_alone(
    case, tmp_path, baseline_site, capsys, monkeypatch
):
    site, before = copy_case(case, tmp_path, baseline_site)
    monkeypatch.chdir(tmp_path)  # paths must be shown relative to the site, not the cwd
    status = main(["build", "--site", str(site)])
    captured = capsys.readouterr()
    assert status == 1, captured.err
    assert_reported(captured.err, load_expected(case))
    assert_unchanged(site / "output", before)


@pytest.mark.parametrize(
    "case",
    [
        "config_unknown_key",
        "yaml_malformed",
        "file_with_nul_bytes",
        "template_undefined_variable",
        "alias_in_two_articles",
    ],
)
def test_real_process_exits_1_without_traceback(case, tmp_path, baseline_site):
    site, before = copy_case(case, tmp_path, baseline_site)
    result = run_cli(["build", "--site", str(site)], cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert_reported(result.stderr, load_expected(case))
    assert_unchanged(site / "output", before)


def test_debug_shows_the_traceback_and_still_the_errors(tmp_path, baseline_site):
    site, before = copy_case("yaml_malformed", tmp_path, baseline_site)
    result = run_cli(["build", "--site", str(site), "--debug"], cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback (most recent call last)" in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == "1 error"
    assert lines[-2].startswith("error: content/articles/broken.md:3: invalid YAML")
    assert_unchanged(site / "output", before)


def test_three_broken_files_are_reported_in_one_run(tmp_path, baseline_site, capsys):
    site = prebuilt_site(
        tmp_path,
        baseline_site,
        {
            "content/articles/bad-date.md": (
                "---\ntitle: Bad date\ndate: yesterday\nauthors: [jane-doe]\n---\nBody.\n"
            ),
            "content/articles/bad-authors.md": (
                "---\ntitle: Bad authors\ndate: 2019-11-05\nauthors: 42\n---\nBody.\n"
            ),
            "content/authors/nameless.md": "---\nrole: Fellow\n---\nNo name.\n",
        },
    )
    before = snapshot(site / "output")
    assert main(["build", "--site", str(site)]) == 1
    expected = {
        "errors": [
            {"path": "content/articles/bad-authors.md", "line": 4, "key": "authors"},
            {"path": "content/articles/bad-date.md", "line": 3, "key": "date"},
            {"path": "content/authors/nameless.md", "line": None, "key": "name"},
        ],
        "message_contains": "'yesterday' is not a date",
    }
    assert_reported(capsys.readouterr().err, expected)
    assert_unchanged(site / "output", before)


@pytest.mark.parametrize("case", ["yaml_malformed", "link_to_missing_article", "draft_maybe"])
def test_next_build_reports_the_same_errors(case, tmp_path, baseline_site, capsys):
    """The build cache remembers nothing of a failed build that would hide its errors."""
    site, before = copy_case(case, tmp_path, baseline_site)
    assert main(["build", "--site", str(site)]) == 1
    first = capsys.readouterr().err
    assert main(["build", "--site", str(site)]) == 1
    assert capsys.readouterr().err == first
    assert_reported(first, load_expected(case))
    assert_unchanged(site / "output", before)


def test_every_problem_of_one_file_is_reported(tmp_path, baseline_site, capsys):
    site = prebuilt_site(
        tmp_path,
        baseline_site,
        {
            "content/articles/twice-broken.md": (
                "---\ntitle: [Part one, Part two]\ndate: 2019-02-30\nauthors: [jane-doe]\n"
                "draft: maybe\n---\nBody.\n"
            ),
        },
    )
    before = snapshot(site / "output")
    assert main(["build", "--site", str(site)]) == 1
    broken = "content/articles/twice-broken.md"
    expected = {
        "errors": [
            {"path": broken, "line": 2, "key": "title"},
            {"path": broken, "line": 3, "key": "date"},
            {"path": broken, "line": 5, "key": "draft"},
        ],
        "message_contains": "'2019-02-30'",
    }
    assert_reported(capsys.readouterr().err, expected)
    assert_unchanged(site / "output", before)


def test_loader_and_library_errors_are_reported_together(tmp_path, capsys):
    """A broken file does not hide a broken link or a taken alias found later."""
    site = write_files(
        tmp_path / "site",
        {
            **VALID_SITE,
            "content/articles/bad-type.md": (
                "---\ntitle: Bad type\ndate: 2019-11-05\nauthors: [jane-doe]\ntype: essay\n"
                "---\nBody.\n"
            ),
            "content/articles/bad-link.md": (
                "---\ntitle: Bad link\ndate: 2019-11-06\nauthors: [jane-doe]\n---\n"
                "See [this](gone.md).\n"
            ),
            "content/articles/bad-alias.md": (
                "---\ntitle: Bad alias\ndate: 2019-11-07\nauthors: [jane-doe]\n"
                "aliases: [/feed.xml]\n---\nBody.\n"
            ),
        },
    )
    assert main(["build", "--site", str(site)]) == 1
    expected = {
        "errors": [
            {"path": "content/articles/bad-alias.md", "line": 5, "key": "aliases"},
            {"path": "content/articles/bad-link.md", "line": 6, "key": "link"},
            {"path": "content/articles/bad-type.md", "line": 5, "key": "type"},
        ],
        "message_contains": "'gone'",
    }
    assert_reported(capsys.readouterr().err, expected)
    assert not (site / "output").exists(), "a failed first build must not create output/"


def test_strict_turns_missing_author_warning_into_error(tmp_path, capsys):
    site = write_files(
        tmp_path / "site",
        {
            **VALID_SITE,
            "content/articles/ghosted.md": (
                "---\ntitle: Ghosted\ndate: 2019-11-05\nauthors: [ghost-writer]\n---\nBody.\n"
            ),
        },
    )
    assert main(["build", "--site", str(site)]) == 0
    warned = capsys.readouterr().err
    assert "warning: content/articles/ghosted.md:4: authors: no author file for 'ghost-writer'" in (
        warned
    )
    age(site / "output")
    before = snapshot(site / "output")

    assert main(["build", "--site", str(site), "--strict"]) == 1
    expected = {
        "errors": [{"path": "content/articles/ghosted.md", "line": 4, "key": "authors"}],
        "message_contains": "no author file for 'ghost-writer'",
    }
    assert_reported(capsys.readouterr().err, expected)
    assert_unchanged(site / "output", before)


def test_base_url_option_without_scheme_is_an_error(tmp_path, baseline_site, capsys):
    site = prebuilt_site(tmp_path, baseline_site, {})
    before = snapshot(site / "output")
    assert main(["build", "--site", str(site), "--base-url", "example.org/archive/"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[0].startswith("error: --base-url: must be an absolute URL"), err
    assert err.splitlines()[-1] == "1 error"
    assert_unchanged(site / "output", before)


def test_failed_build_does_not_create_a_new_output_folder(tmp_path, capsys):
    site = tmp_path / "site"
    shutil.copytree(INVALID / "date_yesterday", site, ignore=shutil.ignore_patterns("*.json"))
    output = tmp_path / "fresh-output"
    assert main(["build", "--site", str(site), "--output", str(output)]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == "1 error"
    assert not output.exists()


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs Linux's /proc")
def test_a_content_file_that_cannot_be_read_is_named(tmp_path, baseline_site, capsys):
    """A read that fails (here, a link to memory that reads as an I/O error) is one line
    naming the file, not a traceback, and the last output stays."""
    site = prebuilt_site(tmp_path, baseline_site, {})
    os.symlink("/proc/self/mem", site / "content" / "articles" / "unreadable.md")
    before = snapshot(site / "output")
    assert main(["build", "--site", str(site)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "error: content/articles/unreadable.md: cannot read file: Input/output error"
    assert lines[-1] == "1 error"
    assert_unchanged(site / "output", before)
