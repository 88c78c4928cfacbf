"""Rebuild the derived RightsGrant rows from every artifact's current policy.

Run after a change to the ODRL engine's semantics (the rows are what `reusable_by` filters on).
Safe to repeat: each artifact's rows are replaced in its own transaction, under its row lock.
"""

from django.db import transaction

from ...checks.policy import refresh_grants
from ...models import Artifact
from ..base import AuditedCommand


class Command(AuditedCommand):
    help = "Rebuild the reuse-rights grant rows (the list filter's view of the policies)."

    def add_arguments(self, parser):
        parser.add_argument("--artifact", help="Only this artifact slug.")

    def handle(self, *args, **options):
        ids = Artifact.objects.filter(current_policy__isnull=False)
        if options.get("artifact"):
            ids = ids.filter(slug=options["artifact"])
        done = 0
        for pk in ids.values_list("pk", flat=True).iterator(chunk_size=500):
            with transaction.atomic():
                artifact = (
                    Artifact.objects.select_for_update(of=("self",))
                    .select_related("current_policy")
                    .get(pk=pk)
                )
                refresh_grants(artifact, artifact.current_policy)
            done += 1
        self.stdout.write(f"Rebuilt rights grants for {done} artifact(s).")
