"""From recognised text to the content of an article file and its people's author files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config import Settings
from ..dates import parse_archive_date
from ..errors import ImportError_, SitegenError, Warning_
from ..loader import parse_article
from ..model import ARTICLE_TYPES
from ..slugs import is_valid_slug, slugify
from .escape import escape_paragraph, strong_paragraph
from .frontmatter import DateText, as_file, reads_back
from .options import ImportOptions
from .parse import ParsedText, Person
from .people import AuthorIndex, KnownAuthor


@dataclass
class AuthorPlan:
    """An author file to create: the person was not found among the existing ones."""

    slug: str
    text: str


@dataclass
class ArticlePlan:
    """Everything one input file turns into, before any collision checks."""

    source: str
    slug: str
    text: str
    authors: list[AuthorPlan] = field(default_factory=list)
    existing_authors: list[KnownAuthor] = field(default_factory=list)
    hints: list[Warning_] = field(default_factory=list)
    draft: bool = False


def article_type(parsed: ParsedText, options: ImportOptions) -> str:
    """`--type`, else `interview` when the text has an interviewee and questions."""
    if options.type:
        return options.type
    return "interview" if parsed.interviewee and parsed.questions else "analysis"


def article_slug(parsed: ParsedText, options: ImportOptions) -> str:
    """`--slug`, else from the headline quote, else from the title; may be empty."""
    if options.slug:
        return options.slug
    for text in (parsed.headline_quote, parsed.title):
        if text and slugify(text):
            return slugify(text)
    return ""


def body_markdown(parsed: ParsedText, interview: bool) -> str:
    """The article body: every paragraph as written and escaped; questions in `**…**`."""
    blocks: list[str] = []
    for index, paragraph in enumerate(parsed.paragraphs):
        if interview and index == parsed.bio_index:
            continue  # moved into the interviewee's author file
        if interview and index in parsed.questions:
            blocks.append(strong_paragraph(list(paragraph.lines)))
        else:
            blocks.append(escape_paragraph(list(paragraph.lines)))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def author_file(person: Person) -> tuple[dict[str, Any], str]:
    """Front matter and text of a new author file: the name, and the role if known."""
    data: dict[str, Any] = {"name": person.name}
    if person.role:
        data["role"] = person.role
    return data, as_file(data, "")


def compose_article(
    source: str,
    parsed: ParsedText,
    options: ImportOptions,
    settings: Settings,
    people: AuthorIndex,
) -> ArticlePlan:
    """The article file for one parsed text; raises ArticleProblems listing what stops it."""
    problems: list[SitegenError] = []

    def fail(
        message: str, line: int | None = None, key: str | None = None, hint: str | None = None
    ) -> None:
        problems.append(ImportError_(message, source, line, key, hint))

    kind = article_type(parsed, options)
    interview = kind == "interview"
    if interview and parsed.interviewee is None:
        fail(
            "an interview needs an interviewee, and none was found",
            parsed.title_line,
            "interviewees",
            "write the title as `Role, Name: “Quote”`, or give another --type",
        )
    if not parsed.authors:
        fail(
            "no author line found",
            None,
            "authors",
            "put the author's name on its own line under the title, e.g. `By Jane Doe`",
        )
    date = options.date or parsed.date
    if options.date is None and parsed.bad_date is not None:
        bad = parsed.bad_date
        fail(bad.message, bad.line, bad.key, bad.hint)
    slug = article_slug(parsed, options)
    if not slug:
        fail("cannot make an ASCII slug from the title", parsed.title_line, "slug", "give --slug")
    if problems:
        raise ArticleProblems(problems)

    plan = ArticlePlan(source=source, slug=slug, text="", draft=date is None)
    if options.date and parsed.date and parsed.date != options.date:
        plan.hints.append(
            Warning_(
                f"the text's date line says {parsed.date}; --date {options.date} is used",
                source,
                parsed.date_line,
                "date",
            )
        )
    author_slugs = [_person_slug(p, source, people, plan, "authors") for p in parsed.authors]
    interviewee_slugs: list[str] = []
    if interview and parsed.interviewee is not None:
        interviewee = parsed.interviewee
        interviewee_slugs = [_person_slug(interviewee, source, people, plan, "interviewees")]

    data: dict[str, Any] = {"title": parsed.title}
    if date is not None:
        data["date"] = DateText(date)
    else:
        data["draft"] = True
    data["type"] = kind
    data["authors"] = list(dict.fromkeys(author_slugs))
    if interviewee_slugs:
        data["interviewees"] = interviewee_slugs
    summary = parsed.summary()
    if summary:
        data["summary"] = summary
    for taxonomy, terms in (("topics", options.topics), ("regions", options.regions)):
        if terms:
            data[taxonomy] = list(terms)
    if parsed.credit:
        data["image"] = {"credit": parsed.credit}
    if parsed.related:
        data["related"] = list(parsed.related)
    plan.text = as_file(data, body_markdown(parsed, interview))
    _check_reads_back(plan, data, settings)
    return plan


class ArticleProblems(Exception):
    """Problems of one input, to be gathered with those of the others."""

    def __init__(self, problems: list[SitegenError]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def _person_slug(
    person: Person, source: str, people: AuthorIndex, plan: ArticlePlan, key: str
) -> str:
    """The slug of a person: an existing author's, else a new author file's."""
    known = people.find(person.name)
    if known is not None:
        if known.path is not None and known not in plan.existing_authors:
            plan.existing_authors.append(known)
        return known.slug
    slug = slugify(person.name)
    if not slug:
        raise ArticleProblems(
            [
                ImportError_(
                    f"cannot make an ASCII slug from the name {person.name!r}",
                    source,
                    person.line,
                    key,
                    "add an author file with this name in its aliases",
                )
            ]
        )
    for other in people.near_misses(person.name):
        plan.hints.append(
            Warning_(
                f"{person.name!r} is not {other.name!r} (authors/{other.slug}.md), "
                f"so authors/{slug}.md is a new author file",
                source,
                person.line,
                key,
                f"if they are the same person, add {person.name!r} to the aliases in "
                f"authors/{other.slug}.md, remove authors/{slug}.md, and import again "
                "with --force",
            )
        )
    _, text = author_file(person)
    plan.authors.append(AuthorPlan(slug, text))
    people.add(KnownAuthor(slug, person.name, None, planned=True))
    return slug


def _check_reads_back(plan: ArticlePlan, data: dict[str, Any], settings: Settings) -> None:
    """The build's loader must read the file back as written; anything else is our bug."""
    shown = f"content/articles/{plan.slug}.md"
    try:
        article = parse_article(shown, plan.text, plan.slug, settings)
    except SitegenError as exc:
        raise ArticleProblems(
            [ImportError_(f"the article would not load: {exc.format()}", plan.source)]
        ) from None
    if not reads_back(data, plan.text) or article.title != data["title"]:
        raise ArticleProblems(
            [ImportError_("the article's front matter would not read back as written", plan.source)]
        )


def check_options(options: ImportOptions, settings: Settings, inputs: int) -> list[SitegenError]:
    """Problems with the options themselves, each named after its option."""
    problems: list[SitegenError] = []
    if options.date is not None:
        shape_ok = len(options.date) in (7, 10) and options.date[4:5] == "-"
        try:
            if not shape_ok:
                raise ValueError(f"{options.date!r} is not a date")
            parse_archive_date(options.date, settings.timezone)
        except ValueError as exc:
            problems.append(ImportError_(str(exc), "--date", hint="use YYYY-MM-DD or YYYY-MM"))
    if options.type is not None and options.type not in ARTICLE_TYPES:
        problems.append(
            ImportError_(
                f"unknown type {options.type!r}",
                "--type",
                hint="one of " + ", ".join(ARTICLE_TYPES),
            )
        )
    if options.slug is not None:
        if not is_valid_slug(options.slug):
            problems.append(
                ImportError_(
                    f"{options.slug!r} is not a valid slug",
                    "--slug",
                    hint="ASCII letters, digits and single dashes",
                )
            )
        if inputs > 1:
            problems.append(
                ImportError_("applies to one input file only", "--slug", hint=f"{inputs} given")
            )
    for taxonomy, terms in (("topics", options.topics), ("regions", options.regions)):
        option = "--topic" if taxonomy == "topics" else "--region"
        if terms and taxonomy not in settings.taxonomies:
            problems.append(
                ImportError_(
                    f"the site has no taxonomy {taxonomy!r}",
                    option,
                    hint="taxonomies in sitegen.toml: " + ", ".join(settings.taxonomies),
                )
            )
        for term in terms:
            if not term.strip():
                problems.append(ImportError_("an empty term", option))
    return problems
