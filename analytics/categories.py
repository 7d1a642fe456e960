"""Closed lists of the categories management information may publish (``analytics/categories.yaml``).

A strategic lead sees counts by gender, ethnicity and referral source; the values come from
partners' free text, so publishing them as they were typed would publish whatever a record holds
(a name in a referral source, say). Each recorded value is matched to a category of a closed list;
anything else is "other".
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources

import yaml

from analytics.rules import InvalidRules
from graph.ids import fold_text

OTHER = "other"
NOT_RECORDED = "not recorded"


@cache
def _lists() -> Mapping[str, Mapping[str, str]]:
    """measure -> folded name -> category."""
    raw = yaml.safe_load(resources.files("analytics").joinpath("categories.yaml").read_text(encoding="utf-8"))
    lists: dict[str, dict[str, str]] = {}
    for measure, categories in (raw or {}).items():
        if not isinstance(categories, dict):
            raise InvalidRules(f"categories.yaml: {measure!r} must map each category to a list of names")
        names: dict[str, str] = {}
        for category, synonyms in categories.items():
            for name in [category, *(synonyms or [])]:
                names[fold_text(str(name))] = str(category)
        lists[str(measure)] = names
    return lists


def published_category(measure: str, value: object) -> str:
    """The category of the closed list of ``measure`` that ``value`` belongs to.

    >>> published_category("children by referral source", "  Police ")
    'police'
    >>> published_category("children by referral source", "Referred by A. Person, 12 Any Road")
    'other'
    >>> published_category("children by ethnicity", None)
    'not recorded'
    """
    text = fold_text(str(value)) if value not in (None, "") else ""
    if not text:
        return NOT_RECORDED
    names = _lists().get(measure)
    if names is None:
        raise InvalidRules(f"categories.yaml has no closed list for {measure!r}")
    return names.get(text, OTHER)


def closed_list(measure: str) -> frozenset[str]:
    """Every category ``measure`` may publish, "other" and "not recorded" included."""
    return frozenset(_lists()[measure].values()) | {OTHER, NOT_RECORDED}
