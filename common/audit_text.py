"""Text a user typed to find someone, as the audit log keeps it: never the text, only its length and
a keyed hash of its words, so that "who searched for X?" can still be asked by typing X.

The key is a secret of this installation, in a file beside the app database readable by its owner
only: without it the hashes of short texts such as names cannot be tested against guesses. Entries
written before the hashes kept the text itself; they are shown with the text withheld and still found.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
import unicodedata
from pathlib import Path

MAX_NAME = 64  # characters of a user name or client kept in an entry
_MAX_WORDS = 32  # word hashes kept per search text
# the withheld text's trace in an entry's detail: a keyed hash of the whole text and of each word
_MARK = re.compile(r" ?\[searched:v1:([0-9a-f]{32}):([0-9a-f,]*)\]")
# how entries written before this kept search text: text='...' or name='...' (a Python repr)
_LEGACY = re.compile(r"\b(text|name)=('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")
# control characters, and the invisible ones that reorder or hide text on screen
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def normalised_words(text: str) -> list[str]:
    """The words of a search text as the hash sees them: Unicode-folded, case-folded, in order.

    >>> normalised_words("  Smith   JOHN ") == normalised_words("john smith")
    True
    """
    return sorted(unicodedata.normalize("NFKC", text).casefold().split())


def bounded(text: str, limit: int = MAX_NAME) -> str:
    """``text`` with control characters replaced and cut to ``limit`` characters (marked with '…').

    >>> bounded("a\\x00b" + "c" * 100, 8)
    'a\ufffdbcccc…'
    """
    clean = _CONTROL.sub("\ufffd", text.strip())
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def shown_detail(detail: str) -> str:
    """An entry's detail as the log shows it: no hash marks, and text kept by older entries withheld.

    >>> shown_detail("text='Jo Bloggs', born=None")
    'search text withheld (9 characters), born=None'
    """
    detail = _MARK.sub("", detail)
    return _LEGACY.sub(lambda m: f"search text withheld ({len(_legacy_text(m.group(2)))} characters)", detail)


def _legacy_text(quoted: str) -> str:
    try:
        value = ast.literal_eval(quoted)
    except (ValueError, SyntaxError):
        return quoted
    return value if isinstance(value, str) else quoted


class SearchHasher:
    """The installation's keyed hashes of search text, for one app database (the key is read when first needed)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._key_file = _key_path(db)
        self._key: bytes | None = None

    def searched(self, text: str, *, what: str = "search text") -> str:
        """The detail that stands for ``text`` typed to find someone: its length and a keyed hash, never the text.

        >>> import sqlite3; hasher = SearchHasher(sqlite3.connect(":memory:"))
        >>> hasher.searched("Jo Bloggs").startswith("search text withheld (9 characters) [searched:v1:")
        True
        """
        words = normalised_words(text)
        word_marks = sorted({self._digest("word", w)[:12] for w in words[:_MAX_WORDS]})
        mark = f"[searched:v1:{self._digest('text', ' '.join(words))}:{','.join(word_marks)}]"
        return f"{what} withheld ({len(text.strip())} characters) {mark}"

    def query(self, text: str) -> str:
        """What :func:`searched_match` compares an entry with: the hashes of ``text`` and its words, as JSON."""
        words = normalised_words(text)
        return json.dumps(
            {
                "text": self._digest("text", " ".join(words)),
                "words": sorted({self._digest("word", w)[:12] for w in words[:_MAX_WORDS]}),
                "plain": words,  # for entries written before the hashes, compared here and never shown
            }
        )

    def _digest(self, what: str, text: str) -> str:
        if self._key is None:
            self._key = _load_key(self._key_file)
        return hmac.new(self._key, f"{what}\x00{text}".encode(), hashlib.sha256).hexdigest()[:32]


def key_path(app_db: Path) -> Path:
    """Where the search-hash key of the app database ``app_db`` lives: beside it (backups copy it too)."""
    return app_db.with_name(app_db.name + ".audit-key")


def _key_path(db: sqlite3.Connection) -> Path | None:
    """This database's search-hash key file, or None for a database in memory."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return key_path(Path(file))
    return None


def _load_key(path: Path | None) -> bytes:
    """The installation's key: read, or made once (readable by its owner only; made whole or not at all)."""
    if path is None:
        return secrets.token_bytes(32)
    if not path.is_file():
        staged = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_hex(32).encode())
        finally:
            os.close(fd)
        try:
            os.link(staged, path)  # fails if another process made it first: theirs is kept
        except FileExistsError:
            pass
        finally:
            staged.unlink()
    key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    if len(key) < 16:
        raise ValueError(f"the audit key {path} is damaged; restore it from backup (searches hash with it)")
    return key


@functools.lru_cache(maxsize=8)
def _parsed_query(query: str) -> tuple[str, frozenset[str], tuple[str, ...]]:
    q = json.loads(query)
    return str(q["text"]), frozenset(q["words"]), tuple(q["plain"])


def searched_match(detail: str | None, query: str) -> int:
    """SQL ``disrupt_searched(detail, query)``: 1 when the entry's withheld text had the query's words."""
    if not detail:
        return 0
    text, words, plain = _parsed_query(query)
    found = _MARK.search(detail)
    if found:
        return int(found.group(1) == text or (bool(words) and words <= set(found.group(2).split(","))))
    for legacy in _LEGACY.finditer(detail):  # an older entry kept the text itself
        kept = normalised_words(_legacy_text(legacy.group(2)))
        if tuple(kept) == plain or (plain and set(plain) <= set(kept)):
            return 1
    return 0
