"""Roles: Django groups with least-privilege permissions, created by ``seed``.

Each entry is ``app_label.codename``. ``auditor`` additionally receives every
``view_*`` permission of the apps in ``AUDITED_APPS`` (read-only everything).
Apps add their models' permissions here when they add models.
"""

from __future__ import annotations

from core.permissions import ROLE_AUDITOR, ROLE_MEMBER, ROLE_MODERATOR, ROLE_OPERATOR

AUDITED_APPS = (
    "accounts",
    "wallets",
    "notifications",
    "subscriptions",
    "challenges",
    "governance",
    "auditlog",
    "auth",
    "core",
    "ai",
)

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Members use the site and the API; they never open the admin.
    ROLE_MEMBER: [],
    # Moderators look after community content.
    ROLE_MODERATOR: [
        "accounts.view_user",
        # Governance: read proposals and votes; cancel abusive proposals (admin action).
        "governance.view_proposal",
        "governance.change_proposal",
        "governance.view_vote",
        # Challenges: review queue (accept/score/reject) and badge management.
        "challenges.view_challenge",
        "challenges.view_submission",
        "challenges.review_submission",
        "challenges.view_badge",
        "challenges.add_badge",
        "challenges.change_badge",
        "challenges.view_userbadge",
        "challenges.manage_badges",
        # AI segment: the similarity flags shown in the review queue.
        "ai.view_similarityflag",
    ],
    # Operators run the money side and user support.
    ROLE_OPERATOR: [
        "accounts.view_user",
        "accounts.change_user",
        "wallets.view_wallet",
        # Wallets: read ledgers; deposits, withdrawal decisions and adjustments go
        # through the services (admin actions/forms and /api/v1/ops/), never edits.
        "wallets.view_transaction",
        "wallets.view_walletaddress",
        # The double-entry side: system accounts with the supply report, journal entries.
        "wallets.view_ledgeraccount",
        "wallets.view_journalentry",
        "wallets.create_deposit",
        "wallets.approve_withdrawal",
        "wallets.create_adjustment",
        # Notifications: read inboxes for support, resend failed channels, broadcast.
        "notifications.view_notification",
        "notifications.view_notificationdelivery",
        "notifications.change_notificationdelivery",
        "notifications.broadcast_notification",
        "notifications.view_notificationpreference",
        # Subscriptions: manage plans; subscriptions change only through the admin
        # actions (cancel, extend a period with a reason), which call the services.
        "subscriptions.view_plan",
        "subscriptions.add_plan",
        "subscriptions.change_plan",
        "subscriptions.view_subscription",
        "subscriptions.change_subscription",
        "subscriptions.extend_subscription",
        "subscriptions.view_subscriptionperiod",
        # Audit: read the trail (admin and GET /api/v1/audit-logs/); nobody can change it.
        "auditlog.view_logentry",
        # The console's dashboard: the last verify_ledger / check_integrity runs.
        "core.view_checkrun",
        "governance.view_proposal",
        "governance.view_vote",
        # Challenges: everything moderators do, plus running challenges and paying
        # rewards (judge/award admin actions call the services; rewards are read-only).
        "challenges.view_challenge",
        "challenges.add_challenge",
        "challenges.change_challenge",
        "challenges.judge_challenge",
        "challenges.view_challengeentry",
        "challenges.view_submission",
        "challenges.review_submission",
        "challenges.view_reward",
        "challenges.award_reward",
        "challenges.view_badge",
        "challenges.add_badge",
        "challenges.change_badge",
        "challenges.view_userbadge",
        "challenges.manage_badges",
        # AI segment: flags, stored vectors (metadata), members' choices and the assistant's requests, read-only.
        "ai.view_similarityflag",
        "ai.view_embedding",
        "ai.view_memberaipreference",
        "ai.view_airequest",
    ],
    # Auditors read everything (see AUDITED_APPS) and change nothing.
    ROLE_AUDITOR: [],
}
