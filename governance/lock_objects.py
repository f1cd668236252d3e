"""Row locks of the governance app, in one place.

A proposal's row is its lock: publishing, voting, canceling and closing one proposal
serialise on it (a vote re-reads the proposal's window under the lock).
"""

from __future__ import annotations

from typing import cast

from django.utils.translation import gettext as _

from core.exceptions import NotFoundError
from governance.models import Admin, Proposal


def proposal_for_update(*, proposal_id: int) -> Proposal:
    proposal = Proposal.objects.select_for_update().filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFoundError(_("Proposal not found."), code="proposal_not_found")
    return proposal


def admin_for_update(*, admin_id: int) -> Admin:
    account = cast(Admin | None, Admin.objects.select_for_update().filter(pk=admin_id).first())
    if account is None:
        raise NotFoundError(_("Admin account not found."), code="admin_not_found")
    return account
