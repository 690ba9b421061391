"""People in raw text: honorifics, name case, role and name, matching existing author files."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SitegenError
from ..frontmatter_yaml import parse_front_matter
from ..slugs import slugify

# Titles that precede a name and stay out of it and of the slug; compared case-folded
# without their final dot. Turkish academic titles are here because the archive's
# interviews use them (`Doç. Dr.`, `Dr. Öğr. Üyesi`).
_HONORIFIC_WORDS = frozenset(
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "assoc", "associate",
        "asst", "assist", "assistant", "ambassador", "amb", "sir", "dame", "h.e",
        "excellency", "hon", "rev", "gen", "col", "lt", "maj", "capt", "adm", "doç",
        "yrd", "öğr", "üyesi", "gör", "arş", "sn", "prof.dr", "assoc.prof", "assoc.prof.dr",
    }
)  # fmt: skip
_HONORIFIC_PREFIX_ONLY = frozenset({"his", "her"})  # `His Excellency`
_SUFFIXES = frozenset({"phd", "ph.d", "ph. d"})
# Lower-case words that belong inside names.
PARTICLES = frozenset(
    {
        "van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "la", "le", "bin",
        "ibn", "al", "el", "ben", "ter", "ten", "y", "dos", "das", "do", "zu", "bint", "ul",
    }
)  # fmt: skip
# Words that say a phrase is a role or an institution, not a person's name.
ROLE_WORDS = frozenset(
    {
        "director", "professor", "fellow", "analyst", "expert", "chairman", "chairwoman",
        "chair", "president", "head", "minister", "ambassador", "advisor", "adviser",
        "researcher", "research", "lecturer", "editor", "journalist", "member", "secretary",
        "deputy", "former", "senior", "chief", "founder", "ceo", "scholar", "dean", "rector",
        "officer", "manager", "coordinator", "specialist", "consultant", "general", "governor",
        "mayor", "senator", "representative", "commissioner", "spokesperson", "spokesman",
        "envoy", "counsellor", "counselor", "diplomat", "academician", "associate",
        "assistant", "political", "military", "economic", "center", "centre", "university",
        "institute", "council", "foundation", "ministry", "agency", "program", "programme",
        "department", "faculty", "school", "college", "academy", "association", "society",
        "group", "committee", "commission", "office", "company", "bank", "organization",
        "organisation", "forum", "club", "corporation", "service", "studies", "policy",
        "affairs", "relations", "parliament", "assembly", "government", "party", "union",
        "federation", "republic", "embassy", "lab", "laboratory", "initiative", "network",
        "board", "staff", "team", "desk", "newsroom", "correspondent", "writer",
        "author", "contributor", "intern", "student", "candidate", "lawyer", "economist",
        "historian", "politician", "leader", "commander", "colonel", "advisory",
    }
)  # fmt: skip
# Words that never appear in a name; a phrase containing one is not a person.
_NOT_NAME_WORDS = frozenset(
    {
        "the", "a", "an", "and", "or", "of", "in", "on", "at", "for", "to", "with", "from",
        "by", "is", "are", "was", "were", "its", "this", "that", "these", "those", "it",
        "interview", "analysis", "commentary", "report", "news", "exclusive", "introduction",
        "summary", "abstract", "photo", "image", "source", "related", "posts", "contents",
        "conclusion", "part", "chapter", "section", "note", "notes", "editorial", "updated",
        "published", "posted", "date", "january", "february", "march", "april", "may",
        "june", "july", "august", "september", "october", "november", "december", "we",
        "i", "you", "he", "she", "they", "our", "my", "his", "her", "their", "not", "no",
        "yes", "but", "if", "as", "so", "all", "new", "how", "what", "why", "who", "when",
        "where", "which", "will", "can", "has", "have", "had", "be", "been", "more", "less",
    }
)  # fmt: skip
_NAME_WORD = re.compile(r"^[^\W\d_]+(?:[.'’\-][^\W\d_]+)*[.]?$")
_TURKISH_MARKERS = frozenset("ĞğŞşİıƏə")
_ROMAN = frozenset({"II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII"})


def _bare(word: str) -> str:
    return word.strip(",;:").rstrip(".").casefold()


def split_honorifics(name: str) -> tuple[str, str]:
    """`("Assoc. Prof. Dr.", "Nargiza Murataliyeva")` from the name as written."""
    words = name.split()
    taken = 0
    while taken < len(words):
        bare = _bare(words[taken])
        if bare in _HONORIFIC_WORDS or bare.replace(" ", "") in _HONORIFIC_WORDS:
            taken += 1
        elif (
            bare in _HONORIFIC_PREFIX_ONLY
            and taken + 1 < len(words)
            and _bare(words[taken + 1]) == "excellency"
        ):
            taken += 2
        else:
            break
    if taken == len(words):  # a bare `Dr.` is not a name; keep what was written
        return "", name.strip()
    rest = words[taken:]
    while len(rest) > 1 and _bare(rest[-1]) in _SUFFIXES:
        rest = rest[:-1]
    if rest:
        rest[-1] = rest[-1].rstrip(",")
    return " ".join(words[:taken]), " ".join(rest)


def strip_honorifics(name: str) -> str:
    """The name without leading titles such as `Dr.`, `Prof.` or `Ambassador`."""
    return split_honorifics(name)[1]


def person_key(name: str) -> str:
    """The form names are matched by: honorifics, case, diacritics and punctuation ignored."""
    return slugify(strip_honorifics(name), max_length=0)


def starts_with_honorific(text: str) -> bool:
    """True when the text opens with a title such as `Dr.` or `Assoc. Prof.`."""
    honorific, rest = split_honorifics(text)
    return bool(honorific) and bool(rest)


def _is_caps_word(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _lower(text: str, turkish: bool) -> str:
    if turkish:
        text = text.replace("I", "ı")
    return text.replace("İ", "i").lower()


def _upper(text: str, turkish: bool) -> str:
    if turkish:
        text = text.replace("i", "İ")
    return text.replace("ı", "I").upper()


def _title_segment(segment: str, turkish: bool) -> str:
    if not segment:
        return segment
    return _upper(segment[0], turkish) + _lower(segment[1:], turkish)


def _title_word(word: str, turkish: bool) -> str:
    return "".join(_title_segment(part, turkish) for part in re.split(r"([\-'’.])", word))


def title_case_name(name: str) -> str:
    """Title-case name words written in capitals (or a name written all in lower case).

    Turkish and Azerbaijani rules apply when the name shows their letters: `AĞAZADE`
    gives `Ağazade`, `İSMAYILOV` gives `İsmayılov`; `SMITH` gives `Smith`.
    """
    turkish = any(c in _TURKISH_MARKERS for c in name)
    words = name.split()
    all_lower = all(not c.isupper() for c in name)
    result: list[str] = []
    if len(words) == 1 and _is_caps_word(name):  # `ANKASAM`: an acronym, not a name in capitals
        return name
    for index, word in enumerate(words):
        if word in _ROMAN:
            result.append(word)
        elif _is_caps_word(word) or (all_lower and any(c.isalpha() for c in word)):
            lowered = _lower(word, turkish)
            if 0 < index < len(words) - 1 and lowered in PARTICLES:
                result.append(lowered)
            else:
                result.append(_title_word(word, turkish))
        else:
            result.append(word)
    return " ".join(result)


def is_name(text: str, min_words: int = 2, max_words: int = 5) -> bool:
    """True when the text reads as a person's name (honorifics already removed)."""
    words = text.split()
    if not min_words <= len(words) <= max_words:
        return False
    all_lower = all(not c.isupper() for c in text)
    for index, word in enumerate(words):
        if not _NAME_WORD.match(word):
            return False
        bare = _bare(word)
        if bare in _NOT_NAME_WORDS or bare in ROLE_WORDS:
            return False
        first = word[0]
        if first.isupper() or all_lower:
            continue
        if bare in PARTICLES and 0 < index < len(words) - 1:
            continue
        if "-" in word and word.split("-", 1)[0] in PARTICLES:  # al-Assad
            continue
        return False
    return True


def _trailing_name(text: str) -> tuple[str | None, str | None]:
    """`("Justus Nam", "Research Fellow at … (LUCC)")` from a role run into a name."""
    words = text.split()
    run: list[str] = []
    for word in reversed(words):
        bare = _bare(word)
        if (
            _NAME_WORD.match(word)
            and word[0].isupper()
            and bare not in ROLE_WORDS
            and bare not in _NOT_NAME_WORDS
            and len(run) < 3
        ):
            run.insert(0, word)
        else:
            break
    if run and _is_caps_word(run[-1]):  # `… of Azerbaijan ELMAR MƏMMƏDYAROV`
        while run and not _is_caps_word(run[0]):
            run = run[1:]
    else:  # a role runs straight into the name: most names have two words
        run = [word for word in run if not _is_caps_word(word)][-2:]
    if len(run) < 2:
        return None, None
    role = " ".join(words[: len(words) - len(run)]).strip(" ,;:–—-") or None
    return " ".join(run), role


def split_role_and_name(person: str) -> tuple[str | None, str | None]:
    """`(name, role)` from the part of a title before the quote; `(None, None)` if no name.

    Handles `Role, Name`, `Name, Role`, `Role Name`, and honorifics anywhere before the name.
    """
    person = unicodedata.normalize("NFC", " ".join(person.split())).strip(" ,;:–—-")
    if not person:
        return None, None
    parts = [part.strip() for part in person.split(",") if part.strip()]
    if len(parts) > 1:
        order = sorted(
            range(len(parts)),
            key=lambda i: (not starts_with_honorific(parts[i]), i != len(parts) - 1, i),
        )
        for index in order:
            name = _name_in(parts[index])
            if name is not None:
                role = ", ".join(parts[:index] + parts[index + 1 :]) or None
                return name, role
    # No comma, or no part that is a name alone: `Role Name`, `Role Dr. Name`, `Name`.
    for start in _honorific_starts(person):
        name = _name_in(person[start:])
        if name is not None:
            return name, person[:start].strip(" ,;:–—-") or None
    name = _name_in(person)
    if name is not None:
        return name, None
    trailing, role = _trailing_name(person)
    if trailing is not None and is_name(trailing):
        return title_case_name(trailing), role
    return None, None


def _honorific_starts(text: str) -> list[int]:
    """Offsets of words where an honorific sequence begins, last first."""
    starts: list[int] = []
    previous_was_honorific = False
    for match in re.finditer(r"\S+", text):
        honorific = _bare(match.group()) in _HONORIFIC_WORDS
        if honorific and not previous_was_honorific:
            starts.append(match.start())
        previous_was_honorific = honorific
    return list(reversed(starts))


def _name_in(text: str) -> str | None:
    """The name if the whole text is one (after honorifics), title-cased; else None."""
    honorific, rest = split_honorifics(text)
    if not rest:
        return None
    if is_name(rest, min_words=1 if honorific else 2):
        return title_case_name(rest)
    return None


_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.IGNORECASE)
_BY = re.compile(r"^by\b[\s:]*", re.IGNORECASE)


def parse_author_line(line: str) -> list[str] | None:
    """Author names from a byline (`By A, B and C`, any case); None if it is not one."""
    text = unicodedata.normalize("NFC", " ".join(line.split()))
    if not text or len(text) > 160 or any(c.isdigit() for c in text):
        return None
    has_by = bool(_BY.match(text))
    rest = _BY.sub("", text, count=1)
    names: list[str] = []
    for part in _SEPARATORS.split(rest):
        part = part.strip()
        if not part:
            continue
        honorific, bare = split_honorifics(part)
        if not bare:
            return None
        min_words = 1 if (has_by or honorific) else 2
        if not is_name(bare, min_words=min_words, max_words=6):
            return None
        names.append(title_case_name(bare))
    return names or None


@dataclass
class KnownAuthor:
    """An author file already on disk, or one this import will write."""

    slug: str
    name: str
    path: Path | None
    aliases: tuple[str, ...] = ()
    planned: bool = False


@dataclass
class AuthorIndex:
    """Existing author files, matched by name or alias; grows with the files an import plans."""

    authors: list[KnownAuthor] = field(default_factory=list)
    by_key: dict[str, KnownAuthor] = field(default_factory=dict)
    unreadable: list[SitegenError] = field(default_factory=list)

    @classmethod
    def from_folder(cls, folder: Path) -> AuthorIndex:
        """Index `content/authors/*.md`; a file that cannot be read is noted, not fatal."""
        index = cls()
        if not folder.is_dir():
            return index
        for path in sorted(folder.glob("*.md")):
            try:
                text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
                fm = parse_front_matter(text, str(path))
            except (OSError, UnicodeDecodeError, SitegenError) as exc:
                message = exc.message if isinstance(exc, SitegenError) else str(exc)
                index.unreadable.append(SitegenError(message, path))
                # The slug is still taken, so it must match by file name.
                index.add(KnownAuthor(path.stem, path.stem, path))
                continue
            name = fm.data.get("name")
            aliases = fm.data.get("aliases") or ()
            if isinstance(aliases, str):
                aliases = (aliases,)
            elif not isinstance(aliases, list):
                aliases = ()
            index.add(
                KnownAuthor(
                    path.stem,
                    str(name) if isinstance(name, str) else path.stem,
                    path,
                    tuple(str(a) for a in aliases if isinstance(a, str)),
                )
            )
        return index

    def add(self, author: KnownAuthor) -> None:
        """Register an author under its slug, its name and each alias."""
        self.authors.append(author)
        for key in (author.slug, person_key(author.name), *map(person_key, author.aliases)):
            if key:
                self.by_key.setdefault(key, author)

    def find(self, name: str) -> KnownAuthor | None:
        """The author whose slug, name or alias matches `name`, ignoring case and accents."""
        return self.by_key.get(person_key(name))

    def near_misses(self, name: str) -> list[KnownAuthor]:
        """Authors whose name is close to `name` without matching: a likely other spelling."""
        key = person_key(name)
        words = key.split("-")
        found: list[KnownAuthor] = []
        for author in self.authors:
            if author.planned:
                continue
            for other in (author.name, *author.aliases):
                other_key = person_key(other)
                other_words = other_key.split("-")
                ratio = difflib.SequenceMatcher(None, key, other_key).ratio()
                same_surname = (
                    len(words) > 1
                    and len(other_words) > 1
                    and words[-1] == other_words[-1]
                    and words[0][:1] == other_words[0][:1]
                )
                if key != other_key and (ratio >= 0.85 or same_surname):
                    found.append(author)
                    break
        return found
