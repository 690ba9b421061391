"""Citations import cleanly into reference managers: parsed back with real parsers."""

from __future__ import annotations

import bibtexparser
import pytest
import rispy
from support.site import SITES, build, html, text_of

HOSTILE = {
    "sitegen.toml": 'title = "Policy & Practice"\nbase_url = "https://example.org/"\n',
    "content/authors/jane-roe.md": "---\nname: Jane O’Roe\n---\n",
    "content/articles/odd.md": (
        "---\n"
        "title: '50% of {Budgets} & #Costs_ in “Quotes”: Under $5?'\n"
        "date: 2021-04-09\n"
        "authors: [jane-roe]\n"
        "---\nBody.\n"
    ),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    output = tmp_path_factory.mktemp("cite") / "out"
    build(SITES / "basic", output)
    return output


def test_bibtex_parses_with_fields(site):
    library = bibtexparser.parse_string((site / "articles/early-warning/cite.bib").read_text())
    assert not library.failed_blocks
    entry = library.entries[0]
    assert entry["author"] == "Ağazade, Kenan"
    assert entry["year"] == "2019"
    assert entry["url"] == "https://example.org/articles/early-warning/"
    assert "Military Cooperation Between Russia and China" in entry["title"]


def test_ris_parses_with_fields(site):
    records = rispy.loads((site / "articles/early-warning/cite.ris").read_text())
    assert len(records) == 1
    record = records[0]
    assert record["type_of_reference"] == "ELEC"
    assert record["authors"] == ["Ağazade, Kenan"]
    assert record["urls"] == ["https://example.org/articles/early-warning/"]
    assert record["date"] == "2019/10//"


def test_page_shows_chicago_and_apa_and_links_the_files(site):
    page = html(site, "articles/early-warning/")
    chicago = text_of(page.cssselect("#cite-chicago")[0])
    assert chicago.startswith("Ağazade, Kenan. “Director of the Carnegie Moscow Center")
    assert "October 2019" in chicago and "Interview with Dmitry Trenin" in chicago
    apa = text_of(page.cssselect("#cite-apa")[0])
    assert apa.startswith("Ağazade, K. (2019, October).")
    links = {a.text: a.get("href") for a in page.cssselect(".cite-files a")}
    assert links == {
        "BibTeX": "/articles/early-warning/cite.bib",
        "RIS": "/articles/early-warning/cite.ris",
    }


def test_special_characters_survive_bibtex(tmp_path):
    for name, text in HOSTILE.items():
        path = tmp_path / "site" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    build(tmp_path / "site", tmp_path / "out")
    bib = (tmp_path / "out/articles/odd/cite.bib").read_text()
    library = bibtexparser.parse_string(bib)
    assert not library.failed_blocks and len(library.entries) == 1
    assert library.entries[0]["title"].count("{") == library.entries[0]["title"].count("}")
    records = rispy.loads((tmp_path / "out/articles/odd/cite.ris").read_text())
    assert records[0]["title"] == "50% of {Budgets} & #Costs_ in “Quotes”: Under $5?"
