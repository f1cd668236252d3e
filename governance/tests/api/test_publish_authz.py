"""Only a draft's author publishes it: a draft is visible to its author alone, and an
auditor (staff, read-only role) must not be able to put someone's draft to a vote."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import StaffFactory
from conftest import make_token_client
from core.permissions import ROLE_AUDITOR, ROLE_MODERATOR, ROLE_OPERATOR
from governance.models import ProposalStatus
from governance.services import proposal_create
from governance.tests.factories import staked_member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [ROLE_AUDITOR, ROLE_MODERATOR, ROLE_OPERATOR])
def test_staff_cannot_publish_someone_elses_draft(settings, role):
    settings.OGC_PROPOSAL_MIN_STAKE = 1
    draft = proposal_create(
        author=staked_member("100"),
        title="Private idea",
        body="Not ready yet.",
        voting_ends_at=timezone.now() + timedelta(days=1),
        publish=False,
    )

    response = make_token_client(StaffFactory(roles=[role])).post(f"/api/v1/proposals/{draft.pk}/publish/")

    assert response.status_code == 403, response.content
    draft.refresh_from_db()
    assert draft.status == ProposalStatus.DRAFT
    assert draft.published_at is None
