"""python manage.py bench [--size tiny|small|large] [--quick] [--out DIR]: the side-by-side benchmarks.

Generates the catalogue first when it is empty (at --size), then writes report.md and
report.json. Not part of `make test`; `make bench` runs it.
"""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

from ...datagen.bench import Bench, Options
from ...datagen.report import write
from ...models import Artifact
from ..base import AuditedCommand

SIZES = {
    # artifacts, reuses, contributors, consents
    "tiny": (2_000, 10_000, 500, 300),
    "small": (20_000, 200_000, 2_000, 2_000),
    "large": (1_000_000, 10_000_000, 100_000, 100_000),
}


class Command(AuditedCommand):
    help = "Run the benchmark suite (generating data at --size into an empty catalogue) and write the report."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="small")
        parser.add_argument(
            "--quick", action="store_true", help="few repetitions, a 3-second load test"
        )
        parser.add_argument(
            "--repeat", type=int, help="repetitions per measurement (default 15, quick 5)"
        )
        parser.add_argument(
            "--skip-load", action="store_true", help="skip the gunicorn mixed-load section"
        )
        parser.add_argument("--only", help="comma-separated section numbers, e.g. 1,4")
        parser.add_argument("--out", default="bench-results")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        if not Artifact.objects.exists():
            artifacts, reuses, contributors, consents = SIZES[options["size"]]
            self.stdout.write(f"Empty catalogue: generating the {options['size']} size first.")
            call_command(
                "generate_data",
                artifacts=artifacts,
                reuses=reuses,
                contributors=contributors,
                consents=consents,
                seed=options["seed"],
                stdout=self.stdout,
                stderr=self.stderr,
            )
        quick = options["quick"]
        bench_options = Options(
            repeat=options["repeat"] or (5 if quick else 15),
            quick=quick,
            load_seconds=1.5 if quick else 10.0,
            load_levels=(2, 4) if quick else (1, 2, 4, 8, 16),
            skip_load=options["skip_load"],
            ingest_rows=50 if quick else 500,
            new_outcomes=300 if quick else 10_000,
        )
        only = None
        if options["only"]:
            try:
                only = {int(part) for part in options["only"].split(",")}
            except ValueError:
                raise CommandError("--only takes section numbers, e.g. 1,4") from None
        report = Bench(bench_options, log=self.stdout.write).run(only=only)
        json_path, md_path = write(report, Path(options["out"]))
        for section in report.sections:
            for f in section["figures"]:
                self.stdout.write(
                    f"{section['number']}. {f['name']}: {f['value']} {f['unit']} [{f['verdict']}]"
                )
        self.stdout.write(f"Wrote {md_path} and {json_path}.")
