"""Base for the product's commands: every write they make is audited with origin `command`."""

import os

from django.core.management.base import BaseCommand

from ..origin import origin


class AuditedCommand(BaseCommand):
    def execute(self, *args, **options):
        with origin(kind="command", command=self.__module__.rsplit(".", 1)[-1], pid=os.getpid()):
            return super().execute(*args, **options)
