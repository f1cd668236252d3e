"""Operator console for governance: staff accounts, proposals, votes, the audit log.

* Admin accounts: every staff user with roles, last login and active flag; created,
  changed and disabled by superusers only (never deleted: their audit trail stays
  attributable); everyone else with the view permission (auditors) only reads.
* The audit log (django-auditlog's LogEntry) is read-only for everyone, superusers
  included: no add, no change, no delete, no bulk delete. It reads as who did what to
  which object, from where and when: the actor by email and display name (or the
  command that ran), the action by its ``AuditAction`` name for named entries (else
  create/update/delete), the object by what it is today ("Wallet of ada@…", "#812
  Withdrawal 50 OGC · ada@…", linked to its admin page; the stored ``object_repr``
  when it is gone), the change as before → after. Updates that changed nothing are
  hidden unless asked for. It is a big table: estimated counts, keyset links, no joins.
* Proposals are created on the site/API (the author's stake is checked there); the
  admin reads them and runs the cancel/close actions through the same services.

One module per concern, all registered by importing this package (admin autodiscovery
imports ``governance.admin``): ``staff_accounts``, ``proposals`` (with votes and the
dashboard tile), ``audit_log`` (the log's admin and its search), ``audit_filters`` and
``audit_text`` (how an entry reads).
"""

from governance.admin.audit_filters import ActionFilter, ActorFilter, ObjectTypeFilter, RequestFilter, RowsFilter
from governance.admin.audit_log import DIFF_FIELDS_SHOWN, AuditLogAdmin, search_requests
from governance.admin.audit_text import ACTION_NAMES, LABELS, NAMED_PREFIX, named_action
from governance.admin.proposals import (
    CLOSING_HOURS,
    RECENT_VOTES,
    ClosingSoonFilter,
    ProposalAdmin,
    VoteAdmin,
    proposals_tile,
)
from governance.admin.staff_accounts import AdminAccountAdmin

__all__ = [
    "ACTION_NAMES",
    "CLOSING_HOURS",
    "DIFF_FIELDS_SHOWN",
    "LABELS",
    "NAMED_PREFIX",
    "RECENT_VOTES",
    "ActionFilter",
    "ActorFilter",
    "AdminAccountAdmin",
    "AuditLogAdmin",
    "ClosingSoonFilter",
    "ObjectTypeFilter",
    "ProposalAdmin",
    "RequestFilter",
    "RowsFilter",
    "VoteAdmin",
    "named_action",
    "proposals_tile",
    "search_requests",
]
