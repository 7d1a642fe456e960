"""Deterministic identifiers and text folding.

The same real-world key always gives the same id, so loading a source twice merges instead of
duplicating (the followthemoney ``make_id`` idea).
"""

from __future__ import annotations

import hashlib
import unicodedata

_SEPARATOR = "\x1f"  # unit separator: cannot be confused with text inside a key part
# Latin letters that Unicode does not decompose into a base letter plus accent.
_UNDECOMPOSED = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ł": "l",
        "Ł": "l",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
        "ħ": "h",
        "Ħ": "h",
    }
)


def normalise_key_part(value: object) -> str:
    """Return the canonical text of one key part: NFC, trimmed, inner spaces collapsed, casefolded."""
    text = str(value)
    if text.isascii():  # most keys: NFC changes nothing and casefold is lower
        return " ".join(text.split()).lower()
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def make_id(kind: str, *parts: object) -> str:
    """Return the id of an entity or link from its kind and identifying parts.

    >>> make_id("Vehicle", "AB12CDE") == make_id("Vehicle", " ab12cde ")
    True
    >>> make_id("Vehicle", "AB12CDE").startswith("vehicle-")
    True
    """
    normalised = [normalise_key_part(p) for p in parts if p is not None]
    if not parts or len(normalised) != len(parts) or "" in normalised:
        raise ValueError(f"make_id({kind!r}) needs every identifying part, got {parts!r}")
    canonical = _SEPARATOR.join([kind, *normalised])
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]
    return f"{kind.lower()}-{digest}"


MAX_SEARCH_CHARS = 200  # a search reaches a store's index with at most this much text
MAX_TERM_CHARS = 300  # a stored search term keeps at most this much of a value


def search_query(text: str) -> str:
    """Text to search for, folded and cut to :data:`MAX_SEARCH_CHARS`: a trigram search of a long
    query costs seconds and gigabytes (10,000 characters took 81 s and 1.3 GB), so none reaches it.

    >>> len(search_query("ab " * 5000)) <= MAX_SEARCH_CHARS
    True
    """
    return fold_text(text[: MAX_SEARCH_CHARS * 2])[:MAX_SEARCH_CHARS].strip()


def fold_text(text: str) -> str:
    """Fold text for matching: accents removed, casefolded, control characters dropped.

    >>> fold_text("  Zoë  Ødegård O'Brien ")
    "zoe odegard o'brien"
    """
    if text.isascii() and text.isprintable():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    kept = [ch for ch in decomposed if unicodedata.category(ch) not in ("Mn", "Cc", "Cf", "Cs")]
    return " ".join("".join(kept).casefold().split())
