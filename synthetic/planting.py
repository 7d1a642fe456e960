"""The planted truth: exploitation groups and their traces, the national register, and ANPR."""

from __future__ import annotations

import datetime as dt

import numpy as np

from synthetic.population import COLOURS, MAKES, new_vrm
from synthetic.world import (
    EXPLOITATION_CRIME,
    PULL_EXPLOITED,
    PUSH_EXPLOITED,
    REFERRAL_SOURCES,
    SPAN_DAYS,
    CareRecord,
    Group,
    Intel,
    Missing,
    Occurrence,
    RegisterEntry,
    Vehicle,
    World,
    ages_on_today,
    group_count,
    near,
    random_day,
    random_moment,
)


def plant_groups(world: World, rng: np.random.Generator) -> None:
    """About one group per 1,000 people: members, victims, premises, vehicles, phones and their traces."""
    district = world.district
    n_groups = group_count(world.n_people)
    ages = ages_on_today(world)
    drivers_of = {d.person for d in world.drivers}
    adult_pool = [
        int(p) for p in rng.permutation(np.flatnonzero((ages >= 18) & (ages <= 55))) if int(p) not in drivers_of
    ]
    child_pool = [int(p) for p in rng.permutation(np.flatnonzero((ages >= 12) & (ages <= 17)))]
    shuffled = [int(i) for i in rng.permutation(len(world.drivers))]
    free_local = [d for d in shuffled if world.drivers[d].authority == district.name]
    free_cross = [d for d in shuffled if world.drivers[d].authority != district.name]
    taken: set[int] = set()
    all_pcs = list(range(len(district.postcode)))
    care_of = {c.person: c for c in world.care}
    vehicle_of: dict[int, int] = {}
    for i, v in enumerate(world.vehicles):
        vehicle_of.setdefault(v.keeper, i)

    for g in range(n_groups):
        inside: list[int] = []
        hotspot = (
            district.hotspots[g]
            if g < len(district.hotspots)
            else (district.hotspots[int(rng.integers(0, len(district.hotspots)))] if rng.random() < 0.7 else None)
        )
        if hotspot is not None:
            inside = [int(i) for i in np.flatnonzero(hotspot.contains(district.x, district.y))]
            base = (
                inside[int(rng.integers(0, len(inside)))]
                if inside
                else near(world, hotspot.x, hotspot.y, all_pcs, 1)[0]
            )
        else:
            base = int(rng.integers(0, len(all_pcs)))
        bx, by = float(district.x[base]), float(district.y[base])
        # a hotspot group trades inside its hotspot, so that its traces concentrate where the truth says
        nearby = inside or near(world, bx, by, all_pcs, 6)
        premises = []
        for kind in rng.permutation(["hotel", "takeaway", "taxi_operator", "bed_and_breakfast"])[
            : int(rng.integers(1, 4))
        ]:
            options = [i for i, b in enumerate(world.businesses) if b.kind == kind and i not in taken]
            if options:  # it trades near the group's base
                chosen = options[int(rng.integers(0, len(options)))]
                world.businesses[chosen].postcode = nearby[int(rng.integers(0, len(nearby)))]
            else:  # every business of this kind is already used by a group: share one, where it is
                same_kind = [i for i, b in enumerate(world.businesses) if b.kind == kind]
                chosen = same_kind[int(rng.integers(0, len(same_kind)))]
            taken.add(chosen)
            premises.append(chosen)
        size = int(rng.integers(4, 16))
        members: list[tuple[int, str]] = []
        n_org = 1 if size < 8 else int(rng.integers(1, 3))
        n_fac = int(rng.integers(1, 4))
        driver_ids = []
        for k in range(max(1, n_fac - 1)):
            cross = k == 0 and free_cross and rng.random() < 0.35
            d = free_cross.pop() if cross else free_local.pop()
            driver_ids.append(d)
            members.append((world.drivers[d].person, "facilitator"))
        for i in range(size - len(members)):
            role = "organiser" if i < n_org else ("facilitator" if i < n_org + n_fac - len(driver_ids) else "associate")
            members.append((adult_pool.pop(), role))
        if g > 0 and rng.random() < 0.25:  # a few people belong to two groups
            other = world.groups[int(rng.integers(0, g))]
            shared = [p for p, r in other.members if r == "associate"]
            if shared and shared[0] not in {p for p, _ in members} and members[-1][1] == "associate":
                members[-1] = (shared[0], "associate")  # replaces one, so the group keeps its size
        victims = [child_pool.pop() for _ in range(int(rng.integers(2, 7)))]
        vehicles = [world.drivers[d].vehicle for d in driver_ids]
        for person, role in members:
            if role == "organiser" or (role == "associate" and rng.random() < 0.3):
                if person in vehicle_of:
                    vehicles.append(vehicle_of[person])
                else:
                    keeper_vehicle = Vehicle(
                        new_vrm(rng, world.used_vrms), str(rng.choice(MAKES)), str(rng.choice(COLOURS)), person
                    )
                    world.vehicles.append(keeper_vehicle)
                    vehicle_of[person] = len(world.vehicles) - 1
                    vehicles.append(len(world.vehicles) - 1)
        spare = world.spare_phones
        phones = [world.phone[p] or spare.pop() for p, _ in members[:3]]
        for (p, _), number in zip(members[:3], phones, strict=True):
            world.phone[p] = number
        burner = spare.pop()
        phones.append(burner)
        group = Group(
            members,
            victims,
            premises,
            sorted(set(vehicles)),
            phones,
            driver_ids,
            hotspot.name if hotspot else None,
            base,
        )
        world.groups.append(group)
        _group_traces(world, rng, g, group, care_of)


def _group_traces(world: World, rng: np.random.Generator, g: int, group: Group, care_of: dict[int, CareRecord]) -> None:
    member_ids = [p for p, _ in group.members]
    places = [world.businesses[b].postcode for b in group.premises] + [group.base_postcode]
    for victim in group.victims:
        record = care_of.get(victim)
        risk = str(rng.choice(["high", "medium"], p=[0.7, 0.3]))
        if record is None:
            record = CareRecord(
                victim, risk, bool(rng.random() < 0.6), str(rng.choice(REFERRAL_SOURCES)), random_day(rng), None
            )
            world.care.append(record)
            care_of[victim] = record
        else:
            record.risk, record.looked_after, record.closed = risk, record.looked_after or rng.random() < 0.6, None
        for _ in range(int(rng.integers(3, 11))):
            reported = random_moment(rng, night=True)
            returned = reported + dt.timedelta(hours=int(rng.integers(3, 72)))
            roll = rng.random()
            business = None
            if roll < 0.5:
                business = group.premises[int(rng.integers(0, len(group.premises)))]
                found = world.businesses[business].postcode
            elif roll < 0.8:
                found = places[int(rng.integers(0, len(places)))]
            else:
                found = int(world.postcode[member_ids[int(rng.integers(0, len(member_ids)))]])
            found_with = (
                [member_ids[int(i)] for i in rng.choice(len(member_ids), size=int(rng.integers(1, 3)), replace=False)]
                if rng.random() < 0.6
                else []
            )
            interviewed = returned.date() + dt.timedelta(days=int(rng.integers(1, 6))) if rng.random() < 0.7 else None
            push = (
                [str(x) for x in rng.choice(PUSH_EXPLOITED, size=int(rng.integers(1, 3)), replace=False)]
                if interviewed
                else []
            )
            pull = (
                [str(x) for x in rng.choice(PULL_EXPLOITED, size=int(rng.integers(1, 4)), replace=False)]
                if interviewed
                else []
            )
            world.missing.append(
                Missing(victim, reported, returned, found, business, found_with, interviewed, push, pull, g)
            )
    for _ in range(int(rng.integers(4, 11))):
        subjects = [
            member_ids[int(i)]
            for i in rng.choice(len(member_ids), size=min(len(member_ids), int(rng.integers(1, 4))), replace=False)
        ]
        grading = (
            str(rng.choice(["1", "2", "3"], p=[0.3, 0.5, 0.2])),
            str(rng.choice(list("ABCDE"), p=[0.15, 0.35, 0.3, 0.15, 0.05])),
            str(rng.choice(["P", "C"])),
        )
        vehicles = (
            [group.vehicles[int(rng.integers(0, len(group.vehicles)))]] if group.vehicles and rng.random() < 0.5 else []
        )
        phones = [group.phones[-1]] if rng.random() < 0.4 else []
        businesses = [group.premises[int(rng.integers(0, len(group.premises)))]] if rng.random() < 0.6 else []
        world.intel.append(
            Intel(
                random_moment(rng),
                str(rng.choice(["child sexual exploitation", "child criminal exploitation"])),
                grading,
                places[int(rng.integers(0, len(places)))],
                subjects,
                vehicles,
                phones,
                businesses,
                g,
            )
        )
    for _ in range(int(rng.integers(1, 4))):
        victim = group.victims[int(rng.integers(0, len(group.victims)))]
        suspects = [
            member_ids[int(i)] for i in rng.choice(len(member_ids), size=min(2, len(member_ids)), replace=False)
        ]
        vehicles = [group.vehicles[0]] if group.vehicles and rng.random() < 0.5 else []
        world.occurrences.append(
            Occurrence(
                random_moment(rng, night=True),
                str(rng.choice(EXPLOITATION_CRIME)),
                places[int(rng.integers(0, len(places)))],
                [(victim, "victim")] + [(s, "suspect") for s in suspects],
                vehicles,
                g,
            )
        )
    organisers = [p for p, r in group.members if r == "organiser"]
    hub = organisers[0] if organisers else member_ids[0]
    for p in member_ids:
        if p != hub:
            world.associations.append((hub, p, "associate", random_day(rng)))
    for i in range(len(member_ids) - 1):
        if rng.random() < 0.5:
            world.associations.append((member_ids[i], member_ids[i + 1], "stopped together", random_day(rng)))


def add_register(world: World, rng: np.random.Generator) -> None:
    """National register of revocations and refusals: facilitators, a few ordinary drivers, and others."""
    authorities = ("Brannockshire", "Caldwick", "Huxley Vale", "Mellby", "Torhaven")
    reasons_bad = ("safeguarding concern", "conduct towards passengers", "failure to disclose convictions")
    reasons_minor = ("medical", "motoring convictions", "failed knowledge test")
    in_groups = [world.drivers[d].person for g in world.groups for d in g.drivers]
    for i, person in enumerate(in_groups):
        if i == 0 or rng.random() < 0.4:  # at least one group driver was revoked or refused elsewhere
            world.register.append(
                RegisterEntry(
                    person,
                    str(rng.choice(authorities)),
                    str(rng.choice(["revoked", "refused"])),
                    random_day(rng, dt.date(2018, 1, 1), 2000),
                    str(rng.choice(reasons_bad)),
                )
            )
    for d in world.drivers:
        if d.person not in in_groups and rng.random() < 0.02:
            world.register.append(
                RegisterEntry(
                    d.person,
                    str(rng.choice(authorities)),
                    "refused",
                    random_day(rng, dt.date(2015, 1, 1), 2500),
                    str(rng.choice(reasons_minor)),
                )
            )
    ages = ages_on_today(world)
    others = rng.choice(np.flatnonzero(ages >= 21), size=max(5, world.n_people // 1000), replace=False)
    for person in others:
        world.register.append(
            RegisterEntry(
                int(person),
                str(rng.choice(authorities)),
                str(rng.choice(["revoked", "refused"])),
                random_day(rng, dt.date(2015, 1, 1), 3000),
                str(rng.choice(reasons_bad + reasons_minor)),
            )
        )


def add_anpr(world: World, rng: np.random.Generator) -> None:
    """Cameras at fixed postcodes; background reads of random vehicles, and group vehicles seen near
    their victims' homes and their premises."""
    district = world.district
    n_cameras = 25 + world.n_people // 5000
    world.cameras = [int(c) for c in rng.choice(len(district.postcode), size=n_cameras, replace=False)]
    cam_pcs = world.cameras
    n_reads = world.n_people // 2
    vehicles = [rng.integers(0, len(world.vehicles), n_reads)]
    cameras = [rng.integers(0, n_cameras, n_reads)]
    seconds = [rng.integers(0, SPAN_DAYS * 86400, n_reads)]
    camera_of = {pc: i for i, pc in enumerate(cam_pcs)}
    for group in world.groups:
        targets = [int(world.postcode[v]) for v in group.victims] + [
            world.businesses[b].postcode for b in group.premises
        ]
        watching = [
            camera_of[pc] for t in targets for pc in near(world, float(district.x[t]), float(district.y[t]), cam_pcs, 1)
        ]
        for v in group.vehicles:
            k = int(rng.integers(10, 31))
            vehicles.append(np.full(k, v))
            cameras.append(np.array(watching)[rng.integers(0, len(watching), k)])
            seconds.append(rng.integers(0, SPAN_DAYS * 86400, k))
    order_v = np.concatenate(vehicles)
    order_c = np.concatenate(cameras)
    order_s = np.concatenate(seconds)
    order = np.argsort(order_s, kind="stable")
    world.anpr_vehicle, world.anpr_camera, world.anpr_seconds = order_v[order], order_c[order], order_s[order]
