"""Demo data: roles, the admin account and demo members (``manage.py seed``), and the
whole-platform generator at scale (``seed --demo --users N``, ``demo.builder``).

It may import every app; no app imports it (import-linter enforces both)."""
