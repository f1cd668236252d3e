"""The idempotency record (core's only model)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """The first response to a money-moving request, keyed by (user, Idempotency-Key).

    A replay of a finished request returns ``response_status``/``response_body``;
    a replay with another payload (``request_hash``) is refused with 422; a replay
    while the first is still ``in_progress`` is refused with 409. Rows are kept
    at least ``OGC_IDEMPOTENCY_TTL_HOURS`` and removed by ``purge_idempotency_keys``.
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,  # keys are transport state, not records: they go with the user
        related_name="idempotency_records",
    )
    # Case-sensitive on MariaDB (utf8mb4_bin, migration 0002): re-apply it if an AlterField rewrites the column.
    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=100, help_text="The endpoint the key was first used on.")
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=20, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "idempotency_keys"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="uniq_idempotency_user_key"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idx_idempotency_created")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} ({self.state})"


class CheckRun(models.Model):
    """One run of a data check command (``verify_ledger``, ``check_integrity``): what it
    found and when. Written by ``core.check_runs.check_run_record`` at the end of each
    run, read by the console's dashboard ("last verify_ledger: clean, 3 h ago"). Kept in
    the database, not the cache, so a run from any host or shell is seen by every web
    process, and the history stays readable by auditors."""

    name = models.CharField(max_length=40, help_text="The command: verify_ledger or check_integrity.")
    ok = models.BooleanField(help_text="True when the run found nothing wrong.")
    summary = models.CharField(max_length=500)
    details = models.TextField(blank=True, help_text="The problems found, one per line (cut at 20,000 characters).")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    cid = models.CharField(max_length=255, blank=True, help_text="The command's correlation id (cmd:<name>:...).")

    class Meta:
        db_table = "check_runs"
        indexes = [models.Index(fields=["name", "-finished_at"], name="idx_check_runs_latest")]

    def __str__(self) -> str:
        return f"{self.name} {'ok' if self.ok else 'FAILED'} at {self.finished_at:%Y-%m-%d %H:%M}"
