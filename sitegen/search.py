"""Search: a Pagefind index of article and author pages, built before anything is written."""

from __future__ import annotations

from collections.abc import Mapping

from .config import Settings


def build_search_index(pages: Mapping[str, bytes], settings: Settings) -> dict[str, bytes]:
    """Output path -> bytes of the index files under `pagefind/`, for every indexed page.

    `pages` maps output paths of every HTML page (rendered now or kept from the
    last build) to their bytes, in any order.
    """
    return {}
