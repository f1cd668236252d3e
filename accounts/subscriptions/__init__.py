"""Subscriptions: plans, the status machine, token payments, renewal, cancellation
and expiry. Models live in ``accounts.models.subscriptions``; see docs/subscriptions.md."""
