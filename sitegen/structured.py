"""schema.org JSON-LD for articles, people and breadcrumbs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .model import Article, Author


def person(author: Author, url: str) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "Person", "name": author.name, "url": url}
    if author.role:
        data["jobTitle"] = author.role
    if author.affiliation:
        data["affiliation"] = {"@type": "Organization", "name": author.affiliation}
    if author.links:
        data["sameAs"] = sorted(author.links.values())
    return data


def article_data(
    article: Article,
    *,
    url: str,
    summary: str,
    authors: Sequence[dict[str, Any]],
    interviewees: Sequence[dict[str, Any]],
    publisher: str,
    publisher_url: str,
    image_url: str | None,
    language: str,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle" if article.type == "news" else "Article",
        "headline": article.title,
        "description": summary,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": language,
        "author": list(authors),
        "publisher": {"@type": "Organization", "name": publisher, "url": publisher_url},
        "articleSection": article.type,
    }
    if article.date:
        data["datePublished"] = article.date.isoformat()
    if article.updated:
        data["dateModified"] = article.updated.isoformat()
    if interviewees:
        data["about"] = list(interviewees)
    keywords = [term for terms in article.terms.values() for term in terms]
    if keywords:
        data["keywords"] = keywords
    if image_url:
        data["image"] = image_url
    return data


def person_page(author_data: dict[str, Any]) -> dict[str, Any]:
    return {"@context": "https://schema.org", **author_data}


def breadcrumbs(trail: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """A BreadcrumbList from (name, absolute URL) pairs."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": url}
            for i, (name, url) in enumerate(trail, start=1)
        ],
    }
