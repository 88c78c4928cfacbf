import secrets

from django.db import transaction

from ...demo import SEEDERS
from ...services.audit import audited_as_system
from ..base import AuditedCommand


class Command(AuditedCommand):
    help = "Create the demo teams, users and catalogue. Idempotent; --password resets every demo user's password."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", help="password for every demo user (generated and printed if omitted)"
        )

    def handle(self, *args, password=None, **options):
        generated = password is None
        password = password or secrets.token_urlsafe(12)
        context: dict = {}
        # The demo personas pass the same permission checks a person would; the audit trail
        # names the command (origin `command`, no actor), since nobody took these actions.
        with transaction.atomic(), audited_as_system("seed_demo"):
            for seeder in SEEDERS:
                self.stdout.write(f"seeding {seeder.__module__.rsplit('.', 1)[-1]} ...")
                context.update(seeder(password=password, context=context) or {})
        users = ", ".join(sorted(context.get("users", {})))
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Users: {users}"))
        if generated:
            self.stdout.write(self.style.WARNING(f"Demo password (generated): {password}"))
        else:
            self.stdout.write("Demo password: as given with --password")
