"""Seed roles, the admin account and (``--demo``) demo users. Idempotent."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management.base import CommandError
from django.db import transaction

from accounts.models import User
from accounts.roles import AUDITED_APPS, ROLE_PERMISSIONS
from accounts.subscriptions.services import seed_plans
from core.management.base import AuditedCommand
from core.permissions import ROLE_AUDITOR, ROLE_MEMBER, ROLE_OPERATOR

DEMO_PASSWORD = "demo-password-2026"
DEMO_USERS = [
    ("alice@demo.ogc.local", "Alice", ROLE_MEMBER, False),
    ("bob@demo.ogc.local", "Bob", ROLE_MEMBER, False),
    ("carol@demo.ogc.local", "Carol", ROLE_MEMBER, False),
    ("operator@demo.ogc.local", "Olga Operator", ROLE_OPERATOR, True),
    ("auditor@demo.ogc.local", "Aude Auditor", ROLE_AUDITOR, True),
]


def _permissions_for(role: str) -> list[Permission]:
    wanted = list(ROLE_PERMISSIONS[role])
    perms: list[Permission] = []
    for dotted in wanted:
        app_label, codename = dotted.split(".", 1)
        perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if perm is None:
            raise CommandError(f"Role {role}: permission {dotted} does not exist (migrate first?).")
        perms.append(perm)
    if role == ROLE_AUDITOR:
        perms.extend(Permission.objects.filter(content_type__app_label__in=AUDITED_APPS, codename__startswith="view_"))
    return perms


class Command(AuditedCommand):
    help = "Create roles, the admin account (OGC_ADMIN_EMAIL/OGC_ADMIN_PASSWORD) and, with --demo, demo data."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Also create demo users (local runs).")
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
        created_count = 0
        for role in ROLE_PERMISSIONS:
            group, created = Group.objects.get_or_create(name=role)
            created_count += int(created)
            wanted = {p.pk for p in _permissions_for(role)}
            current = set(group.permissions.values_list("pk", flat=True))
            if wanted != current:
                group.permissions.set(wanted)
            self.stdout.write(f"Role {role}: {len(wanted)} permission(s){' (new)' if created else ''}.")
        return created_count

    def seed_admin(self) -> None:
        email = (getattr(settings, "OGC_ADMIN_EMAIL", "") or "").strip().lower()
        password = getattr(settings, "OGC_ADMIN_PASSWORD", "") or ""
        if not email or not password:
            raise CommandError("OGC_ADMIN_EMAIL and OGC_ADMIN_PASSWORD must be set to seed the admin account.")
        user = User.objects.filter(email=email).first()
        if user is None:
            User.objects.create_superuser(email=email, password=password, display_name="Administrator")
            self.stdout.write(f"Admin account {email} created.")
        else:
            self.stdout.write(f"Admin account {email} exists; left unchanged.")

    def seed_demo(self, options) -> None:
        groups = {g.name: g for g in Group.objects.all()}
        for email, name, role, staff in DEMO_USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=DEMO_PASSWORD, display_name=name, is_staff=staff)
                self.stdout.write(f"Demo user {email} ({role}) created.")
            if not user.groups.filter(pk=groups[role].pk).exists():
                user.groups.add(groups[role])
        if options["users"] > 0:
            from accounts.demo.builder import build_demo_platform

            counts = build_demo_platform(users=options["users"], password=DEMO_PASSWORD, stream=self.stderr)
            if counts:
                self.stdout.write(
                    f"Demo platform: {counts['users']} new user(s), {counts['transactions']} ledger row(s)."
                )
        self.stdout.write(f"Demo users share the password {DEMO_PASSWORD!r}.")
