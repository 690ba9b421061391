"""The fixture site built end to end, read with a real HTML parser."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import jinja2
import pytest
from lxml import etree
from markupsafe import Markup
from support.site import SITES, build, contents, copy_site, html, snapshot, text_of

from sitegen.config import parse_settings
from sitegen.errors import BuildFailed
from sitegen.templates import make_environment
from sitegen.writer import read_manifest

BASIC = SITES / "basic"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("basic") / "output"
    result = build(BASIC, output)
    assert result.report.written > 0
    return output


@pytest.fixture(scope="module")
def subpath_site(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("basic-sub") / "output"
    build(BASIC, output, base_url="https://example.org/archive/")
    return output


def test_interview_page_shows_title_byline_interviewee_and_questions(site):
    page = html(site, "articles/early-warning/")
    assert text_of(page.cssselect("h1")[0]).startswith("Director of the Carnegie Moscow Center")
    assert "“Military Cooperation" in text_of(page.cssselect("h1")[0])  # curly quotes kept
    byline = page.cssselect(".byline a")
    assert [(a.text, a.get("href")) for a in byline] == [
        ("Kenan Ağazade", "/authors/kenan-agazade/")
    ]
    card = page.cssselect(".person-card")[0]
    assert card.cssselect("a")[0].get("href") == "/authors/dmitry-trenin/"
    assert "Director of the Carnegie Moscow Center" in text_of(card)
    questions = [text_of(q) for q in page.cssselect("p.question")]
    assert questions == ["Mr. Trenin, what will China receive?", "What will the United States do?"]
    assert text_of(page.cssselect(".photo-credit")[0]) == "Photo from South China Morning Post"
    assert page.cssselect("time")[0].text == "October 2019"
    assert page.cssselect("time")[0].get("datetime") == "2019-10"


def test_bold_paragraph_in_analysis_is_not_a_question(site):
    page = html(site, "articles/caucasus-balance/")
    assert page.cssselect("p.question") == []
    assert page.cssselect(".prose strong")


def test_link_to_source_file_becomes_article_url(site):
    page = html(site, "articles/early-warning/")
    hrefs = [a.get("href") for a in page.cssselect(".prose a")]
    assert "/articles/caucasus-balance/" in hrefs


def test_related_posts_editor_entries_first_then_computed(site):
    page = html(site, "articles/early-warning/")
    related = [a.get("href") for a in page.cssselect(".related a")]
    # By slug, then by a title written with straight quotes; the unmatched one is dropped.
    assert related[:2] == ["/articles/caucasus-balance/", "/articles/strategic-stability/"]
    assert "/articles/early-warning/" not in related
    assert "/articles/unfinished/" not in related
    assert len(related) == len(set(related))
    computed = html(site, "articles/arctic-interview/").cssselect(".related a")
    assert computed, "computed related posts fill the list"


def test_drafts_are_not_built(site):
    assert not (site / "articles/unfinished").exists()
    assert "An Unfinished Draft" not in (site / "index.html").read_text()


def test_drafts_are_built_with_flag(tmp_path):
    output = tmp_path / "out"
    build(BASIC, output, drafts=True)
    assert (output / "articles/unfinished/index.html").exists()


def test_a_link_to_a_draft_warns_when_the_draft_is_left_out(tmp_path):
    # A draft is a valid link target, but without --drafts its page is not built: the
    # link would lead a reader nowhere. The build says where it is, and --strict stops.
    site = copy_site("basic", tmp_path)
    article = site / "content/articles/caucasus-balance.md"
    text = article.read_text()
    article.write_text(text + "\nMore in [a piece in progress](unfinished.md).\n")
    line = len(text.split("\n")) + 1
    output = tmp_path / "out"
    warned = [w.format() for w in build(site, output).warnings]
    assert (
        f"content/articles/caucasus-balance.md:{line}: link: link to the draft 'unfinished', "
        "which this build leaves out (publish it, or take the link out)"
    ) in warned
    hrefs = [a.get("href") for a in html(output, "articles/caucasus-balance/").cssselect("a")]
    assert "/articles/unfinished/" in hrefs
    assert not (output / "articles/unfinished").exists()
    with pytest.raises(BuildFailed):
        build(site, tmp_path / "strict", strict=True)
    drafts = build(site, tmp_path / "drafts", drafts=True)
    assert not [w for w in drafts.warnings if w.key == "link"]
    assert (tmp_path / "drafts/articles/unfinished/index.html").exists()


def test_home_is_paginated_newest_first(site):
    first = [a.get("href") for a in html(site, "").cssselect(".card-title a")]
    second = [a.get("href") for a in html(site, "page/2/").cssselect(".card-title a")]
    assert first == ["/articles/arctic-interview/", "/articles/strategic-stability/"]
    assert second == ["/articles/caucasus-balance/", "/articles/early-warning/"]
    assert html(site, "").cssselect("a[rel=next]")[0].get("href") == "/page/2/"


def test_author_page_lists_articles_and_interviews(site):
    trenin = html(site, "authors/dmitry-trenin/")
    assert text_of(trenin.cssselect("h1")[0]) == "Dmitry Trenin"
    interviews = trenin.cssselect("#interviews-heading + .cards a")
    assert [a.get("href") for a in interviews] == ["/articles/early-warning/"]
    kenan = html(site, "authors/kenan-agazade/")
    assert "Research fellow" in text_of(kenan)
    assert "writes on Russia" in text_of(kenan.cssselect(".author-bio")[0])


def test_a_person_named_twice_in_one_article_lists_it_once(tmp_path):
    site = copy_site("basic", tmp_path / "site")
    article = site / "content/articles/caucasus-balance.md"
    article.write_text(
        article.read_text().replace(
            "authors: kenan-agazade", "authors: [kenan-agazade, kenan-agazade]"
        )
    )
    output = tmp_path / "out"
    build(site, output, search=False)
    pages = [html(output, "authors/kenan-agazade/"), html(output, "authors/kenan-agazade/page/2/")]
    assert text_of(pages[0].cssselect("#articles-heading .count")[0]) == "3"
    hrefs = [a.get("href") for page in pages for a in page.cssselect(".card-title a")]
    assert sorted(hrefs) == [
        "/articles/caucasus-balance/",
        "/articles/early-warning/",
        "/articles/strategic-stability/",
    ]
    assert not (output / "authors/kenan-agazade/page/3").exists()


def test_person_without_file_gets_a_page(site):
    page = html(site, "authors/ola-nordmann/")
    assert text_of(page.cssselect("h1")[0]) == "Ola Nordmann"


def test_taxonomy_pages(site):
    topic = html(site, "topics/military-cooperation/")
    assert text_of(topic.cssselect("h1")[0]) == "Military cooperation"
    hrefs = [a.get("href") for a in topic.cssselect(".card-title a")]
    assert hrefs == ["/articles/strategic-stability/", "/articles/early-warning/"]
    index = html(site, "topics/")
    assert index.cssselect(".terms a")
    region = html(site, "regions/russia/")
    assert len(region.cssselect(".card-title a")) == 2  # per_page = 2
    assert (site / "regions/russia/page/2/index.html").exists()


def test_archive_by_year(site):
    years = [a.text for a in html(site, "archive/").cssselect(".years a")]
    assert years == ["2022", "2021"]  # per_page = 2, newest first
    year = html(site, "archive/2019/")
    assert [a.get("href") for a in year.cssselect(".card-title a")] == ["/articles/early-warning/"]


def test_standalone_page_and_404(site):
    assert text_of(html(site, "about/").cssselect("h1")[0]) == "About"
    assert text_of(html(site, "404.html").cssselect("h1")[0]) == "Page not found"


def test_alias_redirects(site):
    page = html(site, "2019/10/trenin-interview/")
    refresh = page.cssselect("meta[http-equiv=refresh]")[0].get("content")
    assert refresh.endswith("url=/articles/early-warning/")
    redirects = (site / "_redirects").read_text().splitlines()
    assert "/2019/10/trenin-interview/index.html /articles/early-warning/ 301" in redirects


def test_feed_parses_with_absolute_links_and_offsets(site):
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    links = [entry.link for entry in feed.entries]
    assert links[0] == "https://example.org/articles/arctic-interview/"
    assert all(link.startswith("https://example.org/") for link in links)
    early = next(e for e in feed.entries if "early-warning" in e.link)
    assert early.published == "2019-10-01T00:00:00+00:00"
    content = early.content[0].value
    assert 'href="https://example.org/articles/caucasus-balance/"' in content


def test_author_and_topic_feeds(site):
    feed = feedparser.parse((site / "authors/dmitry-trenin/feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.link for e in feed.entries] == ["https://example.org/articles/early-warning/"]
    topic = feedparser.parse((site / "topics/military-cooperation/feed.xml").read_bytes())
    assert len(topic.entries) == 2


def test_sitemap_and_robots(site):
    tree = etree.fromstring((site / "sitemap.xml").read_bytes())
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {
        u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns) for u in tree
    }
    assert locs["https://example.org/articles/early-warning/"] == "2019-10-01T00:00:00+00:00"
    # A list page changed when its latest article did: of 2019-10 and 2021-06-01 09:30 +03.
    assert locs["https://example.org/topics/military-cooperation/"] == "2021-06-01T09:30:00+03:00"
    assert "https://example.org/about/" in locs
    assert not any("unfinished" in loc for loc in locs)
    assert "Sitemap: https://example.org/sitemap.xml" in (site / "robots.txt").read_text()


def test_css_is_hashed_and_referenced(site):
    page = html(site, "")
    href = page.cssselect("link[rel=stylesheet]")[0].get("href")
    assert href.startswith("/assets/css/style.") and href.endswith(".css")
    assert (site / href.lstrip("/")).is_file()
    assert not (site / "assets/css/style.css").exists()
    assert (site / "assets/favicon.svg").is_file()  # images keep their names


def test_jsonld_describes_article(site):
    page = html(site, "articles/early-warning/")
    blocks = [json.loads(s.text) for s in page.cssselect("script[type='application/ld+json']")]
    article = next(b for b in blocks if b["@type"] == "Article")
    assert article["author"][0]["name"] == "Kenan Ağazade"
    assert article["about"][0]["name"] == "Dmitry Trenin"
    assert article["datePublished"] == "2019-10-01T00:00:00+00:00"


def test_subpath_base_url_prefixes_every_internal_link(subpath_site):
    for file in subpath_site.rglob("*.html"):
        page = html(subpath_site, file.relative_to(subpath_site).as_posix())
        for element in page.xpath("//*[@href or @src]"):
            link = element.get("href") or element.get("src")
            if link.startswith(("#", "http")):
                continue
            assert link.startswith("/archive/"), f"{file}: {link}"
    feed = feedparser.parse((subpath_site / "feed.xml").read_bytes())
    assert all(e.link.startswith("https://example.org/archive/") for e in feed.entries)
    sitemap = (subpath_site / "sitemap.xml").read_text()
    assert "<loc>https://example.org/archive/articles/early-warning/</loc>" in sitemap
    assert (
        "/archive/2019/10/trenin-interview/index.html /archive/articles/early-warning/ 301"
        in (subpath_site / "_redirects").read_text()
    )


def test_builds_are_reproducible(tmp_path):
    build(BASIC, tmp_path / "a")
    build(BASIC, tmp_path / "b")
    assert contents(tmp_path / "a") == contents(tmp_path / "b")


def test_second_build_rewrites_nothing(tmp_path):
    output = tmp_path / "out"
    build(BASIC, output)
    before = snapshot(output)
    result = build(BASIC, output)
    assert result.report.written == 0
    assert snapshot(output) == before


def test_failing_build_leaves_output_untouched(tmp_path):
    site = copy_site("basic", tmp_path)
    output = tmp_path / "out"
    build(site, output)
    before = snapshot(output)
    article = site / "content/articles/caucasus-balance.md"
    article.write_text(article.read_text().replace("date: 2020-03-14", "date: yesterday"))
    with pytest.raises(BuildFailed) as failed:
        build(site, output)
    assert (
        failed.value.errors[0].format().startswith("content/articles/caucasus-balance.md:3: date:")
        or "caucasus-balance.md:3: date" in failed.value.errors[0].format()
    )
    assert snapshot(output) == before


def test_removed_article_is_deleted_and_foreign_files_kept(tmp_path):
    site = copy_site("basic", tmp_path)
    output = tmp_path / "out"
    build(site, output)
    (output / "CNAME").write_text("archive.example.org\n")
    (site / "content/articles/arctic-interview.md").unlink()
    result = build(site, output)
    assert result.report.deleted > 0
    assert not (output / "articles/arctic-interview").exists()
    assert (output / "CNAME").read_text() == "archive.example.org\n"
    manifest = read_manifest(output)
    assert "CNAME" not in manifest
    assert "index.html" in manifest


def test_strict_turns_warnings_into_errors(tmp_path):
    with pytest.raises(BuildFailed) as failed:
        build(BASIC, tmp_path / "out", strict=True)
    messages = [e.format() for e in failed.value.errors]
    assert any("no author file for 'ola-nordmann'" in m for m in messages)
    assert any("matches no article" in m for m in messages)
    assert not (tmp_path / "out").exists()


def test_long_lists_link_the_first_last_and_nearby_pages(tmp_path):
    """A list of 40 pages links each page to the first, the last and its neighbours, with a
    gap between; never to every page (which made a large archive's lists quadratic)."""
    site = tmp_path / "site"
    (site / "content/articles").mkdir(parents=True)
    (site / "sitegen.toml").write_text(
        'title = "Many pages"\nbase_url = "https://example.org/"\nper_page = 1\nsearch = false\n'
    )
    for i in range(40):
        (site / f"content/articles/a-{i:02d}.md").write_text(
            f"---\ntitle: Article {i}\ndate: 2020-01-{1 + i % 28:02d}\nauthors: [writer]\n---\n"
            f"Body {i}.\n"
        )
    output = tmp_path / "out"
    build(site, output)

    def links(path: str) -> list[str]:
        items = html(output, path).cssselect(".pagination li")
        return [text_of(li).replace("Page ", "") for li in items]

    assert links("") == ["1", "2", "3", "…", "40", "Older →"]
    assert links("page/20/") == [
        "← Newer", "1", "…", "18", "19", "20", "21", "22", "…", "40", "Older →"
    ]  # fmt: skip
    assert links("page/5/") == ["← Newer", "1", "…", "3", "4", "5", "6", "7", "…", "40", "Older →"]
    current = html(output, "page/20/").cssselect(".pagination a[aria-current=page]")
    assert [a.get("href") for a in current] == ["/page/20/"]


def test_content_files_are_the_same_whether_listed_or_taken_from_the_input_stamps(tmp_path):
    # A build that has just stamped every input lists the content files from those stamps
    # instead of reading the folders again; which files count must not change.
    from sitegen.buildstate import BuildOptions, input_signature
    from sitegen.loader import list_source_files

    site = copy_site("basic", tmp_path)
    articles = site / "content/articles"
    (articles / ".hidden.md").write_text("---\ntitle: x\n---\n")
    (articles / "notes.txt").write_text("not content")
    (articles / "drafts").mkdir()
    (articles / "drafts/nested.md").write_text("---\ntitle: x\n---\n")  # not listed: nested
    (articles / "folder.md").mkdir()  # a folder, not a file
    (articles / "linked.md").symlink_to(next(articles.glob("a*.md")))
    (articles / "broken.md").symlink_to(articles / "nowhere.md")
    listed = list_source_files(site)
    stamped = list_source_files(site, input_signature(BuildOptions(site)).files)
    assert stamped == listed
    names = [source.shown for source in listed]
    assert "content/articles/linked.md" in names
    assert not {".hidden.md", "notes.txt", "nested.md", "folder.md", "broken.md"} & {
        name.rsplit("/", 1)[1] for name in names
    }


def test_articles_in_a_linked_folder_are_built_and_their_edits_seen(tmp_path):
    # `content/articles` may be a link to a folder kept elsewhere: its files are inputs
    # like any other, so an edit inside it must not pass for "nothing to do". A link
    # back up the tree is not followed round and round.
    site = copy_site("basic", tmp_path)
    kept = tmp_path / "shared-articles"
    (site / "content/articles").rename(kept)
    (site / "content/articles").symlink_to(kept, target_is_directory=True)
    (kept / "loop").symlink_to(kept, target_is_directory=True)
    output = tmp_path / "out"
    first = build(site, output, search=False)
    assert "Arctic" in text_of(html(output, "articles/arctic-interview/"))
    article = kept / "arctic-interview.md"
    article.write_text(article.read_text() + "\nA late correction.\n")
    again = build(site, output, search=False)
    assert again.report.written > 0, "the edit was taken for nothing to do"
    assert "A late correction." in text_of(html(output, "articles/arctic-interview/"))
    assert again.pages == first.pages


def _theme_environment(folder):
    """sitegen's template environment for a site with no settings of its own."""
    settings = parse_settings('title = "T"\nbase_url = "https://example.org/"\n')
    return make_environment([folder], settings, lambda name: name)


def test_theme_templates_read_front_matter_extra_as_jinja_does(tmp_path):
    # The environment looks keys of plain dicts up first, for speed: a theme must still get a
    # dict's methods by their names, keys by theirs, and undefined for a missing key.
    env = _theme_environment(tmp_path)
    template = env.from_string(
        "{{ extra.title }}|{{ extra['items'] }}|{{ extra.items() | list | length }}"
        "|{{ extra.subtitle is defined }}|{% for key in extra.keys() %}{{ key }} {% endfor %}"
    )
    assert template.render(extra={"title": "Q&A", "items": 3}) == "Q&amp;A|3|2|False|title items "


def test_theme_template_calls_behave_as_jinja_makes_them(tmp_path):
    # The environment calls functions without Jinja's probes for `pass_context`, for speed:
    # a function that asks for the context must still get it, in loops too, and a call that
    # raises StopIteration must still come out undefined.
    env = _theme_environment(tmp_path)

    @jinja2.pass_context
    def who(context, greeting="Hi"):
        return f"{greeting} {context['name']}"

    def stop():
        raise StopIteration

    functions = {"who": who, "twice": lambda x: x * 2, "stop": stop}
    env.globals.update(functions)
    source = (
        "{{ who() }}|{{ twice(2) }}|{{ 'ab'.upper() }}|{{ url('x/') }}"
        "{% for n in [1] %}|{{ who(greeting='Yo') }}|{{ twice(n) }}{% endfor %}"
        "|{{ stop() is defined }}"
    )
    assert env.from_string(source).render(name="N&M") == "Hi N&amp;M|4|AB|/x/|Yo N&amp;M|2|False"


def test_theme_templates_print_values_escaped_as_jinja_prints_them(tmp_path):
    # Plain strings are escaped without markupsafe.escape's Python frames, for speed: every
    # kind of value must still print as Jinja's own environment prints it.
    ours = _theme_environment(tmp_path)
    jinjas = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)

    class Html:
        def __html__(self):
            return "<b>made</b>"

    class Text(str):  # as front matter values are (frontmatter_yaml.Text)
        pass

    values = {
        "plain": "<script>alert('x') & \"q\"</script>",
        "safe": Markup("<em>kept</em>"),
        "subclass": Text("a < b"),
        "number": 3,
        "html": Html(),
        "listed": ["<li>"],
        "nothing": None,
    }
    source = (
        "".join(f"[{{{{ {name} }}}}]" for name in values)
        + "{% block b %}[{{ plain }}]{% endblock %}"
    )
    printed = ours.from_string(source).render(values)
    assert printed == jinjas.from_string(source).render(values)
    assert "&lt;script&gt;alert(&#39;x&#39;) &amp; &#34;q&#34;&lt;/script&gt;" in printed
    assert "[<em>kept</em>]" in printed and "[<b>made</b>]" in printed
