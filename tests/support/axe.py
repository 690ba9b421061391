"""Accessibility checks with axe-core, injected from the npm package into a Playwright page."""

from typing import Any

from playwright.sync_api import Page

from .env import NODE_MODULES, require_file

AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
SEVERE_IMPACTS = frozenset({"critical", "serious"})


def run_axe(page: Page, options: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run axe-core on the page's current document and return its violations.

    ``options`` are axe's run options, e.g. ``{"runOnly": ["wcag2a", "wcag2aa"]}``; by default
    every rule that axe enables runs. A page whose Content-Security-Policy forbids inline scripts
    needs a context made with ``bypass_csp=True``.
    """
    require_file(AXE_JS, "run `npm ci` in the repository root")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=AXE_JS)
    results: dict[str, Any] = page.evaluate(
        "async (options) => await window.axe.run(document, options ?? {})", options
    )
    violations: list[dict[str, Any]] = results["violations"]
    return violations


def severe_violations(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep only the violations whose impact is critical or serious."""
    return [violation for violation in violations if violation.get("impact") in SEVERE_IMPACTS]


def format_violations(violations: list[dict[str, Any]]) -> str:
    """Describe violations one per line: impact, rule id, help text and the offending targets."""
    lines = []
    for violation in violations:
        targets = ", ".join(
            " ".join(str(part) for part in node.get("target", [])) for node in violation["nodes"]
        )
        lines.append(
            f"{violation.get('impact')}: {violation['id']}: {violation['help']} [{targets}]"
        )
    return "\n".join(lines)
