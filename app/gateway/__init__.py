"""The gateway: the only way the app reads data. Checks the policy, writes the audit, shapes the output.

Every public method first asks :mod:`app.policy` whether the viewer's role may do it (a refusal
is audited and raised), then reads the store, shapes what leaves it for the role, writes the
audit entry, and only then returns. If the audit cannot be written, nothing is returned.

The store is private to the gateway: a page asks a method, never the store. The methods live in
one module per area (people, network, groups, licensing, strategic, admin); :class:`Gateway` is
all of them, the one object a page uses.
"""

from __future__ import annotations

from app.gateway.admin import AUDIT_NAMES_PER_ENTRY, AdminReads
from app.gateway.base import LedgerView, NotFound, Viewer
from app.gateway.groups import DisruptionPlan, GroupReads, GroupView
from app.gateway.licensing import LicensingReads
from app.gateway.network import MAX_NETWORK_NODES, NetworkReads
from app.gateway.people import PeopleReads, Profile
from app.gateway.strategic import StrategicReads

__all__ = [
    "AUDIT_NAMES_PER_ENTRY",
    "MAX_NETWORK_NODES",
    "DisruptionPlan",
    "Gateway",
    "GroupView",
    "LedgerView",
    "NotFound",
    "Profile",
    "Viewer",
]


class Gateway(PeopleReads, NetworkReads, GroupReads, LicensingReads, StrategicReads, AdminReads):
    """Data access for one viewer. Cheap to make; make one per page run."""
