"""Entity resolution across sources.

- Persons: probabilistic record linkage with Splink on DuckDB: names (with swaps and fuzzy
  matches), date of birth, postcode and gender. The model is trained on the data each run
  (u by random sampling, m by expectation maximisation), not hand-weighted.
- Businesses: the same postcode and a near-identical folded name.
- Missing episodes: a police report and a care return interview share an episode when the
  interview names the police reference (one id already); an interview that names none is merged
  into the police episode of the same resolved child reported missing on the same day
  (:func:`resolve_episodes`, run after people are resolved).
- Vehicles, phones and licences need no model: their ids come from normalised keys (VRM, E.164
  number, authority and licence number), so records of one object already share an entity.

Records are never rewritten: each cluster gets a canonical record and the store points the
others (and their links) at it, so a wrong merge is split without reloading (:func:`split_records`).
Analysts' judgements (``same`` / ``different``) override the model on the next run.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from graph import GraphStore, InvalidRecord
from graph.ids import fold_text
from ingest.normalise import match_name

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

MATCH_THRESHOLD = 0.9  # pairs scored at or above this probability are linked
MIN_RECORDS_TO_TRAIN = 200  # fewer records than this cannot train a model: exact rules are used
_SOURCE_RANK = {"police": 0, "care": 1, "licensing": 2, "register": 3}  # canonical record preference
_BUSINESS_WORDS = {"the", "ltd", "limited", "plc", "co", "and"}


@dataclass
class ResolutionReport:
    kind: str
    records: int = 0
    clusters: int = 0
    merged_records: int = 0  # records that stand for another entity (records - clusters)
    records_moved: int = 0  # records whose canonical entity changed in this run
    pairs_scored: int = 0
    pairs_linked: int = 0
    judgements_applied: int = 0
    ambiguous: int = 0  # records that matched more than one entity and were left standing alone
    method: str = ""
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def resolve_people(
    store: GraphStore, *, threshold: float = MATCH_THRESHOLD, seed: int = 42, run_id: str | None = None
) -> ResolutionReport:
    """Cluster Person records with a Splink model trained on them and apply the clusters."""
    report = ResolutionReport("Person")
    started = time.perf_counter()
    frame, placeholders = _person_frame(store)
    report.records = len(frame) + len(placeholders)
    report.timings["read"] = time.perf_counter() - started
    pairs: list[tuple[str, str]] = []
    if len(frame) >= MIN_RECORDS_TO_TRAIN:
        report.method = "splink"
        scored = _score_people(frame, threshold=threshold, seed=seed, timings=report.timings)
        report.pairs_scored = len(scored)
        pairs = [(a, b) for a, b, p in scored if p >= threshold]
    elif len(frame) > 1:
        report.method = f"exact name and date of birth (fewer than {MIN_RECORDS_TO_TRAIN} records to train a model)"
        pairs = _exact_pairs(frame)
    report.pairs_linked = len(pairs)
    ids = [*frame["unique_id"].tolist(), *placeholders] if len(frame) else list(placeholders)
    rank = {row.unique_id: _record_rank(row) for row in frame.itertuples()} if len(frame) else {}
    clusters, applied = _clusters(ids, pairs, store)
    if len(frame):
        rank = _by_name_agreement(clusters, rank, frame)
    report.judgements_applied = applied
    report.records_moved = _apply(store, clusters, rank, run_id)
    report.clusters = len(clusters)
    report.merged_records = report.records - report.clusters
    report.seconds = time.perf_counter() - started
    log.info("people: %d records in %d clusters (%d moved)", report.records, report.clusters, report.records_moved)
    return report


def _person_frame(store: GraphStore) -> tuple[pd.DataFrame, list[str]]:
    """Person records as a Splink input table; records with no family name (placeholders made from
    a reference alone) are kept aside: they cannot be matched, only stand alone."""
    import pandas as pd

    rows: list[dict[str, Any]] = []
    placeholders: list[str] = []
    for e in store.records_of_kind("Person"):
        p = e.properties
        family = match_name(str(p.get("family_name") or ""))
        if not family:
            placeholders.append(e.id)
            continue
        given = match_name(str(p.get("given_name") or "")) or None
        postcode = p.get("postcode") or None
        rows.append(
            {
                "unique_id": e.id,
                "source": str(p.get("ref", "")).split(":", 1)[0],
                "given": given,
                "family": family,
                "name_concat": f"{given or ''} {family}".strip(),
                "dob": p.get("date_of_birth") or None,
                "postcode": postcode,
                "gender": p.get("gender") if p.get("gender") in ("female", "male") else None,
                "filled": sum(1 for v in p.values() if v not in (None, "", [])),
            }
        )
    columns = ["unique_id", "source", "given", "family", "name_concat", "dob", "postcode", "gender", "filled"]
    return pd.DataFrame(rows, columns=columns), placeholders


def _score_people(
    frame: pd.DataFrame, *, threshold: float, seed: int, timings: dict[str, float]
) -> list[tuple[str, str, float]]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    from splink.blocking_rule_library import CustomRule

    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.ForenameSurnameComparison("given", "family", forename_surname_concat_col_name="name_concat"),
            cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y-%m-%d"),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("gender"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("dob"),
            block_on("family", "given"),
            CustomRule("l.given = r.family AND l.family = r.given"),  # names swapped
            block_on("postcode", "substr(family, 1, 2)"),
            block_on("family", "substr(dob, 1, 4)"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    started = time.perf_counter()
    db = DuckDBAPI()
    linker = Linker(db.register(frame.drop(columns=["source", "filled"])), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match([block_on("family", "given", "dob")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("family", "given"))
    timings["train"] = time.perf_counter() - started
    started = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=min(threshold, 0.5))
    result = predictions.as_pandas_dataframe()  # type: ignore[no-untyped-call]
    timings["predict"] = time.perf_counter() - started
    return list(
        zip(
            result["unique_id_l"].astype(str),
            result["unique_id_r"].astype(str),
            result["match_probability"].astype(float),
            strict=True,
        )
    )


def _exact_pairs(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """Pairs with the same folded given name, family name and date of birth (all present)."""
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for row in frame.itertuples():
        if row.given and row.dob:
            groups[(str(row.given), str(row.family), str(row.dob))].append(str(row.unique_id))
    return [(members[0], other) for members in groups.values() for other in members[1:]]


def _record_rank(row: Any) -> tuple[Any, ...]:
    return (-int(row.filled), _SOURCE_RANK.get(str(row.source), 9), str(row.unique_id))


def _by_name_agreement(
    clusters: list[list[str]], rank: Mapping[str, tuple[Any, ...]], frame: pd.DataFrame
) -> dict[str, tuple[Any, ...]]:
    """Rank first the records whose name most of their cluster's records agree on.

    The canonical record's name is the one every page shows. A police record with forename and surname
    swapped ("Lanwell CALLUM") must not stand for a person whose licence and register entry both read
    "Callum Lanwell"; on a tie the fuller record, then the source order, decides as before.
    """
    names = {str(r.unique_id): (str(r.given), str(r.family)) for r in frame.itertuples()}
    ranked = dict(rank)
    for members in clusters:
        votes: defaultdict[tuple[str, str], int] = defaultdict(int)
        for m in members:
            if m in names:
                votes[names[m]] += 1
        for m in members:
            if m in ranked:
                ranked[m] = (-votes[names[m]], *ranked[m])
    return ranked


def _clusters(ids: list[str], pairs: Iterable[tuple[str, str]], store: GraphStore) -> tuple[list[list[str]], int]:
    """Connected components of the linked pairs, after analysts' judgements: ``different`` pairs
    are never linked (and, if still joined through others, the judged record is split off);
    ``same`` pairs always are."""
    known = set(ids)
    different: set[frozenset[str]] = set()
    same: list[tuple[str, str]] = []
    applied = 0
    for j in store.judgements():
        if j.first in known and j.second in known:
            applied += 1
            (same.append((j.first, j.second)) if j.verdict == "same" else different.add(frozenset((j.first, j.second))))
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in [*pairs, *same]:
        if frozenset((a, b)) in different and (a, b) not in same:
            continue
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = defaultdict(list)
    for i in ids:
        groups[find(i)].append(i)
    clusters: list[list[str]] = []
    for members in groups.values():
        clusters.extend(_separate(members, different))
    return clusters, applied


def _separate(members: list[str], different: set[frozenset[str]]) -> list[list[str]]:
    """Split off records judged different from others in the same cluster."""
    if len(members) < 2 or not different:
        return [members]
    apart = {m for pair in different if pair <= set(members) for m in sorted(pair)[1:]}
    rest = [m for m in members if m not in apart]
    return [rest, *([m] for m in sorted(apart))] if rest else [[m] for m in sorted(apart)]


def _apply(
    store: GraphStore, clusters: list[list[str]], rank: Mapping[str, tuple[Any, ...]], run_id: str | None
) -> int:
    assignments: dict[str, str] = {}
    for members in clusters:
        # a record with no rank (a placeholder) stands for its cluster only when nothing else can
        canonical = min(members, key=lambda m: rank.get(m, (9, 9, m)))
        assignments.update({m: canonical for m in members})
    return store.set_canonical(assignments, run_id=run_id or uuid.uuid4().hex[:16])


def resolve_businesses(store: GraphStore, *, similarity: float = 0.9, run_id: str | None = None) -> ResolutionReport:
    """Merge Business records at the same postcode whose folded names are near-identical."""
    report = ResolutionReport("Business")
    started = time.perf_counter()
    by_postcode: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    ids: list[str] = []
    for e in store.records_of_kind("Business"):
        ids.append(e.id)
        name = " ".join(w for w in fold_text(str(e.properties.get("name", ""))).split() if w not in _BUSINESS_WORDS)
        filled = sum(1 for v in e.properties.values() if v not in (None, "", []))
        by_postcode[str(e.properties.get("postcode", ""))].append((e.id, name, filled))
    report.records = len(ids)
    pairs = [
        (a[0], b[0])
        for group in by_postcode.values()
        for i, a in enumerate(group)
        for b in group[i + 1 :]
        if SequenceMatcher(None, a[1], b[1]).ratio() >= similarity
    ]
    report.pairs_scored = sum(len(g) * (len(g) - 1) // 2 for g in by_postcode.values())
    report.pairs_linked = len(pairs)
    rank = {i: (-f, 0, i) for group in by_postcode.values() for i, _, f in group}
    clusters, report.judgements_applied = _clusters(ids, pairs, store)
    report.records_moved = _apply(store, clusters, rank, run_id)
    report.clusters = len(clusters)
    report.merged_records = report.records - report.clusters
    report.seconds = time.perf_counter() - started
    return report


def resolve_episodes(store: GraphStore, *, run_id: str | None = None) -> ResolutionReport:
    """Merge each missing episode known only from a return interview (no police reference, so no
    report time) into the police episode of the same child reported missing on the same day.

    The child is the resolved person (run :func:`resolve_people` first) linked to both as
    ``missing``; the interview's day is its missing date (the record's first seen), the police
    episode's the day of ``reported_at``. A police episode whose return interview is already
    recorded (an interview named its reference) takes no other. An interview that matches two
    police episodes is left alone and counted as ambiguous; analysts' judgements override the
    match. Running it again changes nothing.
    """
    report = ResolutionReport("MissingEpisode", method="same reference, or same child and day")
    started = time.perf_counter()
    reported: dict[str, str] = {}  # police episode record -> day reported missing
    unreported: dict[str, str] = {}  # episode known only from an interview -> day missing
    ids: list[str] = []
    for e in store.records_of_kind("MissingEpisode"):
        ids.append(e.id)
        if e.properties.get("reported_at"):
            # an episode an interview already names has its interview: it takes no other
            if not e.properties.get("return_interview_on"):
                reported[e.id] = str(e.properties["reported_at"])[:10]
        elif e.first_seen:
            unreported[e.id] = e.first_seen[:10]
    report.records = len(ids)
    pairs: list[tuple[str, str]] = []
    if unreported and reported:
        children = _missing_children(store, set(ids))
        by_child_day: dict[tuple[str, str], list[str]] = defaultdict(list)
        for episode, day in reported.items():
            for child in children.get(episode, ()):
                by_child_day[(child, day)].append(episode)
        for episode, day in sorted(unreported.items()):
            found = sorted({p for child in children.get(episode, ()) for p in by_child_day.get((child, day), ())})
            report.pairs_scored += bool(children.get(episode))
            if len(found) == 1:
                pairs.append((episode, found[0]))
            elif found:
                report.ambiguous += 1
    report.pairs_linked = len(pairs)
    clusters, report.judgements_applied = _clusters(ids, pairs, store)
    rank = {i: (0 if i in reported else 1, 0, i) for i in ids}  # the police episode stands for the interview
    report.records_moved = _apply(store, clusters, rank, run_id)
    report.clusters = len(clusters)
    report.merged_records = report.records - report.clusters
    report.seconds = time.perf_counter() - started
    log.info(
        "episodes: %d records in %d episodes (%d moved, %d ambiguous)",
        report.records,
        report.clusters,
        report.records_moved,
        report.ambiguous,
    )
    return report


def _missing_children(store: GraphStore, episodes: set[str]) -> dict[str, set[str]]:
    """The resolved people each episode record names as missing (from the links as loaded)."""
    named: dict[str, set[str]] = defaultdict(set)
    for link in store.links_of_kind("PARTY_TO"):
        if link.target in episodes and link.properties.get("role") == "missing":
            named[link.target].add(link.source)
    people = store.canonical_ids({p for records in named.values() for p in records})
    return {episode: {people.get(p, p) for p in records} for episode, records in named.items()}


def split_records(store: GraphStore, record_ids: Iterable[str], *, reference: str) -> int:
    """Undo a merge: the records leave their entity and stand together as a new one, and the
    decision is kept as ``different`` judgements so the next resolution run respects it.

    Returns how many records moved. Raises InvalidRecord if a record is unknown or the records
    are not all in one entity.
    """
    chosen = list(dict.fromkeys(record_ids))
    canonical = store.canonical_ids(chosen)
    unknown = [r for r in chosen if r not in canonical]
    if unknown:
        raise InvalidRecord("Entity", "id", unknown[0], "no such record; list records with `disrupt records ID`")
    entities = set(canonical.values())
    if len(entities) != 1:
        raise InvalidRecord("Entity", "id", sorted(entities), "the records to split off belong to different entities")
    (entity,) = entities
    kind = next(e.kind for e in store.get_entities([entity]))
    members = [e.id for e in store.records_of_kind(kind) if (e.merged_into or e.id) == entity]
    staying = [m for m in members if m not in chosen]
    if not staying:
        raise InvalidRecord("Entity", "id", entity, "splitting off every record of an entity changes nothing")
    for leaving in chosen:
        for other in staying:
            store.add_judgement(leaving, other, "different", reference=reference)
    new_canonical = min(chosen)
    keep = min(staying) if entity in chosen else entity
    assignments = {m: keep for m in staying} | {m: new_canonical for m in chosen}
    return store.set_canonical(assignments, run_id=f"split-{reference}")


__all__ = [
    "MATCH_THRESHOLD",
    "ResolutionReport",
    "resolve_businesses",
    "resolve_episodes",
    "resolve_people",
    "split_records",
]
