"""Archive dates: `YYYY-MM`, `YYYY-MM-DD` or an ISO 8601 datetime, in the site's zone."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

import babel
from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from .model import ArchiveDate

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_archive_date(text: str, timezone: str) -> ArchiveDate:
    """Parse one of the contract's date forms; raise ValueError with a reader's reason."""
    text = text.strip()
    zone = _zone(timezone)
    month = _MONTH_RE.match(text)
    if month:
        year, number = int(month.group(1)), int(month.group(2))
        if not 1 <= number <= 12:
            raise ValueError(f"{text!r} has no month {number}")
        return ArchiveDate(datetime(year, number, 1, tzinfo=zone), "month", text)
    if _DAY_RE.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a day of the calendar") from None
        return ArchiveDate(datetime.combine(day, time(), tzinfo=zone), "day", text)
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{text!r} is not a valid date and time") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        return ArchiveDate(moment, "datetime", text)
    raise ValueError(f"{text!r} is not a date")


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


# Every date formatted in this process: (day, pattern, language) -> text. Babel takes a
# tenth of a millisecond a date, and loading its locale data for the first one 50 ms; an
# archive has a few thousand distinct days, each shown on many cards. A build keeps them
# in its cache (`formatted_dates`, `remember_dates`), so that the next build, which shows
# a few of them again, does not load Babel's data at all.
_FORMATTED: dict[tuple[date, str, str], str] = {}
_NEW: list[tuple[date, str, str]] = []  # formatted since `new_dates` was last asked


def _format(moment: date, pattern: str, language: str) -> str:
    key = (moment, pattern, language)
    text = _FORMATTED.get(key)
    if text is None:
        text = _FORMATTED[key] = format_date(moment, pattern, locale=_locale(language))
        _NEW.append(key)
    return text


def new_dates() -> dict[tuple[date, str, str], str]:
    """The dates formatted in this process since the last call (a render worker's, for the
    build's own process to keep)."""
    new = {key: _FORMATTED[key] for key in _NEW}
    _NEW.clear()
    return new


def formatted_dates() -> tuple[str, dict[tuple[date, str, str], str]]:
    """Every date formatted so far, with the Babel version that formatted them."""
    return babel.__version__, dict(_FORMATTED)


def forget_dates() -> None:
    """Drop the dates formatted so far, as a new process starts without them."""
    _FORMATTED.clear()
    _NEW.clear()


def add_dates(formatted: dict[tuple[date, str, str], str]) -> None:
    """Dates a worker formatted (`new_dates`), for this process to keep."""
    _FORMATTED.update(formatted)


def remember_dates(kept: object) -> int:
    """The dates an earlier build formatted (`formatted_dates`), and how many; anything
    else, or what another version of Babel formatted, is left out."""
    version, formatted = kept if isinstance(kept, tuple) and len(kept) == 2 else ("", None)
    if version != babel.__version__ or not isinstance(formatted, dict):
        return 0
    _FORMATTED.update(formatted)
    return len(formatted)


def _locale(language: str) -> Locale:
    # An article's `lang` may name a language Babel lacks: its dates are shown in English.
    locale = babel_locale(language)
    return locale if locale is not None else Locale.parse("en")


@lru_cache(maxsize=32)
def babel_locale(tag: str) -> Locale | None:
    """Babel's locale for a language tag (`pt-BR`), parsed once, or None if Babel lacks it:
    Babel parses a name given as text on every call, which was most of a date's cost."""
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError, LookupError):
        return None


def human_date(value: ArchiveDate, language: str) -> str:
    """`October 2019` for a month-only date, `October 3, 2019` otherwise, in the site's language."""
    day = value.moment.date()
    if value.precision == "month":
        return _format(day, "LLLL y", language)
    return _format(day, "long", language)
