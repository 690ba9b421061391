"""`sitegen import` as a library: raw text in, content files out, checked by the build's loader."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import lxml.html
import pytest
from markdown_it import MarkdownIt

from sitegen.config import Settings, load_settings
from sitegen.errors import BuildFailed, ImportError_
from sitegen.frontmatter_yaml import parse_front_matter
from sitegen.importer import ImportOptions, ImportReport, import_texts
from sitegen.loader import parse_article
from sitegen.markdown import render_markdown
from sitegen.model import Article

FIXTURES = Path(__file__).parent / "fixtures" / "import"
TEXTS = FIXTURES / "texts"
BAD = FIXTURES / "bad"
SEED = TEXTS / "seed.txt"
SHARED_SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_7a1e4408c417ea6d.txt"
SEED_SLUG = "military-cooperation-between-russia-and-china-is-developing"
SEED_TITLE = (
    "Director of the Carnegie Moscow Center, Dr. Dmitry Trenin: "
    "“Military Cooperation Between Russia and China is Developing”"
)
SEED_TOPICS = (
    "Military cooperation",
    "Early warning systems",
    "Russia–China relations",
    "Strategic stability",
)
SEED_REGIONS = ("Russia", "China", "United States", "East Asia")
SEED_OPTIONS: dict[str, object] = {
    "date": "2019-10",
    "topics": SEED_TOPICS,
    "regions": SEED_REGIONS,
}
SEED_QUESTIONS = [
    "Mr. Trenin, could you please provide information us about the early warning nuclear "
    "missile system that China will receive from Russia?",
    "What will be the possible reaction of the United States of America?",
    "To what extent Russian will profit from this assistance to China?",
    "Is it possible that Moscow and Beijing will continue to integrate their security and "
    "military system?",
    "Which kind of response do you expect form the United States of America?",
    "How do you see the future of the military relationship between Russia and China?",
]
SEED_RELATED = [
    "Research Fellow at the Lancaster University China Center (LUCC) Justus Nam; “Political "
    "Engagement and Cooperation between China and African Countries has Increased.”",
    "Assoc. Prof. Dr. Nargiza Murataliyeva; “Kazakhstan and Kyrgyzstan can cooperate in "
    "developing transport corridors.”",
    "Dr. Edward Lemon, professor at Texas A&M University; “Cooperation between Kyrgyzstan and "
    "Kazakhstan promotes regional stability and prosperity.”",
]
BIO_ROLE = (
    "Director of the Carnegie Moscow Center, Chairman of the Scientific Council and Head of "
    "the Foreign and Security Policy Program"
)


# Helpers ------------------------------------------------------------------------------------


def make_site(root: Path) -> Path:
    """A minimal site folder: settings only."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "sitegen.toml").write_text(
        'title = "Test archive"\nbase_url = "https://example.org/archive/"\n', encoding="utf-8"
    )
    return root


def run(site: Path, *paths: Path, **options: object) -> ImportReport:
    return import_texts(list(paths), site, ImportOptions(**options))  # type: ignore[arg-type]


def load(site: Path, slug: str) -> Article:
    """An imported article, read back through the build's own loader."""
    path = site / "content" / "articles" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    return parse_article(f"content/articles/{slug}.md", text, slug, load_settings(site))


def author(site: Path, slug: str) -> dict[str, object]:
    path = site / "content" / "authors" / f"{slug}.md"
    data = parse_front_matter(path.read_text(encoding="utf-8"), str(path)).data
    return {key: value for key, value in data.items()}


def render(markdown: str, html: bool = False) -> lxml.html.HtmlElement:
    """The body as the build renders it (and, for comparison, as plain CommonMark renders it)."""
    built = render_markdown(markdown, "/", raw_html=html, interview=True).html
    plain = MarkdownIt("commonmark", {"html": html}).render(markdown)
    trees = [
        lxml.html.fragment_fromstring(h or "<p></p>", create_parent="div") for h in (built, plain)
    ]
    assert trees[0].text_content() == trees[1].text_content()
    return trees[0]


def paragraphs(markdown: str) -> list[lxml.html.HtmlElement]:
    return render(markdown).findall("p")


def questions(markdown: str) -> list[str]:
    """Text of each paragraph whose only content is one strong run: the contract's question."""
    found = []
    for p in paragraphs(markdown):
        children = list(p)
        if (
            len(children) == 1
            and children[0].tag == "strong"
            and not (p.text or "").strip()
            and not (children[0].tail or "").strip()
        ):
            found.append(children[0].text_content())
    return found


def with_one_more_answer() -> str:
    """The seed with one more paragraph before its related posts."""
    text = SEED.read_text(encoding="utf-8")
    return text.replace("\nRelated posts", "\nOne more answer.\n\nRelated posts")


def words(text: str) -> Counter[str]:
    return Counter(text.split())


def article_files(site: Path) -> list[Path]:
    return sorted((site / "content").rglob("*.md")) if (site / "content").exists() else []


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site")


# The seed -----------------------------------------------------------------------------------


def test_the_fixture_seed_is_the_shared_seed_byte_for_byte() -> None:
    if not SHARED_SEED.exists():
        pytest.skip(f"{SHARED_SEED} is not here")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_seed_writes_the_article_and_exactly_two_author_files(site: Path) -> None:
    report = run(site, SEED, **SEED_OPTIONS)
    assert sorted(p.relative_to(site).as_posix() for p in report.written) == [
        f"content/articles/{SEED_SLUG}.md",
        "content/authors/dmitry-trenin.md",
        "content/authors/kenan-agazade.md",
    ]
    # People merely mentioned (Putin, Lavrov, Xi, the people of the related titles) get none.
    assert [p.relative_to(site).as_posix() for p in article_files(site)] == [
        f"content/articles/{SEED_SLUG}.md",
        "content/authors/dmitry-trenin.md",
        "content/authors/kenan-agazade.md",
    ]
    assert report.drafts == ()


def test_seed_front_matter(site: Path) -> None:
    run(site, SEED, **SEED_OPTIONS)
    article = load(site, SEED_SLUG)
    assert article.title == SEED_TITLE
    assert article.date is not None and article.date.written == "2019-10"
    assert article.date.precision == "month"
    assert not article.draft
    assert article.type == "interview"
    assert article.authors == ("kenan-agazade",)
    assert article.interviewees == ("dmitry-trenin",)
    assert article.image is not None and article.image.credit == "South China Morning Post"
    assert list(article.related) == SEED_RELATED
    assert article.terms["topics"] == SEED_TOPICS
    assert article.terms["regions"] == SEED_REGIONS
    assert article.summary is not None
    assert article.summary.startswith("Russian and Chinese strategic military collaboration")
    assert "*" not in article.summary and "\\" not in article.summary


def test_seed_author_files(site: Path) -> None:
    run(site, SEED, **SEED_OPTIONS)
    assert author(site, "kenan-agazade") == {"name": "Kenan Ağazade"}
    assert author(site, "dmitry-trenin") == {"name": "Dmitry Trenin", "role": BIO_ROLE}


def test_seed_body_has_the_six_questions_and_no_moved_lines(site: Path) -> None:
    run(site, SEED, **SEED_OPTIONS)
    body = load(site, SEED_SLUG).body
    assert questions(body) == SEED_QUESTIONS
    for question in SEED_QUESTIONS:
        assert f"**{question}**" in body.split("\n")
    lines = body.split("\n")
    assert "Dmitry Trenin" not in lines
    assert not any(line.startswith("Director of the Carnegie") for line in lines)
    assert not any(line.casefold().startswith("related posts") for line in lines)
    assert not any("Justus Nam" in line for line in lines)
    assert not any("Photo from" in line or "AĞAZADE" in line for line in lines)
    first = paragraphs(body)[0].text_content()
    assert first.startswith("Russian and Chinese strategic military collaboration")
    assert any(
        p.text_content().startswith("In an interview to Ankara Center for Crisis")
        for p in paragraphs(body)
    )


def test_seed_keeps_every_word_of_the_body_typos_included(site: Path) -> None:
    run(site, SEED, **SEED_OPTIONS)
    body = load(site, SEED_SLUG).body
    source = SEED.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    kept = source.split("\nRelated posts\n")[0].split("\n")
    moved = {
        kept[0],  # title
        "Photo from South China Morning Post",
        "Kenan AĞAZADE",
        "Dmitry Trenin",
        BIO_ROLE + ".",
    }
    expected = words("\n".join(line for line in kept if line.strip() not in moved))
    assert words(render(body).text_content()) == expected
    assert "compare with the Soviet past" in body  # a typo, kept as written
    assert "\u00a0" in body  # the non-breaking space after "Russia and China." too


def test_seed_import_is_what_ships_in_the_archive(tmp_path: Path) -> None:
    """The repository's content/ is this command's output for the seed; keep them in step."""
    repo = Path(__file__).resolve().parents[1]
    shipped = repo / "content" / "articles" / f"{SEED_SLUG}.md"
    if not shipped.exists():
        pytest.skip("the seed article is not in content/ yet")
    site = make_site(tmp_path / "site")
    run(site, SEED, **SEED_OPTIONS)
    for relative in (
        f"articles/{SEED_SLUG}.md",
        "authors/kenan-agazade.md",
        "authors/dmitry-trenin.md",
    ):
        assert (site / "content" / relative).read_bytes() == (
            repo / "content" / relative
        ).read_bytes(), relative


# Files: idempotence, collisions, dry run, batches ------------------------------------------


def test_importing_the_same_text_again_changes_nothing(site: Path) -> None:
    run(site, SEED, **SEED_OPTIONS)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in article_files(site)}
    report = run(site, SEED, **SEED_OPTIONS)
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in article_files(site)}
    assert after == before
    assert report.written == ()
    assert [p.name for p in report.unchanged] == [f"{SEED_SLUG}.md"]
    assert sorted(p.name for p in report.existing_authors) == [
        "dmitry-trenin.md",
        "kenan-agazade.md",
    ]
    assert any(line.startswith("unchanged content/articles/") for line in report.messages())


def test_different_text_with_an_existing_slug_is_an_error(site: Path, tmp_path: Path) -> None:
    run(site, SEED, **SEED_OPTIONS)
    changed = tmp_path / "changed.txt"
    changed.write_text(with_one_more_answer(), "utf-8")
    target = site / "content" / "articles" / f"{SEED_SLUG}.md"
    before = target.read_bytes()
    with pytest.raises(BuildFailed) as failed:
        run(site, changed, **SEED_OPTIONS)
    (error,) = failed.value.errors
    assert error.path == str(changed)
    assert "already holds a different article" in error.format()
    assert "--slug" in error.format() and "--force" in error.format()
    assert target.read_bytes() == before


def test_slug_option_imports_under_another_name(site: Path, tmp_path: Path) -> None:
    run(site, SEED, **SEED_OPTIONS)
    changed = tmp_path / "changed.txt"
    changed.write_text(with_one_more_answer(), "utf-8")
    run(site, changed, slug="trenin-second-take", **SEED_OPTIONS)
    assert load(site, "trenin-second-take").body.rstrip().endswith("One more answer.")
    assert load(site, SEED_SLUG).body.rstrip().endswith("Siberia and the Far East.")


def test_force_replaces_the_article_but_never_an_author_file(site: Path, tmp_path: Path) -> None:
    authors = site / "content" / "authors"
    authors.mkdir(parents=True)
    edited = "---\nname: Kenan Ağazade\nrole: Editor\n---\nA biography an editor wrote.\n"
    (authors / "kenan-agazade.md").write_text(edited, encoding="utf-8")
    run(site, SEED, **SEED_OPTIONS)
    changed = tmp_path / "changed.txt"
    changed.write_text(with_one_more_answer(), "utf-8")
    report = run(site, changed, force=True, **SEED_OPTIONS)
    assert load(site, SEED_SLUG).body.rstrip().endswith("One more answer.")
    assert (authors / "kenan-agazade.md").read_text(encoding="utf-8") == edited
    assert authors / "kenan-agazade.md" in report.existing_authors


def test_dry_run_writes_nothing_and_shows_targets_and_front_matter(site: Path) -> None:
    report = run(site, SEED, dry_run=True, **SEED_OPTIONS)
    assert article_files(site) == []
    assert report.written == ()
    text = report.dry_run_text()
    assert f"would write content/articles/{SEED_SLUG}.md" in text
    assert "would write content/authors/kenan-agazade.md" in text
    assert "would write content/authors/dmitry-trenin.md" in text
    assert "title: 'Director of the Carnegie Moscow Center" in text
    assert "name: Kenan Ağazade" in text
    assert "Mr. Trenin, could you" not in text  # front matter only, not the body
    assert report.messages()[: len(text.split("\n"))] == text.split("\n")


def test_a_directory_imports_every_txt_file(site: Path, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    shutil.copy(TEXTS / "analysis.txt", folder / "a.txt")
    shutil.copy(TEXTS / "two_authors.txt", folder / "b.TXT")
    (folder / "notes.md").write_text("not an article", encoding="utf-8")
    run(site, folder)
    assert sorted(p.name for p in (site / "content" / "articles").iterdir()) == [
        "energy-corridors-in-the-south-caucasus.md",
        "the-caspian-balance-after-the-summit.md",
    ]


def test_one_bad_file_in_a_batch_writes_nothing_and_every_failure_is_listed(
    site: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    shutil.copy(TEXTS / "analysis.txt", folder / "1-good.txt")
    shutil.copy(BAD / "empty.txt", folder / "2-empty.txt")
    shutil.copy(BAD / "latin1.txt", folder / "3-latin1.txt")
    with pytest.raises(BuildFailed) as failed:
        run(site, folder, SEED)
    assert [Path(e.path or "").name for e in failed.value.errors] == [
        "2-empty.txt",
        "3-latin1.txt",
    ]
    assert article_files(site) == []


def test_two_texts_with_one_slug_in_a_batch_is_an_error(site: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_text(SEED.read_text(encoding="utf-8") + "\nA different ending.\n", "utf-8")
    with pytest.raises(BuildFailed) as failed:
        run(site, SEED, copy)
    (error,) = failed.value.errors
    assert error.path == str(copy) and "same article as" in error.message
    assert article_files(site) == []


def test_the_same_file_given_twice_is_imported_once(site: Path) -> None:
    report = run(site, SEED, SEED, SEED.parent)
    assert [p.kind for p in report.planned].count("article") == len(list(TEXTS.glob("*.txt")))


def test_slug_option_is_for_one_file_and_must_be_valid(site: Path) -> None:
    with pytest.raises(BuildFailed) as failed:
        run(site, SEED, TEXTS / "analysis.txt", slug="Not A Slug")
    messages = [e.format() for e in failed.value.errors]
    assert any(m.startswith("--slug: 'Not A Slug' is not a valid slug") for m in messages)
    assert any(m.startswith("--slug: applies to one input file only") for m in messages)


def test_a_folder_that_is_not_a_site_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(BuildFailed) as failed:
        import_texts([TEXTS / "analysis.txt"], tmp_path, ImportOptions())
    assert failed.value.errors[0].format() == (
        f"{tmp_path / 'sitegen.toml'}: no settings file (is --site the site's folder?)"
    )
    assert not (tmp_path / "content").exists()


# Dates ---------------------------------------------------------------------------------------


def test_no_date_writes_a_draft_and_names_the_file(site: Path) -> None:
    report = run(site, TEXTS / "no_date.txt")
    article = load(site, "water-politics-in-central-asia")
    assert article.draft and article.date is None
    path = site / "content" / "articles" / "water-politics-in-central-asia.md"
    assert report.drafts == (path,)
    assert any(
        line.startswith("content/articles/water-politics-in-central-asia.md: date: needs a date")
        for line in report.messages()
    )


@pytest.mark.parametrize(
    ("line", "written"),
    [
        ("July 1, 2020", "2020-07-01"),
        ("1 July 2020", "2020-07-01"),
        ("2020-07-01", "2020-07-01"),
        ("01.07.2020", "2020-07-01"),
        ("Published: Jul 1, 2020", "2020-07-01"),
        ("June 2020", "2020-06"),
    ],
)
def test_a_date_line_near_the_top_is_the_date(
    site: Path, tmp_path: Path, line: str, written: str
) -> None:
    text = tmp_path / "dated.txt"
    text.write_text(f"A Dated Piece\n\nBy Jane Doe\n{line}\n\nThe lede.\n", encoding="utf-8")
    run(site, text)
    article = load(site, "a-dated-piece")
    assert article.date is not None and article.date.written == written
    assert line not in article.body


def test_date_option_wins_over_the_text_with_a_hint(site: Path) -> None:
    report = run(site, TEXTS / "analysis.txt", date="2020-07-02")
    article = load(site, "the-caspian-balance-after-the-summit")
    assert article.date is not None and article.date.written == "2020-07-02"
    assert any("says 2020-07-01; --date 2020-07-02 is used" in h.format() for h in report.hints)


def test_a_date_line_that_is_no_calendar_day_is_an_error(site: Path, tmp_path: Path) -> None:
    text = tmp_path / "bad-date.txt"
    text.write_text("A Piece\n\nBy Jane Doe\n\n31.02.2020\n\nThe lede.\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        run(site, text)
    (error,) = failed.value.errors
    assert error.format().startswith(f"{text}:5: date: '31.02.2020' is not a day of the calendar")
    run(site, text, date="2020-02")
    assert load(site, "a-piece").date.written == "2020-02"  # type: ignore[union-attr]


@pytest.mark.parametrize("value", ["2020-13", "2020-02-30", "July 2020", "2020", "2020-7-1"])
def test_a_bad_date_option_is_an_error(site: Path, value: str) -> None:
    with pytest.raises(BuildFailed) as failed:
        run(site, SEED, date=value)
    assert [e.path for e in failed.value.errors] == ["--date"]


# Types, terms ---------------------------------------------------------------------------------


def test_type_option_wins(site: Path) -> None:
    run(site, TEXTS / "analysis.txt", type="commentary")
    assert load(site, "the-caspian-balance-after-the-summit").type == "commentary"


def test_an_interview_type_needs_an_interviewee(site: Path) -> None:
    with pytest.raises(BuildFailed) as failed:
        run(site, TEXTS / "analysis.txt", type="interview")
    assert failed.value.errors[0].key == "interviewees"
    with pytest.raises(BuildFailed) as failed:
        run(site, TEXTS / "analysis.txt", type="essay")
    assert failed.value.errors[0].format().startswith("--type: unknown type 'essay'")


def test_topics_and_regions_come_only_from_the_options(site: Path, tmp_path: Path) -> None:
    text = tmp_path / "terms.txt"
    text.write_text(
        "Terms Piece\n\nBy Jane Doe\n\nTopics: Energy security. Regions: Caspian.\n", "utf-8"
    )
    run(site, text)
    assert load(site, "terms-piece").terms == {"topics": (), "regions": ()}
    run(
        site,
        text,
        force=True,
        topics=("Energy security", " Energy  security ", "1984"),
        regions=("no",),
    )
    assert load(site, "terms-piece").terms == {
        "topics": ("Energy security", "1984"),
        "regions": ("no",),
    }


def test_terms_for_a_taxonomy_the_site_lacks_are_an_error(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    (site / "sitegen.toml").write_text(
        'title = "T"\nbase_url = "https://example.org/"\ntaxonomies = ["topics"]\n', "utf-8"
    )
    with pytest.raises(BuildFailed) as failed:
        run(site, SEED, regions=("Russia",))
    assert failed.value.errors[0].format().startswith("--region: the site has no taxonomy")


# Variations -----------------------------------------------------------------------------------


def test_analysis_without_interviewee_keeps_its_questions_as_text(site: Path) -> None:
    run(site, TEXTS / "analysis.txt")
    article = load(site, "the-caspian-balance-after-the-summit")
    assert article.type == "analysis"
    assert article.interviewees == ()
    assert article.authors == ("jane-doe",)
    assert article.image is not None and article.image.credit == "Reuters"
    assert article.date is not None and article.date.written == "2020-07-01"
    assert questions(article.body) == []
    assert "**" not in article.body
    assert "Who gains from the delay? Mostly Moscow" in article.body
    assert "Is this a stable arrangement? Nobody" in article.body


def test_two_authors_with_names_in_capitals(site: Path) -> None:
    run(site, TEXTS / "two_authors.txt")
    article = load(site, "energy-corridors-in-the-south-caucasus")
    assert article.authors == ("john-smith", "ayse-yilmaz")
    assert author(site, "john-smith") == {"name": "John Smith"}
    assert author(site, "ayse-yilmaz") == {"name": "Ayşe Yılmaz"}


@pytest.mark.parametrize(
    ("line", "slugs"),
    [
        ("By Jane Doe, John Roe and Ann Poe", ["jane-doe", "john-roe", "ann-poe"]),
        ("jane doe & john roe", ["jane-doe", "john-roe"]),
        ("BY JANE DOE AND JOHN ROE", ["jane-doe", "john-roe"]),
        ("By Dr. Jane Doe", ["jane-doe"]),
    ],
)
def test_author_lines(site: Path, tmp_path: Path, line: str, slugs: list[str]) -> None:
    text = tmp_path / "byline.txt"
    text.write_text(f"Bylines\n\n{line}\n\nThe lede of the piece.\n", encoding="utf-8")
    run(site, text)
    assert list(load(site, "bylines").authors) == slugs


def test_crlf_and_a_bom_are_fine(site: Path) -> None:
    raw = (TEXTS / "crlf_bom.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    run(site, TEXTS / "crlf_bom.txt")
    article = load(site, "the-corridor-is-open")
    assert (
        article.title
        == "Senior Fellow at the Baku Institute, Dr. Leyla Aliyeva: “The Corridor Is Open”"
    )
    assert article.date is not None and article.date.written == "2020-07-01"
    assert article.authors == ("murad-hesenov",)
    assert article.interviewees == ("leyla-aliyeva",)
    assert author(site, "murad-hesenov") == {"name": "Murad Həsənov"}
    assert author(site, "leyla-aliyeva") == {
        "name": "Leyla Aliyeva",
        "role": "Senior Fellow at the Baku Institute for Regional Studies",
    }
    text = (site / "content" / "articles" / "the-corridor-is-open.md").read_bytes()
    assert b"\r" not in text and not text.startswith(b"\xef\xbb\xbf")
    assert questions(article.body) == ["How much freight does the corridor carry today?"]


def test_straight_quotes_in_the_title(site: Path) -> None:
    run(site, TEXTS / "straight_quotes.txt")
    article = load(site, "turkey-will-keep-its-balance")
    assert article.title.endswith(': "Turkey Will Keep Its Balance."')
    assert article.interviewees == ("ahmet-kara",)
    assert author(site, "ahmet-kara") == {
        "name": "Ahmet Kara",
        "role": "Professor of International Relations at Bilkent University",
    }
    assert questions(article.body) == [
        "Prof. Kara, where does Turkey stand today?",
        "Will that change after the election?",
    ]


def test_turkish_and_azerbaijani_names(site: Path) -> None:
    run(site, TEXTS / "turkish_azerbaijani.txt")
    article = load(site, "peace-in-the-south-caucasus-is-within-reach")
    assert article.authors == ("kemal-kilicdaroglu", "ilknur-sahin")
    assert article.interviewees == ("elmar-memmedyarov",)
    assert author(site, "kemal-kilicdaroglu") == {"name": "Kemal Kılıçdaroğlu"}
    assert author(site, "ilknur-sahin") == {"name": "İlknur Şahin"}
    assert author(site, "elmar-memmedyarov") == {
        "name": "Elmar Məmmədyarov",
        "role": "Minister of Foreign Affairs of Azerbaijan from 2004 to 2020",
    }
    assert "Elmar Məmmədyarov" not in article.body  # the biography block moved out
    assert article.image is not None and article.image.credit == "APA"


def test_a_question_spanning_two_lines_is_joined(site: Path) -> None:
    run(site, TEXTS / "question_two_lines.txt")
    article = load(site, "sanctions-will-not-end-soon")
    joined = (
        "Ms. Petrova, do you expect the European Union to lift any of the sanctions "
        "before the end of next year?"
    )
    assert f"**{joined}**" in article.body.split("\n")
    assert questions(article.body) == [joined, "And what about the United States?"]


def test_speaker_prefixes_are_kept_and_only_questions_are_marked(site: Path) -> None:
    run(site, TEXTS / "speaker_prefixes.txt")
    article = load(site, "nato-must-adapt")
    assert article.type == "interview"
    assert article.interviewees == ("john-smith",)
    assert article.authors == ("ankasam",)
    assert questions(article.body) == [
        "ANKASAM: How should NATO respond to the new threats on its eastern flank?",
        "ANKASAM: Is the alliance ready for a long confrontation?",
    ]
    # The answer's prefix stays, and its rhetorical questions stay ordinary text.
    assert (
        "Smith: Ready? Not yet. But who is ever ready for such a thing? "
        "We will have to learn as we go."
    ) in article.body.split("\n")


def test_a_rhetorical_question_ending_an_answer_stays_text(site: Path, tmp_path: Path) -> None:
    text = tmp_path / "rhetorical.txt"
    text.write_text(
        "Analyst, Jane Roe: “Nobody Wins”\n\nBy John Doe\n\nThe lede.\n\n"
        "What do you make of the talks?\n\n"
        "They failed. Both sides wanted too much. The mediators left early. "
        "So who really wanted a deal?\n\n"
        "Will they meet again?\n\nNot this year.\n",
        encoding="utf-8",
    )
    run(site, text)
    body = load(site, "nobody-wins").body
    assert questions(body) == ["What do you make of the talks?", "Will they meet again?"]


def test_a_person_is_matched_through_an_alias(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "sites" / "alias", site)
    existing = (site / "content" / "authors" / "dmitry-trenin.md").read_bytes()
    report = run(site, TEXTS / "alias.txt")
    article = load(site, "russia-and-europe-are-drifting-apart")
    assert article.interviewees == ("dmitry-trenin",)
    assert not (site / "content" / "authors" / "dmitri-trenin.md").exists()
    assert (site / "content" / "authors" / "dmitry-trenin.md").read_bytes() == existing
    assert report.existing_authors == (site / "content" / "authors" / "dmitry-trenin.md",)
    assert report.hints == ()


def test_a_near_miss_without_an_alias_is_a_hint(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "sites" / "alias", site)
    path = site / "content" / "authors" / "dmitry-trenin.md"
    path.write_text("---\nname: Dmitry Trenin\n---\n", encoding="utf-8")
    report = run(site, TEXTS / "alias.txt")
    assert load(site, "russia-and-europe-are-drifting-apart").interviewees == ("dmitri-trenin",)
    (hint,) = report.hints
    assert hint.key == "interviewees" and hint.line == 1
    assert "'Dmitri Trenin' is not 'Dmitry Trenin'" in hint.format()
    assert "aliases" in hint.format()


def test_matching_ignores_case_diacritics_and_honorifics(site: Path) -> None:
    authors = site / "content" / "authors"
    authors.mkdir(parents=True)
    (authors / "k-agazade.md").write_text("---\nname: Dr. KENAN AGAZADE\n---\n", "utf-8")
    run(site, SEED, **SEED_OPTIONS)
    assert load(site, SEED_SLUG).authors == ("k-agazade",)
    assert not (authors / "kenan-agazade.md").exists()


def test_markdown_and_html_in_the_text_are_shown_as_written(site: Path) -> None:
    run(site, TEXTS / "markdown_specials.txt")
    article = load(site, "no-b-yes-b-1e3")
    assert article.title == "# no: <b>Yes</b> & *1e3*"
    source = (TEXTS / "markdown_specials.txt").read_text(encoding="utf-8").split("\n")
    expected = words("\n".join(source[6:]))
    for raw_html in (False, True):
        tree = render(article.body, html=raw_html)
        assert tree.findall(".//script") == []
        assert [el.tag for el in tree.iter()] == ["div"] + ["p"] * len(tree.findall("p"))
        assert words(tree.text_content()) == expected
    assert '<script>alert("pwned")</script> is what' in render(article.body).text_content()


def test_a_related_section_in_any_capitalisation(site: Path) -> None:
    run(site, TEXTS / "related_caps.txt")
    article = load(site, "why-the-black-sea-matters")
    assert article.related == ("The Straits Convention at Ninety", "Ankara and the Montreux Regime")
    assert "RELATED" not in article.body and "Straits" not in article.body


@pytest.mark.parametrize("title", ["no", "on", "1e3", "null", "true", "2020-07-01", "- x", "@x"])
def test_yaml_traps_in_titles_read_back_as_written(site: Path, tmp_path: Path, title: str) -> None:
    text = tmp_path / "trap.txt"
    text.write_text(f"{title}\n\nBy Jane Doe\n\nThe lede.\n", encoding="utf-8")
    report = run(site, text, slug="trap", force=True)
    assert load(site, "trap").title == title
    assert report.written


# Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.txt", "file is empty"),
        ("whitespace.txt", "file holds only whitespace"),
        ("latin1.txt", "file is not valid UTF-8"),
        ("no_txt", "directory has no .txt files"),
    ],
)
def test_bad_input_is_one_line_naming_the_file(site: Path, name: str, message: str) -> None:
    path = BAD / name
    with pytest.raises(BuildFailed) as failed:
        run(site, path)
    (error,) = failed.value.errors
    assert isinstance(error, ImportError_)
    line = error.format()
    assert "\n" not in line
    assert line.startswith(str(path))
    assert message in line
    assert article_files(site) == []


def test_an_unreadable_path_is_one_line_naming_it(site: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(BuildFailed) as failed:
        run(site, missing, dangling)
    formatted = [e.format() for e in failed.value.errors]
    assert formatted == [
        f"{dangling}: cannot read: no such file or directory",
        f"{missing}: cannot read: no such file or directory",
    ]
    assert article_files(site) == []


def test_a_text_without_an_author_line_is_an_error(site: Path, tmp_path: Path) -> None:
    text = tmp_path / "anonymous.txt"
    text.write_text("A Title\n\nThe lede, with no byline above it.\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        run(site, text)
    assert failed.value.errors[0].format().startswith(f"{text}: authors: no author line found")


def test_settings_are_checked(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    (site / "sitegen.toml").write_text('title = "T"\n', encoding="utf-8")
    with pytest.raises(BuildFailed):
        run(site, SEED)
    assert isinstance(load_settings(make_site(tmp_path / "ok")), Settings)
