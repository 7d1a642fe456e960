"""Simulating a whole district: geography, ordinary life, then the planted truth."""

from __future__ import annotations

import numpy as np

from geodata.district import build_district
from synthetic.planting import add_anpr, add_register, plant_groups
from synthetic.population import add_businesses, add_ordinary_life, add_vehicles_and_drivers, populate
from synthetic.world import World


def build_world(people: int, seed: int) -> World:
    """Simulate a district of ``people`` people. The same arguments always give the same world."""
    if people < 200:
        raise ValueError("a world needs at least 200 people to hold a planted group")
    district = build_district(max(60, people // 35), seed)
    world = populate(people, seed, district)
    rng = np.random.default_rng([seed, 3])
    add_businesses(world, rng)
    add_vehicles_and_drivers(world, rng)
    add_ordinary_life(world, rng)
    plant_groups(world, np.random.default_rng([seed, 4]))
    add_register(world, np.random.default_rng([seed, 5]))
    add_anpr(world, np.random.default_rng([seed, 6]))
    world.associations = list(dict.fromkeys(world.associations))  # the same record twice is a bad row, not life
    return world
