"""The build cache in `.sitegen-cache/`: parsed content by hash, and the kept build state.

Safe to delete at any time; every entry is keyed by what produced it, and the
whole cache is keyed by the sitegen version.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from . import __version__

CACHE_DIR = ".sitegen-cache"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS parsed (key TEXT PRIMARY KEY, meta BLOB NOT NULL, html BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS cards (slug TEXT PRIMARY KEY, token TEXT NOT NULL, paths TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (slug TEXT PRIMARY KEY, token TEXT NOT NULL, record BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS card_html (key TEXT PRIMARY KEY, html TEXT NOT NULL);
"""
_COMPLETE = ""  # the slug of the row that says a set of card rows was written whole


# Parsed records kept in this process, by cache file and key: a preview server's
# rebuilds read nothing back from SQLite. The HTML stays in the file only.
_MEMORY: dict[tuple[str, str], Any] = {}
_MEMORY_LIMIT = 200_000


class BuildCache:
    """A small SQLite store; one connection per process (forked workers open their own)."""

    def __init__(self, folder: Path, enabled: bool = True) -> None:
        self.enabled = enabled
        self.path = folder / f"build-{__version__}.sqlite"
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    def _db(self) -> sqlite3.Connection | None:
        if not self.enabled:
            return None
        if self._connection is None or self._pid != os.getpid():
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                if not self.path.exists():  # deleted since: what was remembered is gone too
                    _forget(str(self.path))
                connection = sqlite3.connect(self.path, timeout=30)
                # A cache may lose its last entries in a power cut, never its consistency:
                # commits then cost no flush to disk.
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
                connection.executescript(_SCHEMA)
            except (OSError, sqlite3.Error):
                self.enabled = False  # a cache that cannot be opened is no cache
                return None
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def _query(self, sql: str, args: Iterable[Any] = ()) -> list[tuple]:
        db = self._db()
        if db is None:
            return []
        try:
            return db.execute(sql, tuple(args)).fetchall()
        except sqlite3.Error:
            self.enabled = False
            return []

    def _query_in(self, sql: str, keys: list[str], args: tuple[Any, ...] = ()) -> list[tuple]:
        """`sql` with its `{marks}` standing for the keys, in batches SQLite accepts."""
        rows: list[tuple] = []
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            rows += self._query(sql.format(marks=",".join("?" * len(batch))), [*args, *batch])
        return rows

    # -- parsed content -------------------------------------------------------
    def parsed_meta(self, keys: Iterable[str]) -> dict[str, Any]:
        """Cached (record, body without HTML) by key, for the keys present."""
        if self._db() is None:
            return {}
        keys, where = list(keys), str(self.path)
        found = {key: _MEMORY[where, key] for key in keys if (where, key) in _MEMORY}
        keys = [key for key in keys if key not in found]
        for key, meta in self._query_in(
            "SELECT key, meta FROM parsed WHERE key IN ({marks})", keys
        ):
            with contextlib.suppress(Exception):  # an unreadable entry is a miss
                found[key] = _remember(where, key, pickle.loads(meta))
        return found

    def parsed_html(self, key: str) -> str | None:
        rows = self._query("SELECT html FROM parsed WHERE key = ?", (key,))
        return rows[0][0].decode("utf-8") if rows else None

    def store_parsed(self, entries: Mapping[str, tuple[Any, str]]) -> None:
        """Store (record, body without HTML) and the HTML by key, and remember them."""
        if self.write_parsed(entries):
            self.remember_parsed({key: meta for key, (meta, _) in entries.items()})

    def write_parsed(self, entries: Mapping[str, tuple[Any, str]]) -> bool:
        """Store entries without remembering them (a worker's: its memory dies with it);
        whether they were stored."""
        db = self._db()
        if db is None or not entries:
            return False
        rows = [
            (key, pickle.dumps(meta, pickle.HIGHEST_PROTOCOL), html.encode("utf-8"))
            for key, (meta, html) in entries.items()
        ]
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO parsed VALUES (?, ?, ?)", rows)
        except sqlite3.Error:
            return False
        return True

    def remember_parsed(self, metas: Mapping[str, Any]) -> None:
        """Keep stored entries in this process; only stored ones: their HTML is in the file."""
        for key, meta in metas.items():
            _remember(str(self.path), key, meta)

    def prune_parsed(self, live: Iterable[str]) -> None:
        """Drop entries no content file produces any more, so the cache does not grow forever."""
        db = self._db()
        if db is None:
            return
        live = set(live)
        _forget(str(self.path), keep=live)
        with contextlib.suppress(sqlite3.Error), db:
            _delete_all_but(db, "parsed", live)

    # -- a kept library's articles, each pickled on its own ------------------------------
    def records(self, token: str, slugs: Iterable[str]) -> dict[str, bytes]:
        """The articles as the base `token` stored them, by slug, for the slugs present."""
        return dict(
            self._query_in(
                "SELECT slug, record FROM records WHERE token = ? AND slug IN ({marks})",
                list(slugs),
                (token,),
            )
        )

    def store_records(self, token: str, records: Mapping[str, bytes]) -> None:
        """All the articles of the base `token`, in place of another base's."""
        db = self._db()
        if db is None:
            return
        with contextlib.suppress(sqlite3.Error), db:
            db.execute("DELETE FROM records")
            db.executemany(
                "INSERT INTO records VALUES (?, ?, ?)",
                ((slug, token, record) for slug, record in records.items()),
            )

    # -- the outputs that show each article's card ----------------------------------
    def cards(self, token: str, slugs: Iterable[str]) -> dict[str, set[str]] | None:
        """Output paths by article slug, for the slugs asked for, from the rows written for
        `token`; None when no complete set of rows was written for it."""
        slugs = list(slugs)
        rows = self._query("SELECT token FROM cards WHERE slug = ?", (_COMPLETE,))
        if not rows or rows[0][0] != token:
            return None
        found: dict[str, set[str]] = {slug: set() for slug in slugs}
        for slug, paths in self._query_in(
            "SELECT slug, paths FROM cards WHERE token = ? AND slug IN ({marks})", slugs, (token,)
        ):
            found[slug] = set(paths.split("\n")) if paths else set()
        return found

    def store_cards(
        self, token: str, users: Mapping[str, Iterable[str]], *, replace: bool = False
    ) -> None:
        """Write the rows of `users` for `token`; with `replace`, instead of all rows, in
        one transaction: a reader sees the old set or the new one, whole. Without it, only
        while the rows are `token`'s: a row of another base would replace one of this."""
        db = self._db()
        if db is None:
            return
        rows = [(slug, token, "\n".join(sorted(paths))) for slug, paths in users.items()]
        with contextlib.suppress(sqlite3.Error), db:
            if replace:
                db.execute("DELETE FROM cards")
                rows.append((_COMPLETE, token, ""))
            else:
                whole = db.execute("SELECT token FROM cards WHERE slug = ?", (_COMPLETE,))
                if whole.fetchone() != (token,):
                    return
            db.executemany("INSERT OR REPLACE INTO cards VALUES (?, ?, ?)", rows)

    # -- cards as rendered, by what they are made of (see render._shared_cards) ------
    def card_html(self, keys: Iterable[str]) -> dict[str, str]:
        """Rendered cards by key, for the keys present."""
        return dict(
            self._query_in("SELECT key, html FROM card_html WHERE key IN ({marks})", list(keys))
        )

    def store_card_html(self, cards: Mapping[str, str], most: int) -> None:
        """Keep rendered cards. A card edited leaves its old rows behind; past `most` rows,
        only those just rendered stay (the next builds render the others once again)."""
        db = self._db()
        if db is None or not cards:
            return
        with contextlib.suppress(sqlite3.Error), db:
            rows = sorted(cards.items())  # in the index's order: fewer of its pages touched
            db.executemany("INSERT OR REPLACE INTO card_html VALUES (?, ?)", rows)
            (count,) = db.execute("SELECT count(*) FROM card_html").fetchone()
            if count > most:
                _delete_all_but(db, "card_html", cards)

    # -- small state ------------------------------------------------------------
    def state(self, name: str) -> Any:
        rows = self._query("SELECT value FROM state WHERE name = ?", (name,))
        if not rows:
            return None
        try:
            return pickle.loads(rows[0][0])
        except Exception:
            return None

    def store_state(self, name: str, value: Any) -> None:
        db = self._db()
        if db is None:
            return
        with contextlib.suppress(sqlite3.Error), db:
            db.execute(
                "INSERT OR REPLACE INTO state VALUES (?, ?)",
                (name, pickle.dumps(value, pickle.HIGHEST_PROTOCOL)),
            )

    def close(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None


def _delete_all_but(db: sqlite3.Connection, table: str, keys: Iterable[str]) -> None:
    """Delete the rows of `table` whose key is not in `keys`, which go through a temporary
    table: 10,000 keys are too many for one statement."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS live (key TEXT PRIMARY KEY)")
    db.execute("DELETE FROM live")
    db.executemany("INSERT OR IGNORE INTO live VALUES (?)", ((key,) for key in keys))
    db.execute(f"DELETE FROM {table} WHERE key NOT IN (SELECT key FROM live)")


def _remember(where: str, key: str, meta: Any) -> Any:
    if len(_MEMORY) >= _MEMORY_LIMIT:
        _MEMORY.clear()
    _MEMORY[where, key] = meta
    return meta


def _forget(where: str, keep: set[str] | frozenset[str] = frozenset()) -> None:
    """Drop what is remembered of one cache file, but for the keys in `keep`."""
    for entry in [entry for entry in _MEMORY if entry[0] == where and entry[1] not in keep]:
        del _MEMORY[entry]
