"""Recognising the parts of raw article text: title, header lines, biography, questions, related.

Everything here works on decoded text with `\\n` line ends and returns positions, so
that the composer can move lines into front matter and keep every other line as written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from .datelines import NotACalendarDate, parse_date_line
from .people import (
    ROLE_WORDS,
    is_name,
    parse_author_line,
    person_key,
    split_honorifics,
    split_role_and_name,
    title_case_name,
)

_HEADER_PARAGRAPHS = 6  # header lines (credit, byline, date) come before this many paragraphs
_RELATED_LINE_MAX = 300
_QUESTION_MAX_CHARS = 600
_QUESTION_MAX_SENTENCES = 3
_SUMMARY_MAX_CHARS = 320

_CREDIT = re.compile(
    r"^(?:photo(?:graph)?s?|image|picture|cover\s+photo)\s*(?:credits?)?\s*"
    r"(?:(?:from|by|courtesy\s+of|source)\b\s*:?|[:\-–—])\s*(?P<credit>\S.*)$",
    re.IGNORECASE,
)
_RELATED = re.compile(
    r"^related(?:\s+(?:posts?|articles?|stories|news|reading|content|interviews?))?\s*:?$",
    re.IGNORECASE,
)
_QUOTE_PAIRS = {"“": '”“"', '"': '"”', "«": "»", "„": "“”", "‘": "’"}
_TITLE_QUOTE = re.compile(
    r"^(?P<person>.*?\S)\s*(?P<sep>[:;,–—-])\s*(?P<open>[“\"«„‘])(?P<quote>.*\S)"
    r"(?P<close>[”\"»“’])\s*[.!?]?\s*$"
)
_LABEL = re.compile(r"^(?P<label>[^\W\d_][^:?!\n]{0,40}?)\s*:\s+\S")
_QUESTION_LABELS = frozenset({"q", "question", "soru", "interviewer"})
_ANSWER_LABELS = frozenset({"a", "answer", "cevap", "yanıt"})
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself)\b", re.IGNORECASE)
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "assoc", "st", "vs", "etc", "e.g", "i.e", "u.s", "u.k",
     "no", "jr", "sr", "gen", "col", "lt", "amb", "rev", "hon", "inc", "ltd", "co", "doç"}
)  # fmt: skip
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’»)\]]*\s+(?=[\"“‘«(\[]?[^\W_a-z])")


@dataclass(frozen=True)
class Paragraph:
    """Consecutive non-blank lines of the source, stripped, with the first line's number."""

    lines: tuple[str, ...]
    line: int

    @property
    def text(self) -> str:
        """The lines joined by single spaces."""
        return " ".join(self.lines)


@dataclass(frozen=True)
class Person:
    """A person named in the text: name as it should be printed, role if the text gives one."""

    name: str
    role: str | None = None
    line: int = 1


@dataclass(frozen=True)
class Problem:
    """Something in the text that stops the import, with its line."""

    message: str
    line: int | None
    key: str | None = None
    hint: str | None = None


@dataclass(frozen=True)
class ParsedText:
    """The recognised parts of one raw text. Indexes point into `paragraphs`."""

    title: str
    title_line: int
    headline_quote: str | None
    credit: str | None
    authors: tuple[Person, ...]
    date: str | None
    date_line: int | None
    bad_date: Problem | None
    interviewee: Person | None
    bio_index: int | None
    paragraphs: tuple[Paragraph, ...]
    questions: frozenset[int] = field(default_factory=frozenset)
    lede_index: int | None = None
    related: tuple[str, ...] = ()

    def summary(self) -> str | None:
        """One or two sentences from the lede, as plain text."""
        if self.lede_index is None:
            return None
        return summary_of(self.paragraphs[self.lede_index].text)


def split_paragraphs(text: str) -> list[Paragraph]:
    """Paragraphs separated by blank (or whitespace-only) lines, lines stripped."""
    paragraphs: list[Paragraph] = []
    current: list[str] = []
    start = 1
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.strip())
        elif current:
            paragraphs.append(Paragraph(tuple(current), start))
            current = []
    if current:
        paragraphs.append(Paragraph(tuple(current), start))
    return paragraphs


def sentences(text: str) -> list[str]:
    """The text cut into sentences; honorifics and abbreviations do not end one."""
    result: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start : match.start() + 1].split()
        last = before[-1].rstrip(".").casefold() if before else ""
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue
        result.append(text[start : match.end()].strip())
        start = match.end()
    if text[start:].strip():
        result.append(text[start:].strip())
    return result


def summary_of(text: str) -> str:
    """The first sentence of a paragraph, and the second too if both fit in a summary."""
    parts = sentences(text)
    if not parts:
        return text
    summary = parts[0]
    if len(parts) > 1 and len(summary) + 1 + len(parts[1]) <= _SUMMARY_MAX_CHARS:
        summary += " " + parts[1]
    return summary


def ends_in_question(text: str) -> bool:
    """True when the last sentence of the text asks something."""
    return text.rstrip(' "”’»)]').endswith("?")


def headline(title: str) -> tuple[str | None, Person | None]:
    """The headline quote and the person it is attributed to, from `Role, Name: “Quote”`."""
    match = _TITLE_QUOTE.match(title)
    if not match or match.group("close") not in _QUOTE_PAIRS[match.group("open")]:
        return None, None
    quote = match.group("quote").strip()
    name, role = split_role_and_name(match.group("person"))
    person = Person(name, role) if name else None
    return quote, person


@dataclass
class _Header:
    credit: str | None = None
    authors: list[Person] = field(default_factory=list)
    date: str | None = None
    date_line: int | None = None
    bad_date: Problem | None = None


def _read_header(paragraphs: list[Paragraph]) -> tuple[_Header, int]:
    """Header lines after the title; returns them and the index of the first body paragraph."""
    header = _Header()
    index = 0
    while index < min(len(paragraphs), _HEADER_PARAGRAPHS):
        paragraph = paragraphs[index]
        found = replace(header, authors=list(header.authors))
        if not all(
            _header_line(line, paragraph.line + offset, found)
            for offset, line in enumerate(paragraph.lines)
        ):
            break
        header = found
        index += 1
    return header, index


def _header_line(line: str, number: int, header: _Header) -> bool:
    """Record one header line in `header`; False if the line is not a header line."""
    credit = _CREDIT.match(line)
    if credit and header.credit is None and len(line) <= 200:
        header.credit = credit.group("credit").strip()
        return True
    try:
        day = parse_date_line(line)
    except NotACalendarDate as exc:
        if header.date is None and header.bad_date is None:
            header.bad_date = Problem(str(exc), number, "date", "give --date YYYY-MM-DD")
            header.date_line = number
            return True
        return False
    if day is not None:
        if header.date is not None or header.bad_date is not None:
            return False
        header.date, header.date_line = day, number
        return True
    names = parse_author_line(line)
    if names:
        header.authors.extend(Person(name, None, number) for name in names)
        return True
    return False


def _related(paragraphs: list[Paragraph], first_body: int) -> tuple[int, tuple[str, ...]]:
    """Where a trailing `Related posts` section starts, and its titles."""
    for index in range(len(paragraphs) - 1, first_body - 1, -1):
        paragraph = paragraphs[index]
        if not _RELATED.match(paragraph.lines[0]):
            continue
        titles = [*paragraph.lines[1:]]
        for later in paragraphs[index + 1 :]:
            titles.extend(later.lines)
        if all(len(title) <= _RELATED_LINE_MAX for title in titles):
            return index, tuple(titles)
        return len(paragraphs), ()
    return len(paragraphs), ()


def _label(text: str) -> str | None:
    match = _LABEL.match(text)
    if not match:
        return None
    label = match.group("label").strip()
    return label if len(label.split()) <= 4 else None


def _is_answer_label(label: str, interviewee: Person) -> bool:
    if label.casefold() in _ANSWER_LABELS:
        return True
    key = person_key(label)
    name_key = person_key(interviewee.name)
    return bool(key) and (key == name_key or key == name_key.split("-")[-1])


def _question_labels(body: list[Paragraph], interviewee: Person) -> set[str]:
    """Labels (`ANKASAM`, `Q`) that mark the interviewer's paragraphs."""
    counts: dict[str, int] = {}
    asks: set[str] = set()
    for paragraph in body:
        label = _label(paragraph.text)
        if label is None or _is_answer_label(label, interviewee):
            continue
        counts[label] = counts.get(label, 0) + 1
        if ends_in_question(paragraph.text):
            asks.add(label)
    labels: set[str] = set()
    for label, count in counts.items():
        known = label.casefold() in _QUESTION_LABELS
        letters = [c for c in label if c.isalpha()]
        capitals = bool(letters) and all(c.isupper() for c in letters)
        if known or (label in asks and (capitals or count >= 2)):
            labels.add(label)
    return labels


def _questions(body: list[Paragraph], interviewee: Person, first_allowed: int) -> set[int]:
    """Indexes of the paragraphs put to the interviewee."""
    labels = _question_labels(body, interviewee)
    if labels:
        return {
            index
            for index, paragraph in enumerate(body)
            if index >= first_allowed and _label(paragraph.text) in labels
        }
    candidates: list[int] = []
    for index, paragraph in enumerate(body):
        text = paragraph.text
        if index < first_allowed or not ends_in_question(text):
            continue
        label = _label(text)
        if label is not None and _is_answer_label(label, interviewee):
            continue
        if len(text) > _QUESTION_MAX_CHARS or len(sentences(text)) > _QUESTION_MAX_SENTENCES:
            continue  # a long paragraph that ends in a rhetorical question is an answer
        candidates.append(index)
    return _choose_questions(body, candidates, interviewee)


def _choose_questions(
    body: list[Paragraph], candidates: list[int], interviewee: Person
) -> set[int]:
    """Of asking paragraphs, those put to the interviewee.

    An answer follows each question, so two questions are never neighbours. In a row of
    asking paragraphs, a question is one that addresses the interviewee, the first row's
    first (nothing comes before it to answer), or a row's last when an answer follows it;
    the others end an answer with a rhetorical question.
    """
    runs: list[list[int]] = []
    for index in candidates:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    found: set[int] = set()
    for number, run in enumerate(runs):
        addressed = {i for i in run if _addresses(body[i].text, interviewee)}
        start = run[0] if number == 0 else None
        kept: list[int] = []
        for index in run:
            answered = index == run[-1] and index + 1 < len(body)
            if not (index in addressed or index == start or answered):
                continue
            if kept and kept[-1] == index - 1:
                previous = kept[-1]
                if index in addressed and previous not in addressed:
                    kept[-1] = index
                elif previous not in addressed and previous != start:
                    kept[-1] = index  # the later one, which the answer follows
                continue
            kept.append(index)
        found.update(kept)
    return found


def _addresses(text: str, interviewee: Person) -> bool:
    """True when a paragraph speaks to the interviewee: `you`, or their name."""
    if _SECOND_PERSON.search(text):
        return True
    surname = person_key(interviewee.name).split("-")[-1]
    return bool(surname) and surname in _folded_words(text)


def _folded_words(text: str) -> set[str]:
    return {person_key(word) for word in text.split() if word[:1].isupper()}


def _bio(body: list[Paragraph], interviewee: Person | None) -> tuple[int | None, Person | None]:
    """The interviewee's biography block (name line, role line) and the person it names."""
    for index, paragraph in enumerate(body):
        if len(paragraph.lines) != 2:
            continue
        name_line, role_line = (unicodedata.normalize("NFC", line) for line in paragraph.lines)
        if interviewee is not None:
            if person_key(name_line) and person_key(name_line) == person_key(interviewee.name):
                return index, Person(interviewee.name, _role(role_line) or interviewee.role)
            continue
        _, bare = split_honorifics(name_line)
        words = {w.strip(",.;:()").casefold() for w in role_line.split()}
        later_questions = any(ends_in_question(p.text) for p in body[index + 1 :])
        if is_name(bare) and words & ROLE_WORDS and len(role_line) <= 300 and later_questions:
            return index, Person(title_case_name(bare), _role(role_line), paragraph.line)
    return None, interviewee


def _role(line: str) -> str | None:
    """A role line as written, without a final full stop."""
    role = line.strip()
    if role.endswith(".") and not role.endswith(".."):
        role = role[:-1].rstrip()
    return role or None


def parse_text(text: str) -> ParsedText:
    """Recognise the parts of a raw article (decoded, `\\n` line ends, not blank)."""
    paragraphs = split_paragraphs(text)
    first = paragraphs[0]
    title = first.lines[0]
    rest = [Paragraph(first.lines[1:], first.line + 1)] if len(first.lines) > 1 else []
    paragraphs = rest + paragraphs[1:]
    header, first_body = _read_header(paragraphs)
    related_start, related = _related(paragraphs, first_body)
    body = paragraphs[first_body:related_start]
    quote, interviewee = headline(title)
    if interviewee is not None:
        interviewee = Person(interviewee.name, interviewee.role, first.line)
    bio_index, interviewee = _bio(body, interviewee)
    questions: set[int] = set()
    if interviewee is not None:
        if bio_index is not None:
            first_allowed = bio_index + 1
        elif body and not _SECOND_PERSON.search(body[0].text) and _label(body[0].text) is None:
            first_allowed = 1  # the lede introduces the interview
        else:
            first_allowed = 0
        questions = _questions(body, interviewee, first_allowed)
        questions.discard(bio_index if bio_index is not None else -1)
    lede = next(
        (i for i in range(len(body)) if i != bio_index and i not in questions),
        None,
    )
    return ParsedText(
        title=title,
        title_line=first.line,
        headline_quote=quote,
        credit=header.credit,
        authors=tuple(header.authors),
        date=header.date,
        date_line=header.date_line,
        bad_date=header.bad_date,
        interviewee=interviewee,
        bio_index=bio_index,
        paragraphs=tuple(body),
        questions=frozenset(questions),
        lede_index=lede,
        related=related,
    )
