"""Roles: the closed set a user's account and every audit entry hold. What each role may do is
decided in one place, :mod:`app.policy`; this module only names them, so that records outside the
app (the audit log the command line writes too) are typed with the same set."""

from __future__ import annotations

from typing import Literal, TypeGuard, get_args

Role = Literal["analyst", "licensing", "strategic", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)

# Who else writes audit entries: the command line (under the operating-system login), and "-" for a
# refused sign-in, where nobody is signed in yet.
COMMAND_LINE: Literal["command line"] = "command line"
NOBODY: Literal["-"] = "-"
AuditRole = Role | Literal["command line", "-"]
AUDIT_ROLES: tuple[AuditRole, ...] = (*ROLES, COMMAND_LINE, NOBODY)


def is_role(value: str) -> TypeGuard[Role]:
    """Whether ``value`` names a role.

    >>> is_role("analyst"), is_role("root")
    (True, False)
    """
    return value in ROLES


def is_audit_role(value: str) -> TypeGuard[AuditRole]:
    """Whether ``value`` is a role an audit entry may be written under."""
    return value in AUDIT_ROLES
