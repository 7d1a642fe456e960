"""The access policy: what each role may do and see. The one place this is decided.

Pages never decide access. They ask :class:`app.gateway.Gateway`, which calls :func:`require`
before it reads and shapes what leaves the store with the rules here: which kinds a role may
search, which properties are withheld, which counts are suppressed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from analytics.disclosure import safe_count
from common.roles import ROLES, Role  # re-exported: pages and the CLI name roles through the policy
from graph.schema import Schema

ROLE_TITLES: Mapping[Role, str] = {
    "analyst": "police analyst",
    "licensing": "licensing officer",
    "strategic": "strategic lead",
    "admin": "administrator",
}

Capability = Literal[
    "search_entities",  # find any entity, children included
    "view_profile",  # an entity's properties, sources, roles and events
    "view_network",  # an entity's neighbourhood and the paths between two entities
    "view_groups",  # groups, key players and disruption options
    "check_licensing",  # concern levels of drivers, vehicles, operators and premises, with reasons
    "view_hotspots",  # the hotspot map, aggregated to areas and suppressed
    "view_dashboard",  # management information, suppressed and rounded
    "view_audit",
    "find_audit_subject",  # resolve a name to record ids and names, only to filter the audit log
    "manage_users",
    "view_ingest",  # ingest runs and rejected rows
    "view_erasures",  # erasure records and their lifts (no personal data)
]

GRANTS: Mapping[Role, frozenset[Capability]] = {
    "analyst": frozenset(
        {"search_entities", "view_profile", "view_network", "view_groups", "check_licensing", "view_hotspots"}
    ),
    "licensing": frozenset({"check_licensing"}),
    "strategic": frozenset({"view_hotspots", "view_dashboard"}),
    "admin": frozenset({"view_audit", "find_audit_subject", "manage_users", "view_ingest", "view_erasures"}),
}

# What an administrator learns when naming a record for the audit filter: which record, never its contents.
AUDIT_SUBJECT_FIELDS = ("entity_id", "kind", "label")

# What a licensing officer may look up: the licensed trade, never the people it harms.
LICENSING_SUBJECT_KINDS = frozenset({"Person", "Vehicle", "Licence", "Business"})
# Source agencies named to a licensing officer; record references stay with the agencies.
SOURCE_AGENCIES: Mapping[str, str] = {
    "police": "police",
    "care": "children's social care",
    "licensing": "licensing",
    "premises": "premises register",
    "anpr": "ANPR",
}


def a_role(role: Role) -> str:
    """A role's title with its article, as a sentence says it.

    >>> a_role("admin"), a_role("analyst")
    ('an administrator', 'a police analyst')
    """
    title = ROLE_TITLES.get(role, role)
    return f"{'an' if title[:1] in 'aeiou' else 'a'} {title}"


class AccessDenied(PermissionError):
    """The signed-in role may not do what was asked."""

    def __init__(self, role: Role, capability: str) -> None:
        super().__init__(f"{a_role(role)} may not {capability.replace('_', ' ')}; ask an administrator if you need it")
        self.role = role
        self.capability = capability


def may(role: Role, capability: Capability) -> bool:
    """Whether ``role`` holds ``capability``. Unknown roles hold nothing."""
    return capability in GRANTS.get(role, frozenset())


def require(role: Role, capability: Capability) -> None:
    """Raise :class:`AccessDenied` unless ``role`` holds ``capability``."""
    if not may(role, capability):
        raise AccessDenied(role, capability)


def visible_properties(role: Role, kind: str, properties: Mapping[str, Any], schema: Schema) -> dict[str, Any]:
    """The properties of an entity ``role`` may see: analysts all; others only those the schema declares
    and does not mark sensitive. An undeclared property (an imported graph's ``extra_`` property, say an
    NHS number, or an open kind's own) has had nobody decide whether it is sensitive, so it is withheld."""
    if role == "analyst":
        return dict(properties)
    shown = {p for p, spec in schema.entity_kind(kind).properties.items() if not spec.sensitive}
    return {k: v for k, v in properties.items() if k in shown}


def source_agency(source: str) -> str:
    """The agency behind a source name such as ``police_intelligence`` or ``care_children``."""
    prefix = source.split("_", 1)[0].split(":", 1)[0]
    return SOURCE_AGENCIES.get(prefix, "other agency")


def public_count(count: int, *, people: int | None = None) -> int | None:
    """A count fit for a strategic lead: suppressed under 10 or when fewer than 10 different people
    stand behind it, otherwise rounded to the nearest 5."""
    return safe_count(count, people=people)


__all__ = [
    "AUDIT_SUBJECT_FIELDS",
    "GRANTS",
    "LICENSING_SUBJECT_KINDS",
    "ROLES",
    "ROLE_TITLES",
    "SOURCE_AGENCIES",
    "AccessDenied",
    "Capability",
    "Role",
    "a_role",
    "may",
    "public_count",
    "require",
    "source_agency",
    "visible_properties",
]
