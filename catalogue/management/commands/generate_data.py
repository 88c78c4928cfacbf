"""python manage.py generate_data --artifacts N --reuses M --contributors K --consents C [--seed S] [--append]"""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from tqdm import tqdm

from ...datagen.generator import CatalogueNotEmpty, Generator, Sizes
from ..base import AuditedCommand


class Command(AuditedCommand):
    help = (
        "Bulk-load a synthetic catalogue with COPY (artifacts, lineage, Zipf-popular reuses, outcomes, "
        "contributors, consents, rollups) for benchmarks. Refuses a non-empty catalogue unless --append."
    )

    def add_arguments(self, parser):
        parser.add_argument("--artifacts", type=int, default=20_000)
        parser.add_argument("--reuses", type=int, default=200_000)
        parser.add_argument("--contributors", type=int, default=2_000)
        parser.add_argument("--consents", type=int, default=2_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--append", action="store_true", help="add to a catalogue that already has artifacts"
        )
        parser.add_argument(
            "--as", dest="username", help="recorded as the actor (default: none, 'system')"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        sizes = Sizes(
            options["artifacts"],
            options["reuses"],
            options["contributors"],
            options["consents"],
            options["seed"],
        )
        if min(sizes.artifacts, sizes.contributors) < 1 or min(sizes.reuses, sizes.consents) < 0:
            raise CommandError(
                "--artifacts and --contributors must be at least 1; --reuses and --consents not negative."
            )
        user = None
        if options["username"]:
            user = get_user_model().objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"No user '{options['username']}'.")
        total = sizes.contributors + 2 * sizes.artifacts + sizes.reuses
        with tqdm(
            total=total,
            unit="row",
            desc="generate",
            file=self.stderr,
            disable=options["no_progress"],
        ) as bar:

            def progress(phase: str, n: int) -> None:
                bar.set_postfix_str(phase, refresh=False)
                if phase in ("contributors", "artifacts", "versions", "reuses"):
                    bar.update(n)

            try:
                result = Generator(
                    sizes, acting_user=user, append=options["append"], progress=progress
                ).run()
            except CatalogueNotEmpty as exc:
                raise CommandError(str(exc)) from None
        counts = ", ".join(f"{k} {v}" for k, v in result.counts.items())
        timings = ", ".join(f"{k} {v}s" for k, v in result.seconds.items())
        self.stdout.write(f"Generated: {counts}.")
        self.stdout.write(f"Timings: {timings}.")
        if result.chain_leaf:
            self.stdout.write(
                f"Deep lineage: {result.chain_leaf} (root {result.chain_root}, covered by 100 consents)."
            )
