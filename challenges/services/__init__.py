"""Write layer of the challenges app (its public interface for writes), one module per
concern: ``lifecycle`` (create, edit, publish, close, archive), ``submissions``
(submit, edit, withdraw, review), ``judging`` (rank and pay rewards through the ledger),
``badges`` (award and revoke by staff) and ``rules`` (the checks they share). The
rule-based badges live in ``challenges.badges``."""

from challenges.services.badges import badge_award, badge_revoke
from challenges.services.judging import challenge_judge, rewards_award
from challenges.services.lifecycle import (
    CHALLENGE_FIELDS,
    challenge_archive,
    challenge_close,
    challenge_create,
    challenge_publish,
    challenge_update,
    challenges_close_due,
)
from challenges.services.submissions import submission_create, submission_review, submission_update, submission_withdraw

__all__ = [
    "CHALLENGE_FIELDS",
    "badge_award",
    "badge_revoke",
    "challenge_archive",
    "challenge_close",
    "challenge_create",
    "challenge_judge",
    "challenge_publish",
    "challenge_update",
    "challenges_close_due",
    "rewards_award",
    "submission_create",
    "submission_review",
    "submission_update",
    "submission_withdraw",
]
