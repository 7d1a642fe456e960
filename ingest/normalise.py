"""Normalisation of the values partner exports disagree about: postcodes, VRMs, phone numbers,
dates, names and licence numbers.

Each ``normalise_*`` function returns the canonical form or raises :class:`ValueError` with a
message that says what is wrong, which the mapping turns into a reject reason.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

import phonenumbers

from graph.ids import fold_text

# A UK postcode: outward code (area letters, district digit, optional letter or digit) and inward
# code (a digit and two letters, never C, I, K, M, O or V).
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})$")
_VRM = re.compile(r"^(?=.*[A-Z])(?=.*[0-9])[A-Z0-9]{2,7}$")
_LICENCE = re.compile(r"^[A-Z0-9][A-Z0-9/_.-]{1,39}$")
_SPACES = re.compile(r"\s+")
_NOT_LETTERS = re.compile(r"[^a-z ]+")
EXCEL_EPOCH = dt.date(1899, 12, 30)

DATE_FORMATS: dict[str, tuple[str, ...]] = {
    "uk": ("%d/%m/%Y",),
    "uk_time": ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"),
    "iso": ("%Y-%m-%d",),
    "iso_time": ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"),
    "mon": ("%d-%b-%Y",),
    "us": ("%m/%d/%Y",),
}
DATE_STYLES = (*DATE_FORMATS, "excel")
_FIELD_WIDTHS = {"%Y": 4, "%m": 2, "%d": 2, "%H": 2, "%M": 2, "%S": 2}
_FIELD_ORDER = ("%Y", "%m", "%d", "%H", "%M", "%S")  # the datetime constructor's order


def _fixed_width(fmt: str) -> re.Pattern[str] | None:
    """A pattern for the zero-padded form of a strptime format made only of numeric fields (None
    for one with month names or offsets), with a named group per field. A string it matches
    parses to the same moment as strptime would make of it, in a fraction of the time."""
    pattern, rest = "", fmt
    while rest:
        if rest[:2] in _FIELD_WIDTHS:
            pattern += f"(?P<{rest[1]}>[0-9]{{{_FIELD_WIDTHS[rest[:2]]}}})"
            rest = rest[2:]
        elif rest[0] == "%":
            return None
        else:
            pattern += re.escape(rest[0])
            rest = rest[1:]
    return re.compile(pattern)


def _fixed_moment(found: re.Match[str]) -> dt.datetime:
    parts = found.groupdict()
    year, month, day, hour, minute, second = (int(parts.get(f[1], 0)) for f in _FIELD_ORDER)
    return dt.datetime(year, month, day, hour, minute, second)


_FIXED_WIDTH = {fmt: _fixed_width(fmt) for formats in DATE_FORMATS.values() for fmt in formats}


def normalise_postcode(text: str) -> str:
    """Return a UK postcode in its standard form (``ZZ3 1SA``).

    >>> normalise_postcode(" zz3  1sa ")
    'ZZ3 1SA'
    """
    compact = _SPACES.sub("", text).upper()
    match = _POSTCODE.match(compact)
    if not match:
        raise ValueError(f"{show_value(text)} is not a UK postcode (like ZZ3 1SA)")
    return f"{match.group(1)} {match.group(2)}"


def normalise_vrm(text: str) -> str:
    """Return a vehicle registration mark in upper case with no spaces or hyphens.

    >>> normalise_vrm(" zq12-abc")
    'ZQ12ABC'
    """
    compact = re.sub(r"[\s-]+", "", text).upper()
    if not _VRM.match(compact):
        raise ValueError(
            f"{show_value(text)} is not a vehicle registration mark (2-7 letters and digits, like ZQ12ABC)"
        )
    return compact


@lru_cache(maxsize=65_536)
def normalise_phone(text: str, region: str = "GB") -> str:
    """Return a telephone number in E.164 form, read as a number of ``region`` unless it says +country.

    >>> normalise_phone("07700 900123")
    '+447700900123'
    """
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{show_value(text)} is not a telephone number ({exc._msg})") from None
    if not phonenumbers.is_valid_number(number) and not _possible_reserved(number):
        raise ValueError(f"{show_value(text)} is not a telephone number (wrong length or range)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _possible_reserved(number: phonenumbers.PhoneNumber) -> bool:
    """Ofcom's drama and test ranges (07700 900xxx, 0113 496 0xxx ...) are not "valid" to
    libphonenumber, but training and synthetic data rightly use them: accept a number of the
    right length for a mobile (national number starting 7) or a fixed line."""
    kind = phonenumbers.PhoneNumberType
    wanted = kind.MOBILE if str(number.national_number).startswith("7") else kind.FIXED_LINE
    reason = phonenumbers.is_possible_number_for_type_with_reason(number, wanted)
    return bool(reason == phonenumbers.ValidationResult.IS_POSSIBLE)


def normalise_licence_number(text: str) -> str:
    """Return a licence number in upper case without spaces.

    >>> normalise_licence_number(" vel/phd/00012 ")
    'VEL/PHD/00012'
    """
    compact = _SPACES.sub("", text).upper()
    if not _LICENCE.match(compact):
        raise ValueError(f"{show_value(text)} is not a licence number (letters, digits and / _ . -)")
    return compact


def display_name(text: str) -> str:
    """Return a name as shown: as the source wrote it, without surrounding spaces (capitals and
    inner spacing are kept; matching uses :func:`match_name`).

    >>> display_name("  FALCROFT ")
    'FALCROFT'
    """
    return text.strip()


def match_name(text: str) -> str:
    """Return the folded form of a name used for matching: lower case, no accents or punctuation.

    >>> match_name("O'Brien-Ødegård")
    'obrienodegard'
    """
    return _NOT_LETTERS.sub("", fold_text(text).replace("-", " ")).replace(" ", "")


def parse_date(text: str, styles: tuple[str, ...]) -> dt.date | dt.datetime:
    """Parse a date or date-time written in one of ``styles`` (see ``DATE_STYLES``).

    Date-only styles return a ``date``; styles with a time return a naive UTC ``datetime``.
    """
    value = text.strip()
    for style in styles:
        if style == "excel":
            parsed = _excel_date(value)
            if parsed is not None:
                return parsed
            continue
        for fmt in DATE_FORMATS[style]:
            fixed = _FIXED_WIDTH[fmt]
            found = fixed.fullmatch(value) if fixed is not None else None
            try:
                moment = _fixed_moment(found) if found is not None else dt.datetime.strptime(value, fmt)
            except ValueError:
                continue
            if moment.tzinfo is not None:
                moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
            return moment.date() if "%H" not in fmt else moment
    raise ValueError(
        f"{show_value(text)} is not a real date in the expected form ({' or '.join(_EXAMPLES[s] for s in styles)})"
    )


_EXAMPLES = {
    "uk": "dd/mm/yyyy",
    "uk_time": "dd/mm/yyyy HH:MM",
    "iso": "yyyy-mm-dd",
    "iso_time": "yyyy-mm-ddTHH:MM:SSZ",
    "mon": "dd-Mon-yyyy",
    "us": "mm/dd/yyyy",
    "excel": "an Excel day number",
}


def _excel_date(value: str) -> dt.date | None:
    try:
        serial = float(value)
    except ValueError:
        return None
    if not 1 <= serial < 2_958_466:  # Excel's own range: 1900-01-01 to 9999-12-31
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def show_value(text: str, limit: int = 40) -> str:
    """Quote a value for a message, cut short and with control characters made visible."""
    cut = text if len(text) <= limit else text[:limit] + "..."
    visible = "".join(ch if unicodedata.category(ch)[0] != "C" else f"\\x{ord(ch):02x}" for ch in cut)
    return repr(visible)


__all__ = [
    "DATE_STYLES",
    "display_name",
    "match_name",
    "normalise_licence_number",
    "normalise_phone",
    "normalise_postcode",
    "normalise_vrm",
    "parse_date",
    "show_value",
]
