"""How real exports differ from the truth: typos, nicknames, swapped names, transposed dates,
missing fields, old addresses, and inconsistent formats for postcodes, VRMs and phone numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from synthetic.names import NICKNAMES

# Chance that one source record of a person shows each variation (documented in docs/synthetic-data.md).
NOISE_RATES: dict[str, float] = {
    "typo": 0.06,
    "nickname": 0.08,
    "swapped_names": 0.02,
    "dob_transposed": 0.02,
    "dob_missing": 0.03,
    "postcode_missing": 0.04,
    "old_address": 0.5,  # of the people who moved in the last two years
}
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(slots=True)
class PersonView:
    """One agency's record of a person: what it wrote down, and which variations that involved."""

    given: str
    family: str
    dob: dt.date | None
    address: str
    postcode: int | None
    variations: list[str]


def typo(rng: np.random.Generator, text: str) -> str:
    """One keyboard slip: a letter dropped, doubled, swapped with the next, or replaced."""
    if len(text) < 3:
        return text
    i = int(rng.integers(1, len(text) - 1))
    kind = int(rng.integers(0, 4))
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    if kind == 2:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + str(rng.choice(list(_LETTERS))) + text[i + 1 :]


def vary_person(
    rng: np.random.Generator,
    given: str,
    family: str,
    dob: dt.date,
    address: tuple[str, int],
    old_address: tuple[str, int] | None,
    *,
    dob_may_be_missing: bool = True,
) -> PersonView:
    """Apply each variation with its rate; return the record and the variations applied."""
    applied: list[str] = []
    r = rng.random(7)
    if r[0] < NOISE_RATES["nickname"] and given in NICKNAMES:
        options = NICKNAMES[given]
        given = options[int(rng.integers(0, len(options)))]
        applied.append("nickname")
    if r[1] < NOISE_RATES["typo"]:
        if rng.random() < 0.5:
            family = typo(rng, family)
        else:
            given = typo(rng, given)
        applied.append("typo")
    if r[2] < NOISE_RATES["swapped_names"]:
        given, family = family, given
        applied.append("swapped_names")
    when: dt.date | None = dob
    if r[3] < NOISE_RATES["dob_transposed"] and dob.day <= 12 and dob.day != dob.month:
        when = dt.date(dob.year, dob.day, dob.month)
        applied.append("dob_transposed")
    elif dob_may_be_missing and r[4] < NOISE_RATES["dob_missing"]:
        when = None
        applied.append("dob_missing")
    street, postcode = address
    if old_address is not None and r[5] < NOISE_RATES["old_address"]:
        street, postcode = old_address
        applied.append("old_address")
    shown_postcode: int | None = postcode
    if r[6] < NOISE_RATES["postcode_missing"]:
        shown_postcode = None
        applied.append("postcode_missing")
    return PersonView(given, family, when, street, shown_postcode, applied)


def messy_postcode(rng: np.random.Generator, code: str) -> str:
    form = int(rng.integers(0, 6))
    if form == 1:
        return code.replace(" ", "")
    if form == 2:
        return code.lower()
    if form == 3:
        return code.replace(" ", "  ")
    return code


def messy_vrm(rng: np.random.Generator, vrm: str) -> str:
    spaced = f"{vrm[:4]} {vrm[4:]}"
    return (vrm, spaced, spaced, spaced.lower(), f"{vrm[:4]}-{vrm[4:]}", f" {vrm}")[int(rng.integers(0, 6))]


def messy_phone(rng: np.random.Generator, e164: str) -> str:
    """An E.164 number written as people write it: national with spaces, or international."""
    national = "0" + e164[3:]
    if national.startswith("07"):
        spaced = f"{national[:5]} {national[5:]}"
    elif national.startswith("020"):
        spaced = f"{national[:3]} {national[3:7]} {national[7:]}"
    elif national.startswith("01632"):
        spaced = f"{national[:5]} {national[5:]}"
    else:
        spaced = f"{national[:4]} {national[4:7]} {national[7:]}"
    form = int(rng.integers(0, 4))
    return (spaced, national, "+44 " + spaced[1:], f"({spaced.split(' ', 1)[0]}) {spaced.split(' ', 1)[1]}")[form]
