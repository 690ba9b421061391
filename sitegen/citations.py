"""Citations of an article: Chicago and APA text, BibTeX and RIS files."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .dates import human_date
from .model import Article, Author
from .slugs import slugify

if TYPE_CHECKING:
    import rispy

_BIBTEX_SPECIAL = re.compile(r"([\\{}&%$#_~^])")
_BIBTEX_REPLACEMENTS = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\^{}"}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class Citation:
    chicago: str
    apa: str


def _family_given(name: str) -> tuple[str, str]:
    parts = name.split()
    return (parts[-1], " ".join(parts[:-1])) if len(parts) > 1 else (name, "")


def _inverted(name: str) -> str:
    family, given = _family_given(name)
    return f"{family}, {given}" if given else family


def _apa_name(name: str) -> str:
    family, given = _family_given(name)
    initials = " ".join(f"{part[0]}." for part in given.replace("-", " ").split() if part)
    return f"{family}, {initials}" if initials else family


def _join(names: Sequence[str], last: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f"{',' if len(names) > 2 else ''} {last} " + names[-1]


def format_citation(
    article: Article,
    authors: Sequence[Author],
    interviewees: Sequence[Author],
    site_title: str,
    url: str,
    language: str,
) -> Citation:
    """Chicago (notes-bibliography) and APA 7 references as plain text."""
    names = [a.name for a in authors]
    chicago_names = [_inverted(names[0]), *names[1:]] if names else []
    when = human_date(article.date, language) if article.date else "n.d."
    interview = ""
    if article.type == "interview" and interviewees:
        interview = " Interview with " + _join([p.name for p in interviewees], "and") + "."
    title = article.title.rstrip(".")
    chicago = f"{_join(chicago_names, 'and')}. “{_chicago_title(title)}”{interview} {site_title}, {when}. {url}."
    year = str(article.date.year) if article.date else "n.d."
    if article.date and article.date.precision != "month":
        year += ", " + human_date(article.date, "en").split(",")[0]
    elif article.date:
        year += ", " + human_date(article.date, "en").split()[0]
    apa_names = _join([_apa_name(n) for n in names], "&")
    apa = f"{apa_names} ({year}). {title}.{interview} {site_title}. {url}"
    return Citation(chicago=" ".join(chicago.split()), apa=" ".join(apa.split()))


def _chicago_title(title: str) -> str:
    """The title inside double quotes: its own double quotes become single, period inside."""
    inner = title.translate(str.maketrans({"“": "‘", "”": "’", '"': "'"}))
    if inner.endswith(("’", "'")):
        return inner[:-1].rstrip(".") + "." + inner[-1]
    return inner + ("" if inner.endswith(("?", "!")) else ".")


def _bibtex_escape(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(
        lambda m: _BIBTEX_REPLACEMENTS.get(m.group(1), "\\" + m.group(1)), text
    )


def bibtex(article: Article, authors: Sequence[Author], site_title: str, url: str) -> str:
    """A BibTeX `@misc` entry, escaped so any title imports cleanly."""
    # Imported here, as in ris(): a rebuild that renders no cite file (a body edit's)
    # would pay 20 ms at start for them.
    import bibtexparser
    from bibtexparser import model as bib
    from bibtexparser.middlewares.parsestack import default_unparse_stack

    key = slugify(_family_given(authors[0].name)[0] if authors else "").replace("-", "") or "anon"
    key += str(article.date.year) if article.date else ""
    key += article.slug.split("-")[0]
    fields = [
        bib.Field("author", " and ".join(_bibtex_escape(_inverted(a.name)) for a in authors)),
        bib.Field("title", "{" + _bibtex_escape(article.title) + "}"),
        bib.Field("howpublished", _bibtex_escape(site_title)),
    ]
    if article.date:
        fields.append(bib.Field("year", str(article.date.year)))
        fields.append(bib.Field("month", _MONTHS[article.date.moment.month - 1]))
    fields.append(bib.Field("url", url))
    if article.type == "interview":
        fields.append(bib.Field("note", "Interview"))
    library = bibtexparser.Library([bib.Entry("misc", key, fields)])
    # The library is ours and thrown away: written in place, without a deep copy.
    in_place = default_unparse_stack(allow_inplace_modification=True)
    return bibtexparser.write_string(library, unparse_stack=in_place)


@functools.cache
def _ris_writer() -> rispy.RisWriter:
    """One writer a process: `rispy.dumps` makes a new one for each record, inverting its
    tag table each time: a sixth of the time an RIS file took. Imported here, as in
    bibtex(): a rebuild that renders no cite file would pay for the import at start."""
    import rispy

    return rispy.RisWriter()


def ris(
    article: Article,
    authors: Sequence[Author],
    interviewees: Sequence[Author],
    site_title: str,
    url: str,
) -> str:
    """An RIS record (type ELEC) for reference managers."""
    record: dict = {
        "type_of_reference": "ELEC",
        "title": article.title,
        "authors": [_inverted(a.name) for a in authors],
        "publisher": site_title,
        "urls": [url],
    }
    if article.date:
        moment = article.date.moment
        record["year"] = str(moment.year)
        day = "" if article.date.precision == "month" else f"{moment.day:02d}"
        record["date"] = f"{moment.year}/{moment.month:02d}/{day}/"
    if interviewees:
        record["keywords"] = ["Interview", *[p.name for p in interviewees]]
    text = _ris_writer().formats([record])
    return "".join(line + "\n" for line in text.splitlines() if not re.fullmatch(r"\d+\.", line))
