"""Properties of `sitegen import`: any text gives a clean error or an article with its words intact."""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.config import load_settings
from sitegen.errors import BuildFailed, ImportError_
from sitegen.frontmatter_yaml import parse_front_matter
from sitegen.importer import ImportOptions, ImportReport, import_texts
from sitegen.importer.frontmatter import DateText, as_file, reads_back
from sitegen.loader import parse_article
from sitegen.markdown import render_markdown
from sitegen.slugs import slugify

# Words a correct import may drop: the `By` of a byline, list separators, the prefix of a
# photo credit, a related-posts heading, honorifics, and the words of a date line.
_DROPPABLE = frozenset(
    {
        "by", "and", "photo", "photos", "photograph", "from", "credit", "credits", "image",
        "courtesy", "of", "source", "related", "posts", "post", "published", "posted", "on",
        "date", "dated", "updated", "dr", "prof", "mr", "mrs", "ms", "assoc", "ambassador",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "may", "june", "july", "august",
        "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun",
        "jul", "aug", "sep", "sept", "oct", "nov", "dec", "phd", "ph", "d",
    }
)  # fmt: skip
_NUMBERISH = re.compile(r"^\d+(?:st|nd|rd|th)?$")


def _folded(text: str) -> Counter[str]:
    """Words as ASCII parts, so case, accents and punctuation do not count."""
    parts: Counter[str] = Counter()
    for token in text.split():
        parts.update(part for part in slugify(token, max_length=0).split("-") if part)
    return parts


def _rendered(markdown: str) -> str:
    """Text of the body as the build renders it, with raw HTML on, the riskier setting."""
    html = render_markdown(markdown, "/", raw_html=True, interview=True).html
    if not html.strip():
        return ""
    tree = lxml.html.fragment_fromstring(html, create_parent="div")
    assert tree.findall(".//script") == []
    return tree.text_content()


def _output_text(site: Path, report: ImportReport) -> str:
    """Every word an import put somewhere: article titles, bodies as rendered, front matter
    values, and the names and roles in the authors' files."""
    settings = load_settings(site)
    pieces: list[str] = []
    for planned in report.planned:
        if planned.kind != "article":
            continue
        text = planned.path.read_text(encoding="utf-8")
        article = parse_article(str(planned.path), text, planned.path.stem, settings)
        pieces += [article.title, _rendered(article.body), *article.related]
        if article.image and article.image.credit:
            pieces.append(article.image.credit)
        for slug in article.people:
            path = site / "content" / "authors" / f"{slug}.md"
            data = parse_front_matter(path.read_text(encoding="utf-8"), str(path)).data
            pieces += [str(data.get("name", "")), str(data.get("role", ""))]
    return "\n".join(pieces)


def _assert_words_intact(source: str, site: Path, report: ImportReport) -> None:
    missing = _folded(source) - _folded(_output_text(site, report))
    lost = {w for w in missing if w not in _DROPPABLE and not _NUMBERISH.match(w)}
    assert not lost, f"lost words: {sorted(lost)}"


@contextmanager
def _imported(text: str | bytes) -> Iterator[tuple[Path, Path, ImportReport | BuildFailed]]:
    """Import one text into a fresh site; yields the site, the input and the outcome."""
    with tempfile.TemporaryDirectory(prefix="sitegen-import-") as folder:
        yield _import(Path(folder), text)


def _import(root: Path, text: str | bytes) -> tuple[Path, Path, ImportReport | BuildFailed]:
    site = root / "site"
    site.mkdir()
    (site / "sitegen.toml").write_text(
        'title = "T"\nbase_url = "https://example.org/"\n', encoding="utf-8"
    )
    source = root / "in.txt"
    source.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    try:
        return site, source, import_texts([source], site, ImportOptions())
    except BuildFailed as failed:
        return site, source, failed


def _assert_clean_error(failed: BuildFailed, source: Path, site: Path) -> None:
    assert failed.errors
    for error in failed.errors:
        assert isinstance(error, ImportError_)
        line = error.format()
        assert "\n" not in line and line.startswith(str(source))
        assert "would not load" not in line and "would not read back" not in line, line
    assert not (site / "content").exists()


# Strategies ---------------------------------------------------------------------------------

_ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)
_WORD = st.one_of(
    st.sampled_from(
        [
            "the", "war", "Russia", "China’s", "no", "on", "1e3", "null", "true", "#", ">",
            "-", "*", "1.", "2)", "---", "===", "<script>", "</script>", "&amp;", "A&M",
            "`x`", "**b**", "_e_", "[l](u)", "|", "\\", "~~", "Ağazade", "Əliyev", "İstanbul",
            "ışık", "Dr.", "why?", "Yes.", "“quoted”", '"straight"', "café", "\u00a0",
        ]
    ),
    st.text(st.characters(categories=("L", "N", "P", "S")), min_size=1, max_size=8),
)  # fmt: skip
_LINE = st.lists(_WORD, min_size=1, max_size=12).map(" ".join)
_PARAGRAPH = st.lists(_LINE, min_size=1, max_size=3).map("\n".join)
_NAME = st.sampled_from(
    ["Jane Doe", "KENAN AĞAZADE", "İlham Əliyev", "john smith", "Dr. Ayşe Kaya", "ANKASAM"]
)
_TITLE = st.one_of(
    _LINE.map(lambda line: "Title " + line),
    st.tuples(_LINE, _NAME, _LINE).map(lambda t: f"Expert of {t[0]}, {t[1]}: “Quote {t[2]}”"),
)


@st.composite
def _documents(draw: st.DrawFn) -> str:
    """Texts shaped like the archive's raw articles, with random words inside."""
    parts = [draw(_TITLE)]
    if draw(st.booleans()):
        parts.append("Photo: AP " + draw(_LINE))
    authors = draw(st.lists(_NAME, min_size=1, max_size=3, unique=True))
    by = draw(st.booleans()) or any(len(name.split()) == 1 for name in authors)
    parts.append(("By " if by else "") + " and ".join(authors))
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(["July 1, 2020", "01.07.2020", "2019-10-03"])))
    parts.append("This is the lede of the text.")
    body = draw(st.lists(_PARAGRAPH, max_size=6))
    questions = draw(st.lists(_LINE.map(lambda line: line + "?"), max_size=3))
    for question in questions:
        body.insert(draw(st.integers(0, len(body))), question)
    parts += body
    if draw(st.booleans()):
        parts += ["Related posts", *draw(st.lists(_LINE, min_size=1, max_size=3))]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = (
        (newline * 2).join(parts).replace("\n", newline) if newline != "\n" else "\n\n".join(parts)
    )
    return ("\ufeff" if draw(st.booleans()) else "") + text + newline


# Properties -----------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_ANY_TEXT, _documents(), st.binary(max_size=200)))
def test_any_text_gives_a_clean_error_or_an_article_with_its_words_intact(
    text: str | bytes,
) -> None:
    with _imported(text) as (site, source, outcome):
        if isinstance(outcome, BuildFailed):
            _assert_clean_error(outcome, source, site)
            return
        decoded = text if isinstance(text, str) else text.decode("utf-8-sig")
        source_text = decoded.replace("\r\n", "\n").replace("\r", "\n")
        _assert_words_intact(source_text, site, outcome)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents())
def test_article_shaped_text_always_imports_and_loads_back(text: str) -> None:
    with _imported(text) as (site, source, outcome):
        assert isinstance(outcome, ImportReport), [e.format() for e in outcome.errors]
        _assert_words_intact(text.lstrip("\ufeff").replace("\r\n", "\n"), site, outcome)
        again = import_texts([source], site, ImportOptions())  # the same text again
        assert again.written == () and len(again.unchanged) == 1


_VALUE = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["title", "summary", "role", "credit"]),
        st.one_of(_VALUE, st.lists(_VALUE, max_size=3)),
        min_size=1,
    ),
    st.sampled_from(["2019-10", "2020-07-01"]),
)
def test_front_matter_values_read_back_as_the_same_strings(
    data: dict[str, object], date: str
) -> None:
    data = {"date": DateText(date), **data}
    assert reads_back(data, as_file(data, "Body.\n"))
