"""The seed, imported and built: every point of issue 3 asserted on the produced page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest

from sitegen.importer import ImportOptions, import_texts

REPO = Path(__file__).resolve().parents[1]
SEED = Path(__file__).parent / "fixtures" / "import" / "texts" / "seed.txt"
SLUG = "military-cooperation-between-russia-and-china-is-developing"
TITLE = (
    "Director of the Carnegie Moscow Center, Dr. Dmitry Trenin: "
    "“Military Cooperation Between Russia and China is Developing”"
)
ROLE = (
    "Director of the Carnegie Moscow Center, Chairman of the Scientific Council and Head of "
    "the Foreign and Security Policy Program"
)
QUESTIONS = [
    "Mr. Trenin, could you please provide information us about the early warning nuclear "
    "missile system that China will receive from Russia?",
    "What will be the possible reaction of the United States of America?",
    "To what extent Russian will profit from this assistance to China?",
    "Is it possible that Moscow and Beijing will continue to integrate their security and "
    "military system?",
    "Which kind of response do you expect form the United States of America?",
    "How do you see the future of the military relationship between Russia and China?",
]
RELATED_PEOPLE = ["Justus Nam", "Nargiza Murataliyeva", "Edward Lemon"]

pytestmark = pytest.mark.skipif(
    not (REPO / "sitegen" / "build.py").exists(), reason="sitegen/build.py is not written yet"
)


def _text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


class Built:
    """The seed imported into a fresh site and built with `python -m sitegen build`."""

    def __init__(self, root: Path) -> None:
        self.site = root / "site"
        self.site.mkdir()
        (self.site / "sitegen.toml").write_text(
            'title = "Seed archive"\nbase_url = "https://example.org/archive/"\n',
            encoding="utf-8",
        )
        options = ImportOptions(
            date="2019-10",
            topics=(
                "Military cooperation",
                "Early warning systems",
                "Russia–China relations",
                "Strategic stability",
            ),
            regions=("Russia", "China", "United States", "East Asia"),
        )
        import_texts([SEED], self.site, options)
        self.process = subprocess.run(
            [sys.executable, "-m", "sitegen", "build", "--site", str(self.site)],
            capture_output=True,
            text=True,
            cwd=REPO,
            check=False,
        )
        page = self.site / "output" / "articles" / SLUG / "index.html"
        self.page = lxml.html.parse(str(page)).getroot() if page.exists() else None

    @property
    def messages(self) -> str:
        return self.process.stdout + self.process.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    result = Built(tmp_path_factory.mktemp("seed-build"))
    assert result.process.returncode == 0, result.messages
    assert result.page is not None, "no page at output/articles/<slug>/index.html"
    return result


def test_the_page_shows_the_title(built: Built) -> None:
    assert [_text(h1) for h1 in built.page.iter("h1")] == [TITLE]


def test_the_author_is_linked_to_his_page(built: Built) -> None:
    links = built.page.cssselect('a[href="/archive/authors/kenan-agazade/"]')
    assert links and all(_text(a) == "Kenan Ağazade" for a in links)


def test_the_interviewee_is_shown_with_his_role_and_linked(built: Built) -> None:
    links = built.page.cssselect('a[href="/archive/authors/dmitry-trenin/"]')
    assert links and all(_text(a) == "Dmitry Trenin" for a in links)
    assert ROLE in _text(built.page)


def test_the_page_shows_the_photo_credit(built: Built) -> None:
    assert "South China Morning Post" in _text(built.page)


def test_all_six_questions_are_question_paragraphs(built: Built) -> None:
    assert [_text(p) for p in built.page.cssselect("p.question")] == QUESTIONS


def test_the_body_has_no_biography_and_no_related_posts_lines(built: Built) -> None:
    (body,) = built.page.cssselect("article .prose")  # the rendered Markdown body
    paragraphs = [_text(p) for p in body.iter("p")]
    # the lede, the introduction, six questions and nine paragraphs of answers
    assert len(paragraphs) == 17
    assert "Dmitry Trenin" not in paragraphs
    assert not any(p.startswith(ROLE) for p in paragraphs)
    assert not any(p.casefold().startswith("related posts") for p in paragraphs)
    assert not any(name in p for p in paragraphs for name in RELATED_PEOPLE)
    assert any(p.startswith("In an interview to Ankara Center for Crisis") for p in paragraphs)


def test_the_related_titles_are_kept_and_the_build_warns(built: Built) -> None:
    front = (built.site / "content" / "articles" / f"{SLUG}.md").read_text(encoding="utf-8")
    warnings = [line for line in built.messages.splitlines() if "related" in line]
    for name in RELATED_PEOPLE:
        assert name in front
        assert any(name in line for line in warnings), built.messages
