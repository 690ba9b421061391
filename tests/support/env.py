"""Where the real tools live, and how a test reacts when one is missing."""

import os
import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / "node_modules"


def in_ci() -> bool:
    """Return True when the environment variable CI is set to a non-empty value."""
    return bool(os.environ.get("CI"))


def require(condition: object, reason: str) -> None:
    """Skip the test when ``condition`` is false, or fail it under CI, where every tool must exist.

    Locally a missing tool (chromium, java, nginx, node_modules) is a skip, so the fast tests still
    run; in CI the same absence is a broken setup and must not pass quietly.
    """
    if condition:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so a missing tool is an error)", pytrace=False)
    pytest.skip(reason)


def require_file(path: Path, hint: str) -> Path:
    """Require that ``path`` exists; ``hint`` says how to install it. Return the path."""
    require(path.exists(), f"{path} not found: {hint}")
    return path


def require_executable(name: str, hint: str) -> str:
    """Require an executable by absolute path or name on PATH; return its path."""
    found = shutil.which(name)
    require(found is not None, f"{name} not found: {hint}")
    assert found is not None
    return found
