"""Subscriptions: plans, the status machine, token payments, renewal, cancellation
and expiry; see docs/subscriptions.md."""
