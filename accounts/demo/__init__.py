"""Demo data at scale (``manage.py seed --demo --users N``); see ``accounts.demo.builder``."""
