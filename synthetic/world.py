"""The ground truth of a fictional district: its record types, constants and time helpers.

Everything here is the ground truth; :mod:`synthetic.exports` renders it into the messy files
partner agencies would export. Perpetrators and victims are drawn from the same distributions as
everyone else, so the data encodes no stereotype. All randomness comes from numpy generators seeded
from the world seed, and nothing iterates over a set or dict of strings, so a seed gives one world.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from geodata.district import District

TODAY = dt.date(2026, 6, 30)  # the world's "now": events run over the two years before it
START = dt.date(2024, 7, 1)
SPAN_DAYS = (TODAY - START).days

GENDERS = np.array(["F", "M", "X"])
GENDER_P = np.array([0.505, 0.49, 0.005])
ETHNICITIES = np.array(["White", "Asian", "Black", "Mixed", "Other"])
ETHNICITY_P = np.array([0.80, 0.09, 0.045, 0.035, 0.03])
BUSINESS_TYPES = ("hotel", "bed_and_breakfast", "takeaway", "shop", "licensed_premises", "taxi_operator")
ORDINARY_CRIME = (
    "theft",
    "criminal damage",
    "assault",
    "burglary",
    "anti-social behaviour",
    "public order",
    "vehicle crime",
    "fraud",
)
EXPLOITATION_CRIME = (
    "child sexual exploitation",
    "child abduction",
    "sexual activity with a child",
    "trafficking concern",
    "supply of drugs to a child",
)
PUSH_ORDINARY = ("conflict at home", "boredom", "peer pressure", "school exclusion")
PUSH_EXPLOITED = ("conflict at home", "placement breakdown", "feels unsafe at home", "bereavement")
PULL_ORDINARY = ("friends", "party", "relationship")
PULL_EXPLOITED = (
    "older boyfriend",
    "gifts",
    "alcohol or drugs",
    "money",
    "free taxi rides",
    "hotel parties",
    "food from takeaway",
)
REFERRAL_SOURCES = ("police", "school", "health", "self or family", "local authority", "anonymous")


@dataclass(slots=True)
class Business:
    name: str
    kind: str
    postcode: int
    premises_licence: str | None = None
    operator_licence: str | None = None


@dataclass(slots=True)
class Vehicle:
    vrm: str
    make: str
    colour: str
    keeper: int  # person index
    plate: str | None = None  # vehicle licence number when it is a licensed taxi


@dataclass(slots=True)
class Driver:
    person: int
    authority: str
    licence: str
    status: str
    issued: dt.date
    expires: dt.date
    trained: dt.date | None
    operator: int  # business index of the taxi operator
    vehicle: int  # vehicle index


@dataclass(slots=True)
class RegisterEntry:
    person: int
    authority: str
    decision: str
    decided: dt.date
    reason: str


@dataclass(slots=True)
class Occurrence:
    when: dt.datetime
    category: str
    postcode: int
    persons: list[tuple[int, str]]
    vehicles: list[int]
    group: int | None = None


@dataclass(slots=True)
class Intel:
    when: dt.datetime
    topic: str
    grading: tuple[str, str, str]
    postcode: int
    persons: list[int]
    vehicles: list[int]
    phones: list[str]
    businesses: list[int]
    group: int | None = None


@dataclass(slots=True)
class Missing:
    person: int
    reported: dt.datetime
    returned: dt.datetime
    found_postcode: int
    found_business: int | None
    found_with: list[int]
    interview: dt.date | None
    push: list[str]
    pull: list[str]
    group: int | None = None


@dataclass(slots=True)
class CareRecord:
    person: int
    risk: str
    looked_after: bool
    source: str
    referred: dt.date
    closed: dt.date | None


@dataclass(slots=True)
class Group:
    members: list[tuple[int, str]]  # (person, organiser | associate | facilitator)
    victims: list[int]
    premises: list[int]
    vehicles: list[int]
    phones: list[str]
    drivers: list[int]  # driver indices
    hotspot: str | None
    base_postcode: int


@dataclass
class World:
    """The ground truth of one synthetic district."""

    seed: int
    district: District
    given: list[str]
    family: list[str]
    gender: np.ndarray
    ethnicity: np.ndarray
    dob: np.ndarray  # datetime64[D]
    household: np.ndarray
    postcode: np.ndarray
    house_no: np.ndarray
    prev_postcode: np.ndarray  # -1 when the person has not moved
    phone: list[str | None]
    family_links: list[tuple[int, int, str]] = field(default_factory=list)
    businesses: list[Business] = field(default_factory=list)
    vehicles: list[Vehicle] = field(default_factory=list)
    drivers: list[Driver] = field(default_factory=list)
    register: list[RegisterEntry] = field(default_factory=list)
    occurrences: list[Occurrence] = field(default_factory=list)
    intel: list[Intel] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    care: list[CareRecord] = field(default_factory=list)
    associations: list[tuple[int, int, str, dt.date]] = field(default_factory=list)
    cameras: list[int] = field(default_factory=list)  # postcode index of each ANPR camera
    anpr_vehicle: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    anpr_camera: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    anpr_seconds: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    groups: list[Group] = field(default_factory=list)
    spare_phones: list[str] = field(default_factory=list)
    used_vrms: set[str] = field(default_factory=set)

    @property
    def n_people(self) -> int:
        return len(self.given)

    def address(self, person: int, *, previous: bool = False) -> tuple[str, int]:
        pc = (
            int(self.prev_postcode[person])
            if previous and self.prev_postcode[person] >= 0
            else int(self.postcode[person])
        )
        number = int(self.house_no[person]) + (7 if previous else 0)
        return f"{number} {self.district.street[pc]}", pc


def random_day(rng: np.random.Generator, start: dt.date = START, span: int = SPAN_DAYS) -> dt.date:
    return start + dt.timedelta(days=int(rng.integers(0, max(span, 1))))


def random_moment(rng: np.random.Generator, day: dt.date | None = None, night: bool = False) -> dt.datetime:
    day = day or random_day(rng)
    hour = int(rng.choice([20, 21, 22, 23, 0, 1, 2])) if night else int(rng.integers(7, 24))
    return dt.datetime(day.year, day.month, day.day, hour, int(rng.integers(0, 60)))


def group_count(people: int) -> int:
    """How many exploitation groups a world of this size holds: about one per 1,000 people."""
    return max(1, round(people / 1000))


def ages_on_today(world: World) -> np.ndarray:
    """Everyone's age in whole years on the world's today."""
    return np.asarray((np.datetime64(TODAY.isoformat(), "D") - world.dob).astype(np.int64) // 365)


def near(world: World, x: float, y: float, candidates: list[int], k: int) -> list[int]:
    """The k candidate postcodes nearest to (x, y)."""
    xs, ys = world.district.x[candidates], world.district.y[candidates]
    order = np.argsort((xs - x) ** 2 + (ys - y) ** 2, kind="stable")
    return [candidates[int(i)] for i in order[:k]]
