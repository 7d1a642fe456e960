"""Ordinary life in the synthetic district: households, phones, businesses, vehicles, drivers,
and the background of crime, missing episodes, care referrals, intelligence and associations."""

from __future__ import annotations

import datetime as dt

import numpy as np

from geodata.district import District
from synthetic import names
from synthetic.world import (
    BUSINESS_TYPES,
    ETHNICITIES,
    ETHNICITY_P,
    GENDER_P,
    GENDERS,
    ORDINARY_CRIME,
    PULL_ORDINARY,
    PUSH_ORDINARY,
    REFERRAL_SOURCES,
    TODAY,
    Business,
    CareRecord,
    Driver,
    Intel,
    Missing,
    Occurrence,
    Vehicle,
    World,
    ages_on_today,
    group_count,
    random_day,
    random_moment,
)

_BUSINESS_PER_PEOPLE = {
    "hotel": 2500,
    "bed_and_breakfast": 3000,
    "takeaway": 600,
    "shop": 400,
    "licensed_premises": 700,
    "taxi_operator": 12000,
}
_BUSINESS_MIN = {
    "hotel": 3,
    "bed_and_breakfast": 2,
    "takeaway": 5,
    "shop": 6,
    "licensed_premises": 4,
    "taxi_operator": 3,
}


def populate(n: int, seed: int, district: District) -> World:
    rng = np.random.default_rng([seed, 2])
    sizes = rng.choice([1, 2, 3, 4, 5, 6], size=n, p=[0.29, 0.34, 0.16, 0.14, 0.05, 0.02])
    ends = np.cumsum(sizes)
    n_households = int(np.searchsorted(ends, n)) + 1
    sizes = sizes[:n_households]
    sizes[-1] -= int(ends[n_households - 1] - n)
    household = np.repeat(np.arange(n_households), sizes)
    first_in_house = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    position = np.arange(n) - first_in_house[household]
    adults_in_house = np.where(sizes >= 2, rng.choice([1, 2], size=n_households, p=[0.25, 0.75]), 1)
    adults_in_house = np.minimum(adults_in_house, sizes)
    has_children = sizes > adults_in_house
    is_adult = position < adults_in_house[household]

    age = np.empty(n, dtype=np.int64)
    parent_age = rng.integers(22, 56, n)
    single_age = rng.integers(18, 90, n)
    age[:] = np.where(has_children[household], parent_age, single_age)
    child_age = rng.integers(0, 18, n)
    age[~is_adult] = child_age[~is_adult]
    born_offset = rng.integers(0, 365, n)
    today = np.datetime64(TODAY.isoformat(), "D")
    dob = today - (age * 365 + age // 4 + born_offset).astype("timedelta64[D]")

    gender = rng.choice(GENDERS, size=n, p=GENDER_P)
    ethnicity = rng.choice(ETHNICITIES, size=n, p=ETHNICITY_P)
    female = np.array(names.FEMALE)
    male = np.array(names.MALE)
    given_f = female[rng.integers(0, len(female), n)]
    given_m = male[rng.integers(0, len(male), n)]
    use_f = (gender == "F") | ((gender == "X") & (rng.random(n) < 0.5))
    given = np.where(use_f, given_f, given_m).tolist()

    start = np.array(names.SURNAME_START)
    end = np.array(names.SURNAME_END)
    house_family = np.char.add(
        start[rng.integers(0, len(start), n_households)], end[rng.integers(0, len(end), n_households)]
    )
    own_family = np.char.add(start[rng.integers(0, len(start), n)], end[rng.integers(0, len(end), n)])
    second_adult_keeps_own = (position == 1) & is_adult & (rng.random(n) < 0.3)
    family = np.where(second_adult_keeps_own, own_family, house_family[household]).tolist()

    weights = district.density / district.density.sum()
    house_postcode = rng.choice(len(weights), size=n_households, p=weights)
    postcode = house_postcode[household]
    house_no = rng.integers(1, 160, n_households)[household]
    moved = rng.random(n_households) < 0.10
    prev = np.where(moved, rng.choice(len(weights), size=n_households, p=weights), -1)[household]

    world = World(
        seed, district, given, family, gender, ethnicity, dob, household, postcode, house_no, prev, [None] * n
    )
    # family links within each household: partners, parent-child, siblings
    for h in np.flatnonzero(sizes >= 2):
        members = list(range(int(first_in_house[h]), int(first_in_house[h] + sizes[h])))
        adults = members[: int(adults_in_house[h])]
        kids = members[int(adults_in_house[h]) :]
        if len(adults) == 2:
            world.family_links.append((adults[0], adults[1], "partner"))
        world.family_links.extend((a, k, "parent") for a in adults for k in kids)
        world.family_links.extend(
            (kids[i], kids[j], "sibling") for i in range(len(kids)) for j in range(i + 1, len(kids))
        )
    _add_phones(world, rng, age)
    return world


def _drama_numbers() -> list[str]:
    """Telephone numbers Ofcom reserves for drama (never given to a subscriber), in E.164: 15,000."""
    prefixes = [
        "+441134960",
        "+441144960",
        "+441154960",
        "+441164960",
        "+441174960",
        "+441184960",
        "+441214960",
        "+441314960",
        "+441414960",
        "+441514960",
        "+441614960",
        "+441914980",
        "+441632960",
        "+442079460",
        "+447700900",
    ]
    return [f"{prefix}{i:03d}" for prefix in prefixes for i in range(1000)]


def _add_phones(world: World, rng: np.random.Generator, age: np.ndarray) -> None:
    """Phones for the people most likely to appear with one, from Ofcom's fiction ranges only.

    The ranges hold about 15,000 numbers; in larger worlds fewer people have a phone on record.
    """
    pool = [str(x) for x in rng.permutation(_drama_numbers())]
    reserved = min(len(pool) // 2, 5 * group_count(world.n_people))  # planted groups draw from these
    eligible = np.flatnonzero(age >= 12)
    chosen = rng.permutation(eligible)[: len(pool) - reserved]
    for person, number in zip(chosen, pool, strict=False):
        world.phone[int(person)] = number
    world.spare_phones = pool[len(chosen) :]


def _business_name(rng: np.random.Generator, kind: str, world: World) -> str:
    family = world.family[int(rng.integers(0, world.n_people))]
    adjective = str(
        rng.choice(
            [
                "Royal",
                "Golden",
                "Harbour",
                "Station",
                "Victoria",
                "Bay",
                "Park",
                "Crown",
                "Star",
                "Sea View",
                "Castle",
                "Old Mill",
            ]
        )
    )
    return {
        "hotel": f"The {adjective} Hotel",
        "bed_and_breakfast": f"{family} Guest House",
        "takeaway": f"{adjective} {rng.choice(['Pizza', 'Kebab', 'Fried Chicken', 'Noodle Bar', 'Chippy'])}",
        "shop": f"{family} {rng.choice(['Convenience Store', 'Mini Market', 'News', 'Off Licence'])}",
        "licensed_premises": f"The {adjective} {rng.choice(['Arms', 'Inn', 'Tavern', 'Bar'])}",
        "taxi_operator": f"{adjective} {rng.choice(['Cars', 'Taxis', 'Private Hire'])}",
    }[kind]


def add_businesses(world: World, rng: np.random.Generator) -> None:
    n = world.n_people
    weights = world.district.density / world.district.density.sum()
    seen: set[tuple[str, int]] = set()
    for kind in BUSINESS_TYPES:
        count = max(_BUSINESS_MIN[kind], n // _BUSINESS_PER_PEOPLE[kind])
        for _ in range(count):
            pc = int(rng.choice(len(weights), p=weights))
            name = _business_name(rng, kind, world)
            while (name, pc) in seen:
                name += " " + str(rng.choice(["II", "Express", "Plus", "Two"]))
            seen.add((name, pc))
            number = len(world.businesses) + 1
            licence = f"VEL/PL/{number:05d}" if kind in ("hotel", "takeaway", "licensed_premises", "shop") else None
            operator = f"VEL/OP/{number:04d}" if kind == "taxi_operator" else None
            world.businesses.append(Business(name, kind, pc, licence, operator))


MAKES = ("Toyota", "Skoda", "Ford", "Vauxhall", "Kia", "Hyundai", "Volkswagen", "Peugeot", "Nissan", "Mercedes")
COLOURS = ("black", "silver", "white", "grey", "blue", "red")
_VRM_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"


def new_vrm(rng: np.random.Generator, used: set[str]) -> str:
    """A registration mark shaped like a current GB plate but starting with Z, which no GB plate does."""
    while True:
        letters = rng.choice(list(_VRM_LETTERS), 4)
        vrm = f"Z{letters[0]}{int(rng.integers(10, 76)):02d}{''.join(rng.choice(list(_VRM_LETTERS), 3))}"
        if vrm not in used:
            used.add(vrm)
            return vrm


def add_vehicles_and_drivers(world: World, rng: np.random.Generator) -> None:
    n = world.n_people
    ages = ages_on_today(world)
    adults = np.flatnonzero((ages >= 18) & (ages < 80))
    used = world.used_vrms
    keepers = rng.choice(adults, size=int(len(adults) * 0.3), replace=False)
    for keeper in np.sort(keepers):
        world.vehicles.append(
            Vehicle(new_vrm(rng, used), str(rng.choice(MAKES)), str(rng.choice(COLOURS)), int(keeper))
        )
    operators = [i for i, b in enumerate(world.businesses) if b.kind == "taxi_operator"]
    drivers_pool = adults[(ages[adults] >= 21) & (ages[adults] < 70)]
    n_drivers = max(20, n // 250)
    chosen = rng.choice(drivers_pool, size=n_drivers, replace=False)
    for i, person in enumerate(np.sort(chosen)):
        cross_border = rng.random() < 0.12
        authority = world.district.neighbour if cross_border else world.district.name
        prefix = "ORS-D-" if cross_border else "VEL/PHD/"
        if rng.random() < 0.08:  # lapsed: issued long ago, never renewed
            status, issued = "expired", random_day(rng, dt.date(2019, 1, 1), 1000)
        else:  # current: licences run three years
            status = "suspended" if rng.random() < 0.05 else "active"
            issued = random_day(rng, dt.date(2023, 7, 15), 1000)
        trained = None if rng.random() < 0.15 else min(TODAY, issued + dt.timedelta(days=int(rng.integers(0, 400))))
        v = Vehicle(new_vrm(rng, used), str(rng.choice(MAKES)), str(rng.choice(COLOURS)), int(person))
        v.plate = f"{'ORS-V-' if cross_border else 'VEL/PHV/'}{i + 1:05d}"
        world.vehicles.append(v)
        world.drivers.append(
            Driver(
                int(person),
                authority,
                f"{prefix}{i + 1:05d}",
                status,
                issued,
                issued + dt.timedelta(days=3 * 365),
                trained,
                int(rng.choice(operators)),
                len(world.vehicles) - 1,
            )
        )


def add_ordinary_life(world: World, rng: np.random.Generator) -> None:
    """Background: ordinary crime, missing episodes, care referrals, intelligence and associations."""
    n = world.n_people
    ages = ages_on_today(world)
    people = np.arange(n)
    n_pc = len(world.district.postcode)
    for _ in range(int(n * 0.06)):
        involved = rng.choice(people, size=int(rng.integers(1, 4)), replace=False)
        roles = ["victim", "suspect", "witness"]
        persons = [(int(p), roles[min(i, 2)]) for i, p in enumerate(involved)]
        vehicles = [int(rng.integers(0, len(world.vehicles)))] if rng.random() < 0.2 else []
        world.occurrences.append(
            Occurrence(
                random_moment(rng),
                str(rng.choice(ORDINARY_CRIME)),
                int(world.postcode[involved[0]]) if rng.random() < 0.5 else int(rng.integers(0, n_pc)),
                persons,
                vehicles,
            )
        )
    children = people[ages < 18]
    teens = people[(ages >= 12) & (ages < 18)]
    for child in rng.choice(teens, size=int(len(teens) * 0.03), replace=False) if len(teens) else []:
        for _ in range(int(rng.integers(1, 3))):
            _ordinary_missing(world, rng, int(child))
    for adult in rng.choice(people[ages >= 18], size=int(n * 0.002), replace=False):
        _ordinary_missing(world, rng, int(adult))
    for child in rng.choice(children, size=int(len(children) * 0.04), replace=False):
        risk = str(rng.choice(["low", "medium", "high"], p=[0.6, 0.3, 0.1]))
        referred = random_day(rng)
        closed = referred + dt.timedelta(days=int(rng.integers(30, 400))) if rng.random() < 0.5 else None
        world.care.append(
            CareRecord(
                int(child),
                risk,
                bool(rng.random() < 0.15),
                str(rng.choice(REFERRAL_SOURCES)),
                referred,
                closed if closed and closed < TODAY else None,
            )
        )
    known = np.unique(np.array([p for o in world.occurrences for p, _ in o.persons], dtype=np.int64))
    for _ in range(int(n * 0.02)):
        subjects = [int(p) for p in rng.choice(known, size=int(rng.integers(1, 3)), replace=False)]
        grading = (str(rng.choice(["1", "2", "3"])), str(rng.choice(list("ABCDE"))), str(rng.choice(["P", "C"])))
        world.intel.append(
            Intel(
                random_moment(rng),
                str(rng.choice(["drugs", "anti-social behaviour", "theft", "violence"])),
                grading,
                int(rng.integers(0, n_pc)),
                subjects,
                [],
                [],
                [],
            )
        )
    for _ in range(int(n * 0.01)):
        a, b = rng.choice(known, size=2, replace=False)
        world.associations.append(
            (int(a), int(b), str(rng.choice(["friend", "co-accused", "stopped together"])), random_day(rng))
        )


def _ordinary_missing(world: World, rng: np.random.Generator, person: int) -> None:
    reported = random_moment(rng, night=True)
    returned = reported + dt.timedelta(hours=int(rng.integers(2, 48)))
    interviewed = returned.date() + dt.timedelta(days=int(rng.integers(1, 5))) if rng.random() < 0.6 else None
    push = [str(rng.choice(PUSH_ORDINARY))] if interviewed else []
    pull = [str(rng.choice(PULL_ORDINARY))] if interviewed else []
    found = int(world.postcode[person]) if rng.random() < 0.5 else int(rng.integers(0, len(world.district.postcode)))
    world.missing.append(Missing(person, reported, returned, found, None, [], interviewed, push, pull))
