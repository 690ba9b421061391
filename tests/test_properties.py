"""Properties that hold for any input: the loader fails only with our error, slugs are plain
ASCII, and no URL of a built site leaves the path of its base_url."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import lxml.html
import yaml
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from sitegen.build import BuildOptions, build_site
from sitegen.config import Settings
from sitegen.errors import BuildFailed, SitegenError
from sitegen.loader import RESERVED_SEGMENTS, SourceFile, parse_article, parse_source
from sitegen.model import Article, Author, Page
from sitegen.slugs import is_valid_slug, slugify

SETTINGS = Settings(title="Test Archive", base_url="https://example.org/")
QUICK = settings(max_examples=200, deadline=None)
# Each example builds a site: few of them, and no shrinking, which would build hundreds more.
BUILDS = settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- the front-matter loader ------------------------------------------------------------------

# Pieces that YAML, the contract and the splitter treat specially, mixed with plain text.
_YAML_PIECES = [
    "title", "date", "authors", "type", "interviewees", "summary", "topics", "regions",
    "image", "src", "alt", "credit", "related", "slug", "aliases", "updated", "draft", "lang",
    "name", "role", "links", "photo", ":", ": ", "- ", "  ", "\t", "\n", "[", "]", "{", "}",
    ", ", "'", '"', "&a ", "*a", "<<: ", "!!str ", "!!binary ", "!!python/object:os.system ",
    "!local ", "|", ">-", "# ", "%YAML 1.1", "? ", "---", "...", "\\", "\x00", "\ufeff",
    "\u2028", "\x85", "\r", "2019-10", "2019-10-03", "2019-13", "2021-06-01T09:30:00+03:00",
    "9999-12-31T23:59:59-23:59", "0000-01-01", "true", "false", "no", "null", "~", "42",
    "1e3", "0x1F", ".inf", "jane-doe", "interview", "é", "ı", "“", "</script>",
]  # fmt: skip
_yaml_ish = st.lists(
    st.one_of(st.sampled_from(_YAML_PIECES), st.text(max_size=4)), max_size=40
).map("".join)
# A file that starts as front matter should: its opening line, then YAML-ish text, then maybe
# a closing line and a body.
front_matter_files = st.builds(
    lambda fm, close, body: "---\n" + fm + ("\n---\n" if close else "\n") + body,
    _yaml_ish,
    st.booleans(),
    st.text(max_size=40),
)
content_texts = st.one_of(st.text(), front_matter_files)
content_bytes = st.one_of(
    st.binary(),
    content_texts.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.tuples(front_matter_files, st.binary(max_size=8)).map(
        lambda pair: pair[0].encode("utf-8") + pair[1]
    ),
)
RECURSIVE_ALIAS = "---\ntitle: &a [*a]\ndate: 2019-10\nauthors: [jane-doe]\n---\nBody.\n"
DEEP_NESTING = "---\ntitle: x\nextra: " + "[" * 600 + "]" * 600 + "\n---\nBody.\n"
RECORD_TYPES = {"articles": Article, "authors": Author, "pages": Page}


@QUICK
@given(content_texts)
@example(RECURSIVE_ALIAS)
@example(DEEP_NESTING)
def test_article_loader_raises_nothing_but_our_error(text: str) -> None:
    try:
        article = parse_article("content/articles/some-article.md", text, "some-article", SETTINGS)
    except SitegenError as error:
        assert error.path == "content/articles/some-article.md"
        assert error.line is None or error.line >= 1
    else:
        assert isinstance(article, Article)


@QUICK
@given(content_bytes, st.sampled_from(sorted(RECORD_TYPES)))
@example(RECURSIVE_ALIAS.encode(), "authors")
@example(DEEP_NESTING.encode(), "pages")
def test_any_bytes_give_a_record_or_errors_of_our_type(data: bytes, kind: str) -> None:
    shown = f"content/{kind}/some-file.md"
    source = SourceFile(kind, shown, shown)
    record, errors = parse_source(source, data, SETTINGS)
    assert all(isinstance(error, SitegenError) for error in errors), errors
    assert all(error.path == shown for error in errors)
    if record is None:
        assert errors, "a file was dropped without a word"
    else:
        assert isinstance(record, RECORD_TYPES[kind])


# -- slugs --------------------------------------------------------------------------------------

SLUG_CHARS = re.compile(r"[A-Za-z0-9-]+")


def _has_letter_or_digit(text: str) -> bool:
    return any(unicodedata.category(c)[0] == "L" or unicodedata.category(c) == "Nd" for c in text)


@QUICK
@given(st.text())
@example("../../etc/passwd")
@example("a/b\\c")
@example("ꙮ")
def test_slugs_are_ascii_and_free_of_path_separators(text: str) -> None:
    slug = slugify(text)
    assert slug.isascii()
    assert "/" not in slug and "\\" not in slug and slug not in (".", "..")
    assert len(slug) <= 80
    assert slug == "" or is_valid_slug(slug), slug


@QUICK
@given(st.text(), st.sampled_from("azAZ09"), st.text())
def test_slugs_of_text_with_an_ascii_letter_or_digit_are_not_empty(
    before: str, char: str, after: str
) -> None:
    assert is_valid_slug(slugify(before + char + after))


@QUICK
@given(st.text(min_size=1).filter(_has_letter_or_digit))
@example("Ъ")  # a Cyrillic letter whose transliteration is an apostrophe
@example("㐀")  # CJK Extension A
@example("𐍈")  # Gothic
def test_slugs_of_text_with_any_letter_or_digit_are_not_empty(text: str) -> None:
    assert is_valid_slug(slugify(text)), f"{text!r} gives the slug {slugify(text)!r}"


@QUICK
@given(st.text())
@example("abc\n")
@example("-abc")
@example("a--b")
def test_valid_slugs_hold_only_ascii_letters_digits_and_single_dashes(text: str) -> None:
    if is_valid_slug(text):
        assert SLUG_CHARS.fullmatch(text), repr(text)
        assert not text.startswith("-") and not text.endswith("-") and "--" not in text


@QUICK
@given(st.lists(st.text(st.sampled_from("azAZ09"), min_size=1), min_size=1).map("-".join))
def test_every_slug_of_the_contract_is_valid(slug: str) -> None:
    assert is_valid_slug(slug)


# -- URLs stay under base_url's path ---------------------------------------------------------

BASE = "https://example.org/archive/"
PREFIX = "/archive/"
# WHATWG URL parsing treats these as dot segments, as browsers and most hosts do.
_SINGLE_DOTS = {".", "%2e"}
_DOUBLE_DOTS = {"..", ".%2e", "%2e.", "%2e%2e"}


def _normal_path(path: str) -> str:
    """A URL path with its dot segments (also percent-encoded ones) resolved."""
    segments: list[str] = []
    parts = path.split("/")
    for index, segment in enumerate(parts):
        last = index == len(parts) - 1
        if segment.lower() in _DOUBLE_DOTS:
            if len(segments) > 1:
                segments.pop()
            if last:
                segments.append("")
        elif segment.lower() in _SINGLE_DOTS:
            if last:
                segments.append("")
        else:
            segments.append(segment)
    normal = "/".join(segments)
    return normal if normal.startswith("/") else "/" + normal


def _escapes(url: str, page_url: str) -> bool:
    """Whether `url`, read on the page at `page_url`, leads on this host outside the prefix."""
    absolute = urljoin(page_url, url.strip())
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc != "example.org":
        return False  # another host, mailto: and the like are not the site's own URLs
    return not _normal_path(parts.path).startswith(PREFIX)


_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "cite", "data-bundle")
# Absolute URLs of this host in any text; the bare origin alone is no link (the print style
# sheet puts it in front of root-relative links).
_ABSOLUTE = re.compile(r"https?://example\.org/[^\s\"'<>)\]}]*")


def _json_strings(value: object):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def _urls_of_html(data: bytes) -> list[str]:
    document = lxml.html.document_fromstring(data)
    urls: list[str] = []
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        urls += [element.get(name) for name in _URL_ATTRIBUTES if element.get(name) is not None]
        if element.get("srcset"):
            urls += [part.split()[0] for part in element.get("srcset").split(",") if part.split()]
        if element.tag == "meta" and element.get("http-equiv", "").lower() == "refresh":
            urls.append(element.get("content", "").split("url=", 1)[-1])
        if element.tag == "meta" and element.get("content", "").startswith("http"):
            urls.append(element.get("content"))
        if element.tag == "script" and element.get("type") == "application/ld+json":
            urls += [s for s in _json_strings(json.loads(element.text)) if s.startswith("http")]
    return urls


def escaping_urls(output: Path) -> list[str]:
    """Every URL in the built site that leaves the prefix, as `file: url`."""
    found: list[str] = []
    for file in sorted(p for p in output.rglob("*") if p.is_file()):
        relative = file.relative_to(output).as_posix()
        if ".sitegen-" in relative or relative.startswith("pagefind/"):
            continue
        page_url = BASE + relative
        data = file.read_bytes()
        urls = [page_url]  # where the file itself is served
        if relative.endswith(".html"):
            urls += _urls_of_html(data)
        if relative == "_redirects":
            for line in data.decode().splitlines():
                columns = line.split()
                if len(columns) != 3:
                    found.append(f"{relative}: not `from to status`: {line!r}")
                urls += columns[:2]
        if relative.endswith((".xml", ".html", ".txt", ".bib", ".ris", "_redirects")):
            urls += _ABSOLUTE.findall(data.decode("utf-8", "replace"))
        if relative.endswith(".xml"):
            etree.fromstring(data)  # feeds and the sitemap stay well-formed
        found += [f"{relative}: {url}" for url in urls if _escapes(url, page_url)]
    return found


def test_url_checker_sees_an_escape() -> None:
    """The checker itself: the URLs it must flag, and those it must let pass."""
    page = BASE + "articles/x/index.html"
    for url in [
        "/",
        "/other/",
        "../../../x",
        "/archive/../x",
        "/archive/%2e%2e/x",
        "//example.org/",
    ]:
        assert _escapes(url, page), url
    for url in ["/archive/", "../y/", "#main", "https://schema.org", "/archive/a%2e%2eb/"]:
        assert not _escapes(url, page), url


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=24).filter(
    lambda s: s.strip() and "://" not in s and "example.org" not in s
)
_term = _text.filter(lambda s: slugify(s) != "")
_slug = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,4}){0,2}", fullmatch=True)
# Alias segments: anything a path may hold after the checks of the contract. Dots and `%` make
# percent-encoded dot segments likely; `_N` ends each alias so no alias nests in another.
_segment = (
    st.lists(
        st.sampled_from([*"aZ09-._~%2eE +;=&@!$'\"<>üı", "%2e", "%2E", ".."]),
        min_size=1,
        max_size=6,
    )
    .map("".join)
    .filter(lambda s: s not in (".", "..") and not re.fullmatch(r"_\d+", s))
)
_alias_start = st.lists(_segment, max_size=2).filter(
    lambda segments: not segments or segments[0] not in ("assets", "pagefind")
)
_dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.isoformat()[:7]),
)


@st.composite
def small_sites(draw) -> dict[str, str]:
    """A valid site: its files by path, with chosen titles, terms, people and aliases."""
    people = draw(st.lists(_slug, min_size=1, max_size=3, unique=True))
    files = {
        "sitegen.toml": f'title = {json.dumps(draw(_text), ensure_ascii=False)}\nbase_url = "{BASE}"\nper_page = 2\n'
    }
    for slug in people:
        if draw(st.booleans()):
            front = {"name": draw(_text), "role": draw(_text)}
            files[f"content/authors/{slug}.md"] = _markdown(front, "A biography.")
    titles = draw(st.lists(_text, min_size=1, max_size=4))
    alias_count = 0
    for index, title in enumerate(titles):
        kind = draw(st.sampled_from(["analysis", "interview", "news"]))
        front: dict = {
            "title": title,
            "date": draw(_dates),
            "authors": draw(st.lists(st.sampled_from(people), min_size=1, max_size=2)),
            "type": kind,
            "topics": draw(st.lists(_term, max_size=3)),
            "regions": draw(st.lists(_term, max_size=2)),
            "related": draw(st.lists(st.sampled_from(titles), max_size=2)),
        }
        if kind == "interview":
            front["interviewees"] = draw(st.lists(st.sampled_from(people), min_size=1, max_size=2))
        aliases = []
        for start in draw(st.lists(_alias_start, max_size=2)):
            trailing = "/" if draw(st.booleans()) else ""
            aliases.append("/" + "/".join([*start, f"_{alias_count}"]) + trailing)
            alias_count += 1
        if aliases:
            front["aliases"] = aliases
        body = f"First paragraph of article {index}.\n\n[Another](art-0.md)\n"
        files[f"content/articles/art-{index}.md"] = _markdown(front, body)
    if draw(st.booleans()):
        slug = draw(_slug.filter(lambda s: s not in RESERVED_SEGMENTS))
        front = {"title": draw(_text), "summary": draw(_text)}
        files[f"content/pages/{slug}.md"] = _markdown(front, "A page.")
    return files


def _markdown(front: dict, body: str) -> str:
    return "---\n" + yaml.safe_dump(front, allow_unicode=True, width=10**9) + "---\n" + body


# Percent-encoded dots are a `..` to browsers and hosts: /archive/%2e%2e/x/ is /x/.
DOTS_SITE = {
    "sitegen.toml": f'title = "T"\nbase_url = "{BASE}"\n',
    "content/articles/art-0.md": _markdown(
        {"title": "Dots", "date": "2019-10", "authors": ["jane"], "aliases": ["/%2e%2e/_0/"]},
        "Body.",
    ),
}


@BUILDS
@given(small_sites())
@example(DOTS_SITE)
def test_every_url_of_a_built_site_stays_under_the_base_path(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory(prefix="sitegen-urls-") as tmp:
        site = Path(tmp, "site")
        for relative, text in files.items():
            (site / relative).parent.mkdir(parents=True, exist_ok=True)
            (site / relative).write_text(text, encoding="utf-8")
        output = Path(tmp, "output")
        options = BuildOptions(
            site_dir=site, output_dir=output, search=False, use_cache=False, cache_dir=Path(tmp)
        )
        try:
            build_site(options)
        except BuildFailed as failed:
            # Refusing an alias that would leave the base path also keeps every URL under it.
            assert {e.key for e in failed.errors} == {"aliases"}, [
                e.format() for e in failed.errors
            ]
            return
        assert escaping_urls(output) == []


# -- the output is a function of the input alone --------------------------------------------

# Runs `sitegen` with the clock moved by argv[1] seconds: time.time(), time.strftime(),
# datetime.now(), date.today() and the like all answer from the moved clock.
MOVED_CLOCK = """
import datetime, sys, time
offset = float(sys.argv.pop(1))
real_time, real_ns, localtime, gmtime = time.time, time.time_ns, time.localtime, time.gmtime
time.time = lambda: real_time() + offset
time.time_ns = lambda: real_ns() + int(offset * 1e9)
time.localtime = lambda seconds=None: localtime(time.time() if seconds is None else seconds)
time.gmtime = lambda seconds=None: gmtime(time.time() if seconds is None else seconds)
strftime, asctime, ctime = time.strftime, time.asctime, time.ctime
time.strftime = lambda pattern, when=None: strftime(pattern, when or time.localtime())
time.asctime = lambda when=None: asctime(when or time.localtime())
time.ctime = lambda seconds=None: ctime(time.time() if seconds is None else seconds)
RealDateTime, RealDate, UTC = datetime.datetime, datetime.date, datetime.timezone.utc


class Moved(type):
    # isinstance(d, datetime.date) stays true for the dates made before the move.
    def __instancecheck__(cls, instance):
        return isinstance(instance, cls.__bases__[0])


class MovedDateTime(RealDateTime, metaclass=Moved):
    @classmethod
    def now(cls, tz=None):
        return RealDateTime.fromtimestamp(time.time(), tz)

    @classmethod
    def utcnow(cls):
        return RealDateTime.fromtimestamp(time.time(), UTC).replace(tzinfo=None)

    @classmethod
    def today(cls):
        return cls.now()


class MovedDate(RealDate, metaclass=Moved):
    @classmethod
    def today(cls):
        return RealDate.fromtimestamp(time.time())


datetime.datetime, datetime.date = MovedDateTime, MovedDate
from sitegen.cli import main

sys.exit(main(sys.argv[1:]))
"""
THREE_YEARS_LATER = 3 * 365.25 * 86400 + 7 * 3600 + 13 * 60
# Three machines: other zones, locales, hash seeds, numbers of workers, folders and clocks.
MACHINES = {
    "utc": ({"TZ": "UTC", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "0"}, 0.0, "a"),
    "tokyo": (
        {"TZ": "Asia/Tokyo", "LC_ALL": "C", "PYTHONHASHSEED": "4242", "SITEGEN_WORKERS": "1"},
        0.0,
        "a/much/longer/folder",
    ),
    "st-johns-later": (
        {"TZ": "America/St_Johns", "LANG": "tr_TR.UTF-8", "PYTHONHASHSEED": "random"},
        THREE_YEARS_LATER,
        "b",
    ),
}
DATE_FORMATS = ["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%d.%m.%Y", "%B %d, %Y", "%d %B %Y", "%b %d, %Y"]
TEXT_SUFFIXES = (".html", ".xml", ".txt", ".bib", ".ris", ".json", "_redirects")


def _build_elsewhere(root: Path, machine: str) -> Path:
    """A copy of the theme fixture built in a subprocess as on another machine."""
    env, offset, folder = MACHINES[machine]
    site = root / machine / folder / "theme"
    shutil.copytree(Path(__file__).parent / "fixtures/sites/theme", site)
    shutil.rmtree(site / ".sitegen-cache", ignore_errors=True)
    output = root / machine / "output"
    command = [sys.executable, "-c", MOVED_CLOCK, str(offset), "build", "--site", str(site)]
    command += ["--output", str(output), "--no-cache", "-q"]
    environment = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "TZ")}
    environment |= {"PYTHONPATH": str(Path(__file__).parents[1])} | env
    result = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr
    return output


def _dates_around(moment: float) -> set[str]:
    """`moment` as a date in every zone of the machines and every usual format."""
    days = {datetime.fromtimestamp(moment, ZoneInfo(env["TZ"])) for env, _, _ in MACHINES.values()}
    texts = {day.strftime(pattern) for day in days for pattern in DATE_FORMATS}
    return texts | {text.replace(" 0", " ") for text in texts}  # November 8, not November 08


def test_same_input_gives_the_same_bytes_on_any_machine_zone_and_day(tmp_path: Path) -> None:
    started = time.time()
    outputs = {machine: _build_elsewhere(tmp_path, machine) for machine in MACHINES}
    trees = {
        machine: {
            p.relative_to(output).as_posix(): p.read_bytes()
            for p in sorted(output.rglob("*"))
            if p.is_file()
        }
        for machine, output in outputs.items()
    }
    first, *others = trees
    for other in others:
        assert sorted(trees[other]) == sorted(trees[first]), other
        differing = [p for p in trees[first] if trees[first][p] != trees[other][p]]
        assert differing == [], f"{first} and {other} differ"

    dates = _dates_around(started) | _dates_around(started + THREE_YEARS_LATER)
    years = {str(time.gmtime(started).tm_year), str(time.gmtime(started + THREE_YEARS_LATER)[0])}
    found = []
    for path, data in trees[first].items():
        if not path.endswith(TEXT_SUFFIXES):
            continue
        text = data.decode("utf-8")
        found += [f"{path}: {date}" for date in dates if date in text]
        if path.endswith(".html"):
            visible = lxml.html.document_fromstring(data).text_content()
            found += [
                f"{path}: year {year}" for year in years if re.search(rf"\b{year}\b", visible)
            ]
    assert found == [], "the build wrote the time it ran"
