"""audit_export (JSON lines for a date range), audit_prune (explicit date only), close_proposals."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.tests.factories import UserFactory
from governance.models import ProposalStatus
from governance.tests.factories import open_proposal

pytestmark = pytest.mark.django_db


def _entry_on(day: str, user):
    entry = LogEntry.objects.log_create(user, force_log=True, action=LogEntry.Action.UPDATE, changes={})
    LogEntry.objects.filter(pk=entry.pk).update(timestamp=datetime.fromisoformat(day).replace(tzinfo=UTC))
    return entry


def test_export_writes_the_range_as_json_lines():
    user = UserFactory()
    inside = _entry_on("2026-03-10T12:00:00", user)
    last_second = _entry_on("2026-03-11T23:59:59", user)
    _entry_on("2026-03-12T00:00:00", user)  # after the range
    out = io.StringIO()

    call_command("audit_export", "--from", "2026-03-10", "--to", "2026-03-11", stdout=out)

    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["id"] for line in lines] == [inside.pk, last_second.pk]
    assert lines[0]["model"] == "accounts.user"
    assert lines[0]["object_pk"] == str(user.pk)


def test_export_to_an_unwritable_path_is_a_one_line_error(tmp_path):
    with pytest.raises(CommandError, match=r"^--output: cannot write .*missing/x\.jsonl: No such file or directory\.$"):
        call_command(
            "audit_export", "--from", "2026-03-10", "--to", "2026-03-11", "-o", str(tmp_path / "missing/x.jsonl")
        )


def test_prune_refuses_without_an_explicit_date():
    with pytest.raises(CommandError):
        call_command("audit_prune")
    with pytest.raises(CommandError):
        call_command("audit_prune", "--before", "yesterday")
    future = (timezone.now() + timedelta(days=2)).date().isoformat()
    with pytest.raises(CommandError):
        call_command("audit_prune", "--before", future)


def test_prune_deletes_only_entries_before_the_date():
    user = UserFactory()
    old = _entry_on("2025-01-01T10:00:00", user)
    kept = _entry_on("2025-01-02T00:00:00", user)

    out = io.StringIO()
    call_command("audit_prune", "--before", "2025-01-02", "--dry-run", stdout=out)
    assert LogEntry.objects.filter(pk=old.pk).exists()

    call_command("audit_prune", "--before", "2025-01-02", stdout=out)
    assert not LogEntry.objects.filter(pk=old.pk).exists()
    assert LogEntry.objects.filter(pk=kept.pk).exists()


def test_close_proposals_job_closes_ended_ones_and_is_audited():
    proposal = open_proposal(hours=1)
    now = timezone.now()
    proposal.__class__.objects.filter(pk=proposal.pk).update(
        voting_starts_at=now - timedelta(hours=3),
        snapshot_at=now - timedelta(hours=3),
        voting_ends_at=now - timedelta(hours=1),
    )

    call_command("close_proposals", stdout=io.StringIO())

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CLOSED
    entry = LogEntry.objects.get_for_object(proposal).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.cid.startswith("cmd:close_proposals:")
