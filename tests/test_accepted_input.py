"""Input the contract accepts builds without error, and pages show the text as written."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest

from sitegen.cli import main

TOML = 'title = "Test Archive"\nbase_url = "https://example.org/"\n'
JANE = "---\nname: Jane Doe\n---\nJane writes about strategic stability.\n"


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (path below `root` -> text or bytes) and return `root`."""
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return root


def build(site: Path, *extra: str) -> tuple[int, str]:
    """Build in-process; the exit status and everything printed on stderr."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(["build", "--site", str(site), *extra])
    return status, err.getvalue()


def page(site: Path, url_path: str) -> lxml.html.HtmlElement:
    """The built page at `url_path` (below the site root), parsed."""
    data = (site / "output" / url_path / "index.html").read_bytes()
    return lxml.html.document_fromstring(data)


def h1_text(document: lxml.html.HtmlElement) -> str:
    headings = document.xpath("//h1")
    assert len(headings) == 1, [h.text_content() for h in headings]
    return headings[0].text_content().strip()


def prose(document: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    found = document.xpath("//div[contains(concat(' ', @class, ' '), ' prose ')]")
    assert len(found) == 1
    return found[0]


# (as written in YAML, the string it must be read as, slug: as written or None for none)
YAML_TRAPS = [
    ("no", "no", "no"),
    ("on", "on", "on"),
    ("yes", "yes", "yes"),
    ("off", "off", "off"),
    ("y", "y", "y"),
    ("n", "n", "n"),
    ("1e3", "1e3", "1e3"),
    ("0o17", "0o17", "0o17"),
    ("0x1F", "0x1F", "0x1F"),
    ("1_000", "1_000", None),
    ("12:30", "12:30", None),
    (".inf", ".inf", None),
    ("2019-10-03", "2019-10-03", None),
    ('"null"', "null", '"null"'),
    ("'~'", "~", None),
]


def trap_url(index: int) -> str:
    """Where trap `index` is built: its slug as read, else its file name."""
    slug = YAML_TRAPS[index][2]
    return f"articles/{slug.strip(chr(34))}/" if slug else f"articles/trap-{index}/"


@pytest.fixture(scope="module")
def trap_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    files: dict[str, str | bytes] = {"sitegen.toml": TOML, "content/authors/jane-doe.md": JANE}
    for index, (written, _, slug) in enumerate(YAML_TRAPS):
        front = f"title: {written}\ndate: 2019-10-{index + 1:02d}\nauthors: jane-doe\n"
        if slug is not None:
            front += f"slug: {slug}\n"
        if index == 0:
            front += "topics: [yes, off]\nregions: [no]\n"
        files[f"content/articles/trap-{index}.md"] = f"---\n{front}---\nBody of trap {index}.\n"
    site = write_files(tmp_path_factory.mktemp("traps") / "site", files)
    status, err = build(site)
    return site, status, err


def test_yaml_traps_build_without_error(trap_site):
    _, status, err = trap_site
    assert status == 0, err
    assert "error" not in err


@pytest.mark.parametrize("index", range(len(YAML_TRAPS)), ids=[t[0] for t in YAML_TRAPS])
def test_yaml_trap_is_read_as_the_string_written(trap_site, index):
    site, status, err = trap_site
    assert status == 0, err
    expected = YAML_TRAPS[index][1]
    assert h1_text(page(site, trap_url(index))) == expected


def test_yaml_traps_in_term_lists_are_the_words_written(trap_site):
    site, status, err = trap_site
    assert status == 0, err
    document = page(site, trap_url(0))
    links = {a.get("href"): a.text_content().strip() for a in document.xpath("//a[@href]")}
    assert links.get("/topics/yes/") == "yes"
    assert links.get("/topics/off/") == "off"
    assert links.get("/regions/no/") == "no"
    assert (site / "output" / "topics" / "yes" / "index.html").is_file()


def test_utf8_bom_is_not_part_of_the_text(tmp_path):
    bom = "\ufeff"
    site = write_files(
        tmp_path / "site",
        {
            "sitegen.toml": bom + TOML,
            "content/authors/jane-doe.md": bom + JANE,
            "content/articles/bom.md": (
                bom + "---\ntitle: Byte order mark\ndate: 2019-10-03\nauthors: [jane-doe]\n---\n"
                "A body after a BOM.\n"
            ),
        },
    )
    status, err = build(site)
    assert status == 0, err
    document = page(site, "articles/bom/")
    assert h1_text(document) == "Byte order mark"
    assert prose(document).text_content().strip() == "A body after a BOM."
    assert h1_text(page(site, "authors/jane-doe/")) == "Jane Doe"
    for path in (site / "output").rglob("*.html"):
        assert "\ufeff" not in path.read_text(encoding="utf-8"), path


def test_crlf_line_endings_are_read_like_lf(tmp_path):
    def crlf(text: str) -> bytes:
        return text.replace("\n", "\r\n").encode("utf-8")

    site = write_files(
        tmp_path / "site",
        {
            "sitegen.toml": crlf(TOML + "\n[markdown]\nraw_html = false\n"),
            "content/authors/jane-doe.md": crlf(JANE),
            "content/articles/windows.md": crlf(
                "---\ntitle: Written on Windows\ndate: 2019-10-03\nauthors:\n  - jane-doe\n"
                "topics:\n  - Strategic stability\n---\nFirst paragraph.\n\nSecond paragraph,\n"
                "over two lines.\n"
            ),
        },
    )
    status, err = build(site)
    assert status == 0, err
    document = page(site, "articles/windows/")
    assert h1_text(document) == "Written on Windows"
    paragraphs = [" ".join(p.text_content().split()) for p in prose(document).xpath("./p")]
    assert paragraphs == ["First paragraph.", "Second paragraph, over two lines."]
    assert h1_text(page(site, "authors/jane-doe/")) == "Jane Doe"
    assert (site / "output" / "topics" / "strategic-stability" / "index.html").is_file()
    for path in (site / "output").rglob("*.html"):
        assert b"\r" not in path.read_bytes(), path


def test_five_megabyte_article_builds_whole(tmp_path):
    paragraphs = []
    size = 0
    while size < 5 * 1024 * 1024:
        text = (
            f"Paragraph {len(paragraphs)} weighs strategic stability, early warning and arms "
            "control, at a length that makes the article large."
        )
        paragraphs.append(text)
        size += len(text) + 2
    last = "The last paragraph of the very long article ends here."
    paragraphs.append(last)
    body = "\n\n".join(paragraphs) + "\n"
    site = write_files(
        tmp_path / "site",
        {
            "sitegen.toml": TOML,
            "content/authors/jane-doe.md": JANE,
            "content/articles/long.md": (
                "---\ntitle: A very long article\ndate: 2019-10-03\nauthors: [jane-doe]\n---\n"
                + body
            ),
        },
    )
    status, err = build(site)
    assert status == 0, err
    document = page(site, "articles/long/")
    rendered = prose(document).xpath("./p")
    assert len(rendered) == len(paragraphs)
    assert rendered[-1].text_content() == last
    assert rendered[0].text_content() == paragraphs[0]


DEEP_QUOTES = {
    # The contract's case: ten thousand markers on one line.
    "ten-thousand": (">" * 10_000 + " words at the bottom\n", 60),
    "ten-thousand-spaced": ("> " * 10_000 + "words at the bottom\n", 60),
    # One line per depth, 1 to 60 markers: a linear parser needs well under a second.
    "staircase": (
        "\n".join("> " * depth + f"depth {depth}" for depth in range(1, 61))
        + "\n\nwords at the bottom\n",
        20,
    ),
}


@pytest.mark.parametrize("name", list(DEEP_QUOTES))
def test_deeply_nested_quotes_build_in_bounded_time(tmp_path, name):
    body, seconds = DEEP_QUOTES[name]
    site = write_files(
        tmp_path / "site",
        {
            "sitegen.toml": TOML,
            "content/authors/jane-doe.md": JANE,
            "content/articles/deep.md": (
                "---\ntitle: Deep quotes\ndate: 2019-10-03\nauthors: [jane-doe]\n---\n" + body
            ),
        },
    )
    try:
        result = subprocess.run(
            [sys.executable, "-m", "sitegen", "build", "--site", str(site)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"building {name!r} nested quotes took more than {seconds} s")
    assert "RecursionError" not in result.stderr
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    text = prose(page(site, "articles/deep/")).text_content()
    assert "words at the bottom" in text


def test_contract_allowances_build_without_error(tmp_path):
    """A single author string, an undated draft, a credit-only image and unknown keys."""
    site = write_files(
        tmp_path / "site",
        {
            "sitegen.toml": TOML + "\n[extra]\nanything = 1\n",
            "content/authors/jane-doe.md": JANE,
            "content/articles/credited.md": (
                "---\ntitle: Credit only\ndate: 2019-10\nauthors: jane-doe\n"
                "image:\n  credit: Photo from the archive\nseries: Early warning\n---\nBody.\n"
            ),
            "content/articles/undated.md": (
                "---\ntitle: Not yet dated\ndraft: true\nauthors: [jane-doe]\n---\nDraft.\n"
            ),
        },
    )
    status, err = build(site)
    assert status == 0, err
    document = page(site, "articles/credited/")
    assert h1_text(document) == "Credit only"
    assert "Photo from the archive" in document.text_content()
    assert "October 2019" in document.text_content()
    assert not (site / "output" / "articles" / "undated").exists()
