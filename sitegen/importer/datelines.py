"""Publication-date lines near the top of raw text: `July 1, 2020`, `01.07.2020` and the like."""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan", "ocak"),
            ("february", "feb", "şubat", "subat"),
            ("march", "mar", "mart"),
            ("april", "apr", "nisan"),
            ("may", "mayıs", "mayis"),
            ("june", "jun", "haziran"),
            ("july", "jul", "temmuz"),
            ("august", "aug", "ağustos", "agustos"),
            ("september", "sep", "sept", "eylül", "eylul"),
            ("october", "oct", "ekim"),
            ("november", "nov", "kasım", "kasim"),
            ("december", "dec", "aralık", "aralik"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[^\W\d_]+)\.?"
_PREFIX = r"(?:(?:published|posted|date|dated|updated)(?:\s+on)?\s*:?\s*)?"
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
_PATTERNS = [
    re.compile(rf"^{_PREFIX}{_WEEKDAY}{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})$", re.I),
    re.compile(rf"^{_PREFIX}{_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\.?\s+{_MONTH},?\s+(?P<year>\d{{4}})$", re.I),
    re.compile(rf"^{_PREFIX}{_MONTH},?\s+(?P<year>\d{{4}})$", re.I),
    re.compile(rf"^{_PREFIX}(?P<year>\d{{4}})[-/](?P<nmonth>\d{{1,2}})[-/](?P<day>\d{{1,2}})$", re.I),
    re.compile(rf"^{_PREFIX}(?P<day>\d{{1,2}})\.(?P<nmonth>\d{{1,2}})\.(?P<year>\d{{4}})$", re.I),
]  # fmt: skip


class NotACalendarDate(ValueError):
    """A line shaped like a date that names no day of the calendar (`31.02.2020`)."""


def parse_date_line(line: str) -> str | None:
    """`YYYY-MM-DD` (or `YYYY-MM` for `July 2020`) from a date line; None if it is not one.

    Raises NotACalendarDate for a date-shaped line such as `February 30, 2020`.
    """
    text = " ".join(line.split()).rstrip(".")
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        groups = match.groupdict()
        if groups.get("month") is not None:
            month = _MONTHS.get(groups["month"].casefold())
            if month is None:
                continue
        else:
            month = int(groups["nmonth"])
        year = int(groups["year"])
        if groups.get("day") is None:
            if not 1 <= month <= 12:
                raise NotACalendarDate(f"{line.strip()!r} has no month {month}")
            return f"{year:04d}-{month:02d}"
        try:
            return date(year, month, int(groups["day"])).isoformat()
        except ValueError:
            raise NotACalendarDate(f"{line.strip()!r} is not a day of the calendar") from None
    return None
