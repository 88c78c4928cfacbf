"""`manage.py migrate` runs as the schema owner when DATABASE_OWNER_URL is set.

The application role (DATABASE_URL) cannot create or alter tables; the owner alias exists only
for this command, so `--database` defaults to it. An explicit `--database` still wins.
"""

from django.conf import settings
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import DEFAULT_DB_ALIAS


class Command(MigrateCommand):
    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        owner = getattr(settings, "OWNER_DATABASE", "")
        parser.set_defaults(database=owner if owner in settings.DATABASES else DEFAULT_DB_ALIAS)
