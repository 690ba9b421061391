"""A seeded generator of benchmark sites in the content contract's format.

`generate_corpus(articles, out, seed)` writes `sitegen.toml`, `content/articles/`,
`content/authors/` and `content/pages/` under `out`, shaped like a real archive: about 40%
interviews with bold one-line questions, 600 to 2,000 words an article (median about 1,100),
N/40 writers and N/10 interviewees, 150 topics and 40 regions with Zipf-like popularity,
editor-chosen `related` lists on about 30% of articles, dates over 15 years (some month-only).

The same arguments always give the same bytes: everything is drawn from one
`random.Random(seed)` in a fixed order, and nothing reads the clock.

    python -m benchmarks.corpus --articles 1000 --out /tmp/site --seed 1
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import re
import shutil
import sys
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from random import Random

from benchmarks import vocabulary as vocab

ARTICLE_TYPES: tuple[str, ...] = ("interview", "analysis", "commentary", "report", "news")
TYPE_WEIGHTS: tuple[float, ...] = (0.40, 0.25, 0.15, 0.10, 0.10)
FIRST_DAY = date(2011, 1, 1)
LAST_DAY = date(2025, 12, 31)
# Bounds on each article's target; a body stops at the first block that reaches its target,
# so the words written come out at 600 to 2,000 with a median near 1,100.
MIN_WORDS, MEDIAN_WORDS, MAX_WORDS = 600, 1060, 1900
HOUSE = "Anatolian Centre for Policy Studies"
SITE_TITLE = "Policy Interviews Archive (benchmark corpus)"
BASE_URL = "https://example.org/"

_SLOT_RE = re.compile(r"(\{\w+\})")
_YAML_PLAIN_RE = re.compile(r"^[A-Za-z][A-Za-z0-9 ’–-]*$")
_YAML_RESERVED = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
_ASCII_FOLD = str.maketrans({"ı": "i", "İ": "I", "’": "", "'": "", "‘": "", "–": "-", "—": "-"})
_ARTICLE_RE = re.compile(r"\b([Aa]) (?=[aeiouAEIOU])")
_A_BEFORE_SLOT_RE = re.compile(r"\b[Aa] \{")
_SMALL_WORDS = frozenset({"of", "and", "the", "in", "on", "for", "to", "a"})


# A template piece: literal text, slot name, slot name without its digits, and the pool.
_Part = tuple[str, str, str, Sequence[str] | None]


@dataclass(frozen=True)
class Person:
    """One author file: a writer of the house or an interviewed expert."""

    slug: str
    name: str
    surname: str
    role: str
    affiliation: str
    bio: str
    links: dict[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()


@dataclass
class Article:
    """One planned article: its front matter and how many words its body should have."""

    slug: str
    title: str
    type: str
    date: str
    authors: list[str]
    interviewees: list[str]
    topics: list[str]
    regions: list[str]
    words: int
    summary: str | None = None
    updated: str | None = None
    image_credit: str | None = None
    aliases: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    draft: bool = False


@dataclass(frozen=True)
class CorpusSummary:
    """What `generate_corpus` wrote, for logs and the runner's cache manifest."""

    articles: int
    interviews: int
    writers: int
    interviewees: int
    pages: int
    words: int
    seed: int
    seconds: float


def slugify(text: str, max_length: int = 80) -> str:
    """An ASCII slug of lower-case letters, digits and single `-`, cut at a word boundary."""
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or "untitled"


def yaml_str(value: str) -> str:
    """`value` as a YAML scalar: plain where an editor would write it plain, else quoted."""
    if _YAML_PLAIN_RE.match(value) and value.lower() not in _YAML_RESERVED:
        return value
    return json.dumps(value, ensure_ascii=False)


def title_case(text: str) -> str:
    """Headline case: every word capitalised except short function words inside."""
    words = text.split(" ")
    return " ".join(
        w if (i and w in _SMALL_WORDS) else w[:1].upper() + w[1:] for i, w in enumerate(words)
    )


class Zipf:
    """Draws items with probability proportional to 1 / rank**exponent."""

    def __init__(self, items: Sequence[str], exponent: float) -> None:
        self.items = list(items)
        self.cumulative = list(
            itertools.accumulate(1.0 / (rank**exponent) for rank in range(1, len(items) + 1))
        )

    def draw(self, rng: Random) -> str:
        """One item."""
        x = rng.random() * self.cumulative[-1]
        return self.items[bisect.bisect_right(self.cumulative, x)]

    def draw_distinct(self, rng: Random, count: int) -> list[str]:
        """Up to `count` different items, in the order drawn."""
        count = min(count, len(self.items))
        chosen: list[str] = []
        for _ in range(count * 8):
            item = self.draw(rng)
            if item not in chosen:
                chosen.append(item)
                if len(chosen) == count:
                    break
        return chosen


class Prose:
    """Fills sentence templates from the vocabulary pools with one seeded generator."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.pools: dict[str, Sequence[str]] = {
            "actor": vocab.ACTORS,
            "verb": vocab.VERBS,
            "verb_base": tuple(v[:-1] for v in vocab.VERBS),
            "adj": vocab.ADJECTIVES,
            "Adj": tuple(a.capitalize() for a in vocab.ADJECTIVES),
            "noun": vocab.NOUNS,
            "Noun": tuple(title_case(n) for n in vocab.NOUNS),
            "region": vocab.REGIONS,
            "topic": vocab.TOPICS,
            "conn": vocab.CONNECTORS,
            "observers": vocab.OBSERVERS,
            "say": vocab.SAY_VERBS,
            "city": vocab.CITIES,
            "political": vocab.POLITICAL,
            "trend": vocab.TREND_WORDS,
            "year": tuple(str(y) for y in range(1991, 2026)),
            "num": tuple(str(n) for n in range(2, 61)),
            "rare": self._rare_words(20_000),
        }
        self._compiled: dict[str, tuple[list[_Part], bool]] = {}

    def _rare_words(self, count: int) -> tuple[str, ...]:
        """Made-up proper nouns (places, programmes) so that the vocabulary is not tiny."""
        onsets = ("b", "d", "k", "t", "s", "m", "n", "r", "z", "sh", "ch", "g", "v", "l", "ar")
        vowels = ("a", "e", "i", "o", "u", "ai", "ei")
        codas = ("", "n", "r", "k", "sh", "m", "t", "l")
        words: dict[str, None] = {}
        while len(words) < count:
            syllables = self.rng.randint(2, 4)
            word = "".join(
                self.rng.choice(onsets) + self.rng.choice(vowels) + self.rng.choice(codas)
                for _ in range(syllables)
            )
            words[word.capitalize()] = None
        return tuple(words)

    def _compile(self, template: str) -> tuple[list[_Part], bool]:
        """The template split into literal text and slots, and whether `a` needs fixing."""
        compiled = self._compiled.get(template)
        if compiled is None:
            parts: list[_Part] = []
            for piece in _SLOT_RE.split(template):
                if not piece.startswith("{"):
                    parts.append((piece, "", "", None))
                    continue
                slot = piece[1:-1]
                base = slot.rstrip("0123456789")
                parts.append(("", slot, base, self.pools.get(base)))
            compiled = (parts, bool(_A_BEFORE_SLOT_RE.search(template)))
            self._compiled[template] = compiled
        return compiled

    def fill(self, template: str, context: dict[str, str] | None = None) -> str:
        """`template` with every `{slot}` drawn from its pool or taken from `context`."""
        rand = self.rng.random
        parts, fix_article = self._compile(template)
        chosen: dict[str, str] = {}
        out: list[str] = []
        for literal, slot, base, pool in parts:
            if not slot:
                out.append(literal)
            elif context is not None and slot in context:
                out.append(context[slot])
            elif pool is None:
                raise KeyError(f"slot {slot!r} has neither a pool nor a value in the context")
            else:
                value = pool[int(rand() * len(pool))]
                if base != slot and value == chosen.get(base):
                    value = pool[int(rand() * len(pool))]
                chosen.setdefault(base, value)
                out.append(value)
        sentence = "".join(out)
        if fix_article:
            sentence = _ARTICLE_RE.sub(r"\1n ", sentence)
        return sentence[:1].upper() + sentence[1:]

    def paragraph(self, sentences: int, context: dict[str, str] | None = None) -> str:
        """A paragraph of ordinary sentences."""
        rand, templates = self.rng.random, vocab.SENTENCES
        return " ".join(
            self.fill(templates[int(rand() * len(templates))], context) for _ in range(sentences)
        )

    def heading(self) -> str:
        """A second-level section heading."""
        return "## " + self.fill(self.rng.choice(vocab.HEADINGS))

    def extra_block(self) -> str:
        """An occasional list, quotation or linked sentence, as real articles have."""
        kind = self.rng.random()
        if kind < 0.4:
            items = self.rng.randint(3, 5)
            return "\n".join(
                f"- {self.fill('{topic}')}: {self.fill(self.rng.choice(vocab.SENTENCES))}"
                for _ in range(items)
            )
        if kind < 0.7:
            return "> " + self.paragraph(2)
        slug = slugify(self.fill("{rare} {noun} {year}"))
        return (
            self.paragraph(2)
            + f" The *{self.fill('{rare}')}* text is [published online]"
            + f"(https://example.com/documents/{slug})."
        )


def _count_words(text: str) -> int:
    return text.count(" ") + text.count("\n") + 1


def _word_target(rng: Random) -> int:
    """Words in one article: log-normal around the median, kept inside the range."""
    while True:
        words = int(rng.lognormvariate(math.log(MEDIAN_WORDS), 0.3))
        if MIN_WORDS <= words <= MAX_WORDS:
            return words


def _make_people(
    rng: Random, prose: Prose, count: int, expert: bool, taken: set[str]
) -> list[Person]:
    """`count` people with unique names and slugs; experts get outside affiliations."""
    people: list[Person] = []
    while len(people) < count:
        first = rng.choice(vocab.FIRST_NAMES)
        last = rng.choice(vocab.LAST_NAMES)
        name = f"{first} {last}"
        if slugify(name) in taken:
            name = f"{first} {chr(ord('A') + rng.randrange(26))}. {last}"
        slug = slugify(name)
        if slug in taken:
            continue
        taken.add(slug)
        if expert:
            institution = rng.choice(vocab.INSTITUTION_FORMS).format(city=rng.choice(vocab.CITIES))
            role = rng.choice(vocab.EXPERT_ROLES).format(inst=institution)
        else:
            institution, role = HOUSE, rng.choice(vocab.WRITER_ROLES)
        context = {"name": name, "inst": institution}
        bio_sentences = rng.sample(vocab.BIO_SENTENCES, k=rng.randint(2, 4))
        bio = " ".join(prose.fill(s, context) for s in bio_sentences)
        if rng.random() < 0.3:
            bio += "\n\n" + prose.paragraph(rng.randint(2, 3))
        links = {"Profile": f"https://example.com/people/{slug}"} if rng.random() < 0.4 else {}
        aliases: tuple[str, ...] = ()
        if rng.random() < 0.05:
            aliases = (_other_spelling(name),)
        people.append(Person(slug, name, last, role, institution, bio, links, aliases))
    return people


def _other_spelling(name: str) -> str:
    """Another way the press spells `name`: without diacritics, or with `i` for `y`."""
    folded = unicodedata.normalize("NFKD", name.translate(_ASCII_FOLD))
    plain = folded.encode("ascii", "ignore").decode("ascii")
    if plain != name:
        return plain
    if "y" in name:
        return name.replace("y", "i")
    first, _, last = name.partition(" ")
    return f"{first[0]}. {last}"


def _date_text(rng: Random) -> tuple[str, date]:
    """A publication date: mostly a day, some month-only, a few full datetimes."""
    span = (LAST_DAY - FIRST_DAY).days
    day = FIRST_DAY + timedelta(days=int(span * math.sqrt(rng.random())))
    kind = rng.random()
    if kind < 0.10:
        return day.strftime("%Y-%m"), day.replace(day=1)
    if kind < 0.15:
        return (
            f"{day.isoformat()}T{rng.randint(7, 20):02d}:{rng.choice((0, 15, 30)):02d}:00+03:00",
            day,
        )
    return day.isoformat(), day


def _title(rng: Random, prose: Prose, kind: str, interviewee: Person | None) -> str:
    """A headline in the house style for the article's type."""
    if interviewee is not None:
        claim = prose.fill(rng.choice(vocab.CLAIMS))
        honorific = rng.choice(vocab.HONORIFICS)
        form = rng.random()
        if form < 0.5:
            return f"{interviewee.role}, {honorific}{interviewee.name}: “{claim}”"
        if form < 0.8:
            return f"{interviewee.role} {interviewee.name}; “{claim}.”"
        return f"{honorific}{interviewee.name}: “{claim}”"
    templates = {
        "news": vocab.NEWS_TITLES,
        "report": vocab.REPORT_TITLES,
    }.get(kind, vocab.ANALYSIS_TITLES)
    return prose.fill(rng.choice(templates))


def _interview_body(rng: Random, prose: Prose, article: Article, guests: list[Person]) -> str:
    """A lede, then bold one-line questions each followed by answer paragraphs."""
    guest = guests[0]
    context = {"name": guest.name}
    blocks = [prose.fill(rng.choice(vocab.LEDES), context), prose.paragraph(rng.randint(2, 4))]
    words = sum(_count_words(b) for b in blocks)
    address = rng.choice(("Mr.", "Ms.", "Dr.", "Prof."))
    first_question = True
    while words < article.words:
        question = prose.fill(rng.choice(vocab.QUESTIONS))
        if first_question or rng.random() < 0.2:
            question = f"{address} {guest.surname}, {question[:1].lower()}{question[1:]}"
            first_question = False
        blocks.append(f"**{question}**")
        words += _count_words(question)
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            answer = prose.paragraph(rng.randint(3, 7))
            blocks.append(answer)
            words += _count_words(answer)
            if words >= article.words:
                break
    return "\n\n".join(blocks)


def _prose_body(rng: Random, prose: Prose, article: Article) -> str:
    """Paragraphs with an occasional heading, list, quotation or link."""
    blocks: list[str] = []
    words = 0
    sectioned = article.type in ("analysis", "report")
    since_heading = 0
    while words < article.words:
        if sectioned and since_heading >= rng.randint(3, 6):
            blocks.append(prose.heading())
            since_heading = 0
        block = prose.extra_block() if rng.random() < 0.08 else prose.paragraph(rng.randint(3, 6))
        blocks.append(block)
        words += _count_words(block)
        since_heading += 1
    return "\n\n".join(blocks)


def _front_matter(article: Article) -> str:
    """The article's YAML front matter, with the contract's keys in a usual order."""
    lines = ["---", f"title: {json.dumps(article.title, ensure_ascii=False)}"]
    lines.append(f"date: {article.date}")
    if article.updated:
        lines.append(f"updated: {article.updated}")
    lines.append(f"type: {article.type}")

    def block(key: str, values: Sequence[str]) -> None:
        if values:
            lines.append(f"{key}:")
            lines.extend(f"  - {yaml_str(v)}" for v in values)

    block("authors", article.authors)
    block("interviewees", article.interviewees)
    if article.summary:
        lines.append(f"summary: {json.dumps(article.summary, ensure_ascii=False)}")
    block("topics", article.topics)
    block("regions", article.regions)
    if article.image_credit:
        lines += ["image:", f"  credit: {json.dumps(article.image_credit, ensure_ascii=False)}"]
    block("related", article.related)
    block("aliases", article.aliases)
    if article.draft:
        lines.append("draft: true")
    lines.append("---")
    return "\n".join(lines)


def _plan_articles(
    rng: Random, prose: Prose, count: int, writers: list[Person], experts: list[Person]
) -> list[Article]:
    """Headlines, dates, people and terms for every article, before any body is written."""
    writer_pick = Zipf([p.slug for p in writers], 0.7)
    expert_pick = Zipf([p.slug for p in experts], 0.6)
    topic_pick = Zipf(vocab.TOPICS, 1.0)
    region_pick = Zipf(vocab.REGIONS, 1.1)
    by_slug = {p.slug: p for p in experts}
    articles: list[Article] = []
    slugs: set[str] = set()
    for _ in range(count):
        kind = rng.choices(ARTICLE_TYPES, TYPE_WEIGHTS)[0]
        date_text, day = _date_text(rng)
        authors = writer_pick.draw_distinct(rng, 2 if rng.random() < 0.15 else 1)
        guests = []
        if kind == "interview":
            guests = expert_pick.draw_distinct(rng, 2 if rng.random() < 0.1 else 1)
        title = _title(rng, prose, kind, by_slug[guests[0]] if guests else None)
        slug = slugify(title)
        if slug in slugs:
            slug = next(f"{slug}-{n}" for n in itertools.count(2) if f"{slug}-{n}" not in slugs)
        slugs.add(slug)
        article = Article(
            slug=slug,
            title=title,
            type=kind,
            date=date_text,
            authors=authors,
            interviewees=guests,
            topics=topic_pick.draw_distinct(rng, rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5))),
            regions=region_pick.draw_distinct(rng, rng.choice((1, 1, 2, 2, 3))),
            words=_word_target(rng),
        )
        if rng.random() < 0.5:
            article.summary = prose.paragraph(rng.choice((1, 2)))
        if rng.random() < 0.08:
            article.updated = (day + timedelta(days=rng.randint(1, 400))).isoformat()
        if rng.random() < 0.4:
            article.image_credit = "Photo from " + rng.choice(vocab.PHOTO_SOURCES)
        if rng.random() < 0.05:
            article.aliases = [f"/{day.year}/{day.month:02d}/{slug}.html"]
        article.draft = rng.random() < 0.005
        articles.append(article)
    for article in articles:
        if rng.random() < 0.3 and count > 1:
            others = rng.sample(range(count), k=min(count, rng.randint(1, 4) + 1))
            targets = [
                articles[i] for i in others if articles[i] is not article and not articles[i].draft
            ][:4]
            article.related = [t.slug if rng.random() < 0.5 else t.title for t in targets]
    return articles


def _write_text(path: Path, text: str) -> None:
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def _write_site_files(out: Path) -> None:
    """`sitegen.toml` and the standalone pages."""
    _write_text(
        out / "sitegen.toml",
        f'title = "{SITE_TITLE}"\nbase_url = "{BASE_URL}"\n'
        'description = "Generated interviews and analysis for sitegen benchmarks."\n',
    )
    pages = {
        "about": ("About", f"The {HOUSE} publishes interviews, analysis and commentary."),
        "contact": ("Contact", "Write to the editors at editors@example.org."),
        "editorial-policy": (
            "Editorial policy",
            "Interviews are edited for length and clarity and approved by the interviewee.",
        ),
    }
    for slug, (title, body) in pages.items():
        _write_text(out / "content" / "pages" / f"{slug}.md", f"---\ntitle: {title}\n---\n\n{body}")


def _write_person(path: Path, person: Person) -> None:
    lines = ["---", f"name: {json.dumps(person.name, ensure_ascii=False)}"]
    lines.append(f"role: {json.dumps(person.role, ensure_ascii=False)}")
    lines.append(f"affiliation: {json.dumps(person.affiliation, ensure_ascii=False)}")
    if person.links:
        lines.append("links:")
        lines.extend(f"  {label}: {url}" for label, url in person.links.items())
    if person.aliases:
        lines.append("aliases:")
        lines.extend(f"  - {json.dumps(a, ensure_ascii=False)}" for a in person.aliases)
    lines += ["---", "", person.bio]
    _write_text(path, "\n".join(lines))


def generate_corpus(
    articles: int, out: Path, seed: int = 1, replace: bool = False
) -> CorpusSummary:
    """Write a site of `articles` articles into `out`, which must be empty unless `replace`.

    With `replace`, the folder's `content/` is deleted first and `sitegen.toml` overwritten.
    """
    if articles < 1:
        raise ValueError("articles must be at least 1")
    if not replace and out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty; choose another folder or replace it")
    started = time.perf_counter()
    rng = Random(seed)
    prose = Prose(rng)
    taken: set[str] = set()
    writers = _make_people(rng, prose, max(1, round(articles / 40)), False, taken)
    experts = _make_people(rng, prose, max(1, round(articles / 10)), True, taken)
    plans = _plan_articles(rng, prose, articles, writers, experts)
    experts_by_slug = {p.slug: p for p in experts}

    shutil.rmtree(out / "content", ignore_errors=True)
    for folder in ("articles", "authors", "pages"):
        (out / "content" / folder).mkdir(parents=True, exist_ok=True)
    _write_site_files(out)
    for person in writers + experts:
        _write_person(out / "content" / "authors" / f"{person.slug}.md", person)
    total_words = 0
    for article in plans:
        if article.interviewees:
            guests = [experts_by_slug[s] for s in article.interviewees]
            body = _interview_body(rng, prose, article, guests)
        else:
            body = _prose_body(rng, prose, article)
        total_words += _count_words(body)
        _write_text(
            out / "content" / "articles" / f"{article.slug}.md",
            f"{_front_matter(article)}\n\n{body}",
        )
    return CorpusSummary(
        articles=len(plans),
        interviews=sum(1 for a in plans if a.type == "interview"),
        writers=len(writers),
        interviewees=len(experts),
        pages=3,
        words=total_words,
        seed=seed,
        seconds=round(time.perf_counter() - started, 3),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: generate one corpus and print what was written."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus", description=__doc__)
    parser.add_argument("--articles", type=int, required=True, help="number of articles")
    parser.add_argument("--out", type=Path, required=True, help="site folder to write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--replace", action="store_true", help="delete OUT/content first if OUT is not empty"
    )
    args = parser.parse_args(argv)
    try:
        summary = generate_corpus(args.articles, args.out, args.seed, args.replace)
    except (FileExistsError, ValueError) as exc:
        parser.error(str(exc))
    print(json.dumps(summary.__dict__), file=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
