"""Seed roles, the admin account and (``--demo``) demo users with their living world
(``demo.world``) or (``--users N``) the demo platform at scale. Idempotent."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction

from accounts.models import User
from accounts.services import account_create, roles_sync
from core.management.base import AuditedCommand
from core.permissions import ROLE_AUDITOR, ROLE_MEMBER, ROLE_OPERATOR
from demo.world import build_demo_world
from subscriptions.services import seed_plans

DEMO_PASSWORD = "demo-password-2026"
DEMO_USERS = [
    ("alice@demo.ogc.local", "Alice", ROLE_MEMBER, False),
    ("bob@demo.ogc.local", "Bob", ROLE_MEMBER, False),
    ("carol@demo.ogc.local", "Carol", ROLE_MEMBER, False),
    ("dave@demo.ogc.local", "Dave", ROLE_MEMBER, False),
    ("erin@demo.ogc.local", "Erin", ROLE_MEMBER, False),
    ("frank@demo.ogc.local", "Frank", ROLE_MEMBER, False),
    ("operator@demo.ogc.local", "Olga Operator", ROLE_OPERATOR, True),
    ("auditor@demo.ogc.local", "Aude Auditor", ROLE_AUDITOR, True),
]


class Command(AuditedCommand):
    help = "Create roles, the admin account (OGC_ADMIN_EMAIL/OGC_ADMIN_PASSWORD) and, with --demo, demo data."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo", action="store_true", help="Also create demo users and their demo world (local runs)."
        )
        parser.add_argument("--no-admin", action="store_true", help="Skip the admin account.")
        self.add_demo_arguments(parser)

    def add_demo_arguments(self, parser) -> None:
        """Hook for the demo-data generator's options (``--users N`` ...)."""
        parser.add_argument(
            "--users",
            type=int,
            default=0,
            metavar="N",
            help=(
                "With --demo: demo data at scale for N users demo1..demoN@demo.ogc.local (wallets, ledger, "
                "challenges, subscriptions, badges, notifications, proposals). A second run only adds the "
                "missing users. See docs/seeding.md."
            ),
        )

    @transaction.atomic
    def run(self, *args, **options):
        if options["users"] < 0 or (options["users"] and not options["demo"]):
            raise CommandError("--users N needs --demo and N >= 0.")
        created_groups = self.seed_roles()
        seed_plans()
        if not options["no_admin"]:
            self.seed_admin()
        if options["demo"]:
            self.seed_demo(options)
        self.stdout.write(self.style.SUCCESS(f"Seed complete ({created_groups} new role(s))."))

    def seed_roles(self) -> int:
        report = roles_sync()
        for role, (count, created) in report.items():
            self.stdout.write(f"Role {role}: {count} permission(s){' (new)' if created else ''}.")
        return sum(created for _, created in report.values())

    def seed_admin(self) -> None:
        email = (getattr(settings, "OGC_ADMIN_EMAIL", "") or "").strip().lower()
        password = getattr(settings, "OGC_ADMIN_PASSWORD", "") or ""
        if not email or not password:
            raise CommandError("OGC_ADMIN_EMAIL and OGC_ADMIN_PASSWORD must be set to seed the admin account.")
        _, created = account_create(email=email, password=password, display_name="Administrator", is_superuser=True)
        self.stdout.write(f"Admin account {email} {'created' if created else 'exists; left unchanged'}.")

    def seed_demo(self, options) -> None:
        accounts: dict[str, User] = {}
        for email, name, role, staff in DEMO_USERS:
            accounts[email], created = account_create(
                email=email, password=DEMO_PASSWORD, display_name=name, role=role, is_staff=staff
            )
            if created:
                self.stdout.write(f"Demo user {email} ({role}) created.")
        if options["users"] > 0:
            from demo.builder import build_demo_platform

            counts = build_demo_platform(users=options["users"], password=DEMO_PASSWORD, stream=self.stderr)
            if counts:
                self.stdout.write(
                    f"Demo platform: {counts['users']} new user(s), {counts['transactions']} ledger row(s)."
                )
        # After the platform at scale: its back-dated rows come first, so ids follow time.
        self.seed_world(operator=accounts["operator@demo.ogc.local"])
        self.stdout.write(f"Demo users share the password {DEMO_PASSWORD!r}.")

    def seed_world(self, *, operator: User) -> None:
        outcome, counts = build_demo_world(operator=operator)
        if outcome == "exists":
            self.stdout.write("Demo world exists; left unchanged.")
        elif outcome == "skipped":
            self.stdout.write(
                "Demo world skipped: the demo members already have wallet or challenge history "
                "(start from an empty database for the demo world: make clean && make run)."
            )
        else:
            made = ", ".join(f"{count} {what}" for what, count in counts.items())
            self.stdout.write(f"Demo world created: {made}.")
