"""ASCII slugs for articles, people and terms."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from slugify import slugify as _slugify

# Letters that transliteration tables drop or turn into odd ASCII; mapped first
# so Turkish and Azerbaijani names give the slugs a reader expects.
_PRE_MAP = str.maketrans(
    {
        "ə": "e", "Ə": "E", "ı": "i", "İ": "I", "ş": "s", "Ş": "S", "ğ": "g", "Ğ": "G",
        "ç": "c", "Ç": "C", "ö": "o", "Ö": "O", "ü": "u", "Ü": "U", "–": "-", "—": "-",
        "’": "", "'": "", "‘": "",
    }
)  # fmt: skip

SLUG_RE = re.compile(r"^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$")


# Remembered: a build asks again and again for the same few hundred names and headings
# (each citation's key, each "## Background"), and python-slugify takes 0.1 ms a call.
@lru_cache(maxsize=16384)
def slugify(text: str, max_length: int = 80) -> str:
    """An ASCII slug of letters, digits and `-`, cut at a word boundary."""
    text = unicodedata.normalize("NFC", text).translate(_PRE_MAP)
    slug = _slugify(text, max_length=max_length, word_boundary=True, save_order=True)
    if not slug and any(c.isalnum() for c in text):
        # Letters no transliteration table knows (rare scripts, CJK extensions) still
        # give a stable ASCII slug: their code points.
        slug = "-".join(f"u{ord(c):x}" for c in text if c.isalnum())[:max_length].strip("-")
    return slug


def is_valid_slug(slug: str) -> bool:
    """True for slugs the contract allows: ASCII letters, digits and single `-`."""
    return bool(SLUG_RE.fullmatch(slug))
