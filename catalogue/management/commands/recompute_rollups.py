from tqdm import tqdm

from ...services.rollups import rollups_recompute
from ..base import AuditedCommand


class Command(AuditedCommand):
    help = (
        "Recompute every reuse and outcome rollup from scratch, report each difference from the "
        "stored rollups, and with --fix correct them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="write the recomputed values")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args, fix=False, no_progress=False, **options):
        def progress(rows):
            return tqdm(rows, desc="rollups", unit="rows", disable=no_progress, file=self.stderr)

        differences = rollups_recompute(fix=fix, progress=progress)
        for difference in differences:
            self.stdout.write(str(difference))
        if not differences:
            self.stdout.write(self.style.SUCCESS("Rollups match a from-scratch recomputation."))
        elif fix:
            self.stdout.write(
                self.style.WARNING(f"{len(differences)} differences found and fixed.")
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(differences)} differences found; run with --fix to correct them."
                )
            )
