"""Normalisation of the values partner exports disagree about."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from ingest.normalise import (
    DATE_FORMATS,
    display_name,
    match_name,
    normalise_licence_number,
    normalise_phone,
    normalise_postcode,
    normalise_vrm,
    parse_date,
)


@pytest.mark.parametrize("text", ["ZZ3 1SA", "ZZ31SA", "zz3 1sa", "ZZ3  1SA", " zz3 1SA "])
def test_postcodes_in_every_style_agencies_write_become_one(text: str) -> None:
    assert normalise_postcode(text) == "ZZ3 1SA"


@pytest.mark.parametrize("text", ["ZZ? 1A", "1ZZ 1AA", "ZZ1 1A1", "POSTCODE", "ZZ1 1CI", ""])
def test_malformed_postcodes_are_refused_with_the_value_named(text: str) -> None:
    with pytest.raises(ValueError, match="is not a UK postcode"):
        normalise_postcode(text)


@pytest.mark.parametrize("text", ["ZQ12ABC", "ZQ12 ABC", "zq12 abc", "ZQ12-ABC", " ZQ12ABC"])
def test_vrms_become_upper_case_without_spaces(text: str) -> None:
    assert normalise_vrm(text) == "ZQ12ABC"


@pytest.mark.parametrize("text", ["Z!", "?", "ZZZZZZZZZZZZ1", "ABCDEFG", "1234"])
def test_malformed_vrms_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="registration mark"):
        normalise_vrm(text)


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("07700 900123", "+447700900123"),
        ("07700900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("(0113) 496 0123", "+441134960123"),
        ("+1 202 555 0100", "+12025550100"),
    ],
)
def test_phone_numbers_become_e164(text: str, e164: str) -> None:
    assert normalise_phone(text) == e164


@pytest.mark.parametrize("text", ["07700 9001", "phone", "+44 12", "0770090012345"])
def test_impossible_phone_numbers_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="telephone number"):
        normalise_phone(text)


@pytest.mark.parametrize(
    ("text", "styles", "expected"),
    [
        ("07/04/1982", ("uk",), dt.date(1982, 4, 7)),
        ("14/06/2026 20:41", ("uk_time",), dt.datetime(2026, 6, 14, 20, 41)),
        ("2026-06-14", ("iso",), dt.date(2026, 6, 14)),
        ("2024-07-01T01:02:55Z", ("iso_time",), dt.datetime(2024, 7, 1, 1, 2, 55)),
        ("2024-07-01T03:02:55+02:00", ("iso_time",), dt.datetime(2024, 7, 1, 1, 2, 55)),
        ("18-Aug-2025", ("mon",), dt.date(2025, 8, 18)),
        ("45123", ("excel",), dt.date(2023, 7, 16)),
        ("2026-06-14", ("uk", "iso"), dt.date(2026, 6, 14)),
    ],
)
def test_dates_in_each_agency_style(text: str, styles: tuple[str, ...], expected: object) -> None:
    assert parse_date(text, styles) == expected


@pytest.mark.parametrize(
    ("text", "styles"),
    [("31/02/2025", ("uk",)), ("30/02/2025 25:61", ("uk_time",)), ("2025-13-40", ("iso",)), ("45xx1", ("excel",))],
)
def test_impossible_dates_are_refused(text: str, styles: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="not a real date"):
        parse_date(text, styles)


def _strptime_only(text: str, styles: tuple[str, ...]) -> object:
    """What parse_date gave before its fixed-width fast path: strptime for every format."""
    value = text.strip()
    for style in styles:
        for fmt in DATE_FORMATS[style]:
            try:
                moment = dt.datetime.strptime(value, fmt)
            except ValueError:
                continue
            if moment.tzinfo is not None:
                moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
            return moment.date() if "%H" not in fmt else moment
    return "refused"


def test_fast_date_parsing_agrees_with_strptime_on_padded_unpadded_and_impossible_dates() -> None:
    rng = random.Random(4)
    texts = []
    for _ in range(3_000):
        y, mo, d = rng.randint(1890, 2100), rng.randint(0, 13), rng.randint(0, 32)
        h, mi, s = rng.randint(0, 25), rng.randint(0, 61), rng.randint(0, 61)
        texts += [
            f"{y}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}",
            f"{y}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z",
            f"{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}",
            f"{y}-{mo:02}-{d:02}",
            f"{y}-{mo}-{d}",
            f"{d:02}/{mo:02}/{y}",
            f"{d}/{mo}/{y} {h}:{mi}",
            f"{d:02}/{mo:02}/{y} {h:02}:{mi:02}:{s:02}",
        ]
    for styles in [("iso",), ("iso_time",), ("uk",), ("uk_time",), ("us",), ("uk", "iso"), ("iso_time", "uk_time")]:
        for text in texts:
            try:
                fast: object = parse_date(text, styles)
            except ValueError:
                fast = "refused"
            slow = _strptime_only(text, styles)
            assert (fast, type(fast)) == (slow, type(slow)), (text, styles)


def test_names_keep_their_display_form_and_fold_for_matching() -> None:
    assert display_name("  FALCROFT ") == "FALCROFT"
    assert match_name("FALCROFT") == match_name("Falcroft") == "falcroft"
    assert match_name("O'Brien-Ødegård") == "obrienodegard"


def test_licence_numbers_are_upper_case_and_checked() -> None:
    assert normalise_licence_number(" vel/phd/00012 ") == "VEL/PHD/00012"
    with pytest.raises(ValueError, match="licence number"):
        normalise_licence_number("<b>")
