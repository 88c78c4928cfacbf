"""Turn bad configuration into a one-line message instead of a traceback."""

import sys
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured


def fail_fast_on_bad_config() -> None:
    """Import the settings now so a malformed variable stops start-up with one readable line."""
    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - forces the settings module to load
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"Configuration error: {exc}\n")
        raise SystemExit(2) from None


def run_reporting_unreachable_database(run: Callable[[list[str]], None], argv: list[str]) -> None:
    """Run a management command; an unreachable database becomes one line naming DATABASE_URL."""
    from django.db import OperationalError

    try:
        run(argv)
    except OperationalError as exc:
        first_line = (
            str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        )
        sys.stderr.write(
            f"Cannot reach the database given by DATABASE_URL: {first_line}\n"
            "Check the host, port, credentials and that PostgreSQL is running.\n"
        )
        raise SystemExit(2) from None
