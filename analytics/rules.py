"""The tunable rules of analysis (weights, grading, what counts as exploitation), read from YAML."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal, get_args

import yaml


class AnalyticsError(Exception):
    """Base of the errors analytics raise."""


class InvalidRules(AnalyticsError):
    """A rules or tactics file is malformed; the message says which entry and how to fix it."""


# What a node is to the person network: a person, something that ties people (an event they are
# party to, a thing they hold, a place they live), or context left out. See ``imported_labels``.
NodeRole = Literal["person", "event", "thing", "place", "context"]
NODE_ROLES: tuple[NodeRole, ...] = get_args(NodeRole)


@dataclass(frozen=True, slots=True)
class LabelRole:
    """What an imported label is to the person network, and the reason of the ties it gives."""

    role: NodeRole
    tie: str | None = None


@dataclass(frozen=True, slots=True)
class Rules:
    """Weights and markers that turn POLE facts into concern. See ``analytics/rules.yaml``."""

    link_weights: Mapping[str, float]
    half_life_days: float
    recency_floor: float
    source_evaluation: Mapping[str, float]
    intelligence_assessment: Mapping[str, float]
    incident_categories: frozenset[str]
    intelligence_topics: frozenset[str]
    pull_factors: frozenset[str]
    suspect_roles: frozenset[str]
    victim_roles: frozenset[str]
    concern_hops: int
    child_age: int
    imported_labels: Mapping[str, LabelRole] = field(default_factory=dict)  # lower-case label -> role

    def weight(self, reason: str) -> float:
        return float(self.link_weights.get(reason, 0.0))

    def recency(self, when: str | None, as_of: dt.date | None) -> float:
        """How much a fact dated ``when`` still counts on ``as_of`` (1.0 when either is unknown)."""
        day = parse_day(when)
        if day is None or as_of is None:
            return 1.0
        age = max(0, (as_of - day).days)
        return max(self.recency_floor, math.pow(0.5, age / self.half_life_days))

    def grading_factor(self, source_evaluation: object, assessment: object) -> float:
        """Weight of a graded fact; ungraded facts count fully."""
        s = self.source_evaluation.get(str(source_evaluation), 1.0) if source_evaluation else 1.0
        a = self.intelligence_assessment.get(str(assessment), 1.0) if assessment else 1.0
        return float(s) * float(a)

    def label_role(self, labels: object) -> LabelRole | None:
        """The role the rules give a node of these source labels (person first, context last), or None
        when no label is named."""
        if isinstance(labels, str):
            labels = [labels]
        if not isinstance(labels, list | tuple):
            return None
        found = [
            self.imported_labels[key]
            for key in (str(lb).strip().lower() for lb in labels)
            if key in self.imported_labels
        ]
        return min(found, key=lambda r: NODE_ROLES.index(r.role), default=None)

    def is_exploitation_category(self, category: object) -> bool:
        return isinstance(category, str) and category.strip().lower() in self.incident_categories

    def is_exploitation_topic(self, topic: object) -> bool:
        return isinstance(topic, str) and topic.strip().lower() in self.intelligence_topics


def parse_day(value: object) -> dt.date | None:
    """The date of an ISO date or datetime string, or None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _lower_set(raw: Mapping[str, Any], key: str) -> frozenset[str]:
    values = raw.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise InvalidRules(f"rules: {key} must be a list of phrases")
    return frozenset(v.strip().lower() for v in values)


def _numbers(raw: Any, key: str) -> dict[str, float]:
    if not isinstance(raw, Mapping):
        raise InvalidRules(f"rules: {key} must map names to numbers")
    try:
        return {str(k): float(v) for k, v in raw.items()}
    except (TypeError, ValueError) as exc:
        raise InvalidRules(f"rules: {key} holds a value that is not a number ({exc})") from exc


def _label_roles(raw: Any, weights: Mapping[str, float]) -> dict[str, LabelRole]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InvalidRules("rules: imported_labels must map labels to {role: ..., tie: ...}")
    roles: dict[str, LabelRole] = {}
    for label, entry in raw.items():
        where = f"rules: imported_labels.{label}"
        if not isinstance(entry, Mapping) or entry.get("role") not in NODE_ROLES:
            raise InvalidRules(f"{where}: needs role, one of {', '.join(NODE_ROLES)}")
        role, tie = entry["role"], entry.get("tie")
        if role in ("event", "thing", "place"):
            if not isinstance(tie, str) or tie not in weights:
                raise InvalidRules(f"{where}: role {role} needs a tie whose weight link_weights gives (got {tie!r})")
        elif tie is not None:
            raise InvalidRules(f"{where}: role {role} ties nobody; remove its tie")
        roles[str(label).strip().lower()] = LabelRole(role, tie)
    return roles


def rules_from_mapping(raw: Mapping[str, Any]) -> Rules:
    """Build rules from parsed YAML.

    Raises:
        InvalidRules: a section is missing or has the wrong shape.
    """
    try:
        recency, grading, exploitation = raw["recency"], raw["grading"], raw["exploitation"]
        weights = _numbers(raw["link_weights"], "link_weights")
        return Rules(
            link_weights=weights,
            half_life_days=float(recency["half_life_days"]),
            recency_floor=float(recency["floor"]),
            source_evaluation=_numbers(grading["source_evaluation"], "grading.source_evaluation"),
            intelligence_assessment=_numbers(grading["intelligence_assessment"], "grading.intelligence_assessment"),
            incident_categories=_lower_set(exploitation, "incident_categories"),
            intelligence_topics=_lower_set(exploitation, "intelligence_topics"),
            pull_factors=_lower_set(exploitation, "pull_factors"),
            suspect_roles=_lower_set(raw, "suspect_roles"),
            victim_roles=_lower_set(raw, "victim_roles"),
            concern_hops=int(raw["concern_hops"]),
            child_age=int(raw["child_age"]),
            imported_labels=_label_roles(raw.get("imported_labels"), weights),
        )
    except KeyError as exc:
        raise InvalidRules(f"rules: the section {exc} is missing; copy it from analytics/rules.yaml") from exc
    except (TypeError, ValueError) as exc:
        raise InvalidRules(f"rules: {exc}") from exc


@cache
def default_rules() -> Rules:
    """The shipped rules (``analytics/rules.yaml``, package data read once). Callers with their own
    rules read the file themselves and pass its parsed content to :func:`rules_from_mapping`."""
    text = resources.files("analytics").joinpath("rules.yaml").read_text(encoding="utf-8")
    return rules_from_mapping(yaml.safe_load(text))
