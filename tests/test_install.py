"""The default theme is found under an editable install and under a wheel install."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from support.env import REPO_ROOT
from support.site import build, html, text_of

MINIMAL_SITE = {
    "sitegen.toml": 'title = "Elsewhere"\nbase_url = "https://example.net/"\n',
    "content/articles/hello.md": (
        "---\ntitle: Hello from outside\ndate: 2024-05-01\nauthors: [someone]\n---\nA body.\n"
    ),
}


def _write_site(root: Path) -> Path:
    for name, text in MINIMAL_SITE.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _check_built(output: Path) -> None:
    page = html(output, "articles/hello/")
    assert text_of(page.cssselect("h1")[0]) == "Hello from outside"
    stylesheet = page.cssselect("link[rel=stylesheet]")[0].get("href")
    assert (output / stylesheet.lstrip("/")).stat().st_size > 1000


def test_site_without_theme_folders_uses_default_theme(tmp_path):
    site = _write_site(tmp_path / "site")
    build(site, site / "output")
    _check_built(site / "output")


def test_site_overrides_a_default_template(tmp_path):
    site = _write_site(tmp_path / "site")
    (site / "templates").mkdir()
    (site / "templates/404.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>Lost at sea</h1>{% endblock %}'
    )
    build(site, site / "output")
    assert text_of(html(site / "output", "404.html").cssselect("h1")[0]) == "Lost at sea"
    _check_built(site / "output")


@pytest.mark.slow
def test_wheel_install_builds_a_site_outside_the_repo(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(wheels),
            str(REPO_ROOT),
        ],
        check=True,
    )
    wheel = next(wheels.glob("sitegen-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    site = _write_site(tmp_path / "elsewhere")
    clean_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [python, "-c", "import sitegen, sys; print(sitegen.__file__)"],
        cwd=site,
        capture_output=True,
        text=True,
        check=True,
        env=clean_env,
    ).stdout.strip()
    assert str(env_dir) in where, f"the wheel's sitegen must be used, not {where}"
    result = subprocess.run(
        [env_dir / "bin" / "sitegen", "build"], cwd=site, capture_output=True, text=True,
        env=clean_env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Built" in result.stdout
    _check_built(site / "output")
