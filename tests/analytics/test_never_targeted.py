"""Nobody the records know only as harmed or as a bystander is proposed as a target.

A newcomer walkthrough found a victim-only adult offered for a sexual risk order and 10 of the top 50
of the network-wide ranking known only as victims or witnesses (issue 22 walkthrough, 2 December 2026).
"""

from __future__ import annotations

import pytest

from analytics.projections import person_network
from analytics.roles import person_roles, safeguarded
from tests.analytics.worlds import Worlds

TARGET_TABLES = ("network_ranking", "key_players", "disruption_options", "disruption_plan")


@pytest.mark.parametrize("seed", [1, 7])
def test_no_child_victim_witness_or_missing_person_is_ranked_or_offered_as_a_target(worlds: Worlds, seed: int) -> None:
    world = worlds(seed)
    roles = person_roles(world.G)
    protected = {n for n, held in roles.items() if safeguarded(held)}
    adults_protected = {n for n in protected if "child" not in roles[n]}
    assert len(adults_protected & set(person_network(world.G))) >= 5  # the rule has adults to keep out
    for table in TARGET_TABLES:
        rows = world.result.tables[table]
        assert rows, table
        targeted = {r.entity_id for r in rows if r.entity_id in roles}
        assert not targeted & protected, (table, sorted(targeted & protected)[:5])


def test_a_victim_who_is_also_a_suspect_may_still_be_targeted() -> None:
    assert safeguarded(frozenset({"victim"})) and safeguarded(frozenset({"witness", "licence_holder"}))
    assert not safeguarded(frozenset({"victim", "suspect"})) and not safeguarded(frozenset({"found_with", "missing"}))
    assert safeguarded(frozenset({"child", "suspect"}))  # a child is never targeted, whatever else
    assert safeguarded(frozenset({"victim", "intelligence_subject"}))  # named in intelligence is no suspect role
