#!/usr/bin/env python
"""Django's command-line utility."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from config.startup import fail_fast_on_bad_config, run_reporting_unreachable_database

    fail_fast_on_bad_config()
    from django.core.management import execute_from_command_line

    run_reporting_unreachable_database(execute_from_command_line, sys.argv)


if __name__ == "__main__":
    main()
