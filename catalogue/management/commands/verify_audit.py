"""python manage.py verify_audit: walk the audit hash chain; exit 1 naming the first bad record."""

import sys

from django.core.management.base import CommandError
from tqdm import tqdm

from ...services.audit_chain import seal_pending, verify_chain
from ..base import AuditedCommand


class Command(AuditedCommand):
    help = (
        "Verify that no sealed audit record was changed or deleted (exit 1 on the first that was)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seal", action="store_true", help="seal pending audit rows before verifying"
        )

    def handle(self, *args, **options):
        if options["seal"]:
            sealed = seal_pending(full=True)
            self.stdout.write(f"sealed {sealed} pending audit records")
        bar = tqdm(
            unit=" records", disable=not sys.stderr.isatty(), file=sys.stderr, desc="verifying"
        )

        def on_total(total: int) -> None:
            bar.total = total
            bar.refresh()

        try:
            result = verify_chain(progress=bar.update, on_total=on_total)
        finally:
            bar.close()
        if not result.ok:
            problem = result.problem
            assert (
                problem is not None
            )  # verify_chain reports ok=False only with the problem it found
            self.stderr.write(
                f"FAILED: {problem}\n  table: {problem.table}\n  id: {problem.row_id}\n"
                f"  seal: #{problem.seq}\n  {result.checked} records verified before it"
            )
            raise CommandError(
                f"audit chain broken at {problem.table} row {problem.row_id}", returncode=1
            )
        self.stdout.write(f"OK: all {result.checked} audit records verify")
        if result.unsealed:
            self.stdout.write(f"({result.unsealed} newer records are not sealed yet)")
