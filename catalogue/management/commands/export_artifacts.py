"""python manage.py export_artifacts --format csv|json --output FILE [--as USERNAME] [filters]."""

from django.core.management.base import CommandError
from django.http import QueryDict
from tqdm import tqdm

from ...bulk.exporter import export_queryset, iter_csv, iter_json
from ..base import AuditedCommand
from .import_artifacts import acting_user

FILTERS = (
    "q",
    "kind",
    "owner_team",
    "status",
    "tag",
    "sensitivity",
    "customer_derived",
    "reusable_by",
    "ordering",
)


class Command(AuditedCommand):
    help = "Export the catalogue (or a filtered part of it) as CSV or JSON that import_artifacts reads back."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--output", required=True, help="file to write")
        parser.add_argument(
            "--as",
            dest="username",
            help="export what this user may see (default: the first superuser)",
        )
        parser.add_argument("--q", help="search text")
        for name in ("kind", "status", "sensitivity"):
            parser.add_argument(f"--{name}", action="append", help=f"{name} (repeat for several)")
        parser.add_argument("--owner-team", dest="owner_team", help="team slug")
        parser.add_argument("--tag")
        parser.add_argument(
            "--customer-derived", dest="customer_derived", choices=["true", "false"]
        )
        parser.add_argument("--reusable-by", dest="reusable_by", help="team slug")
        parser.add_argument("--ordering")

    def handle(self, *args, **options):
        user = acting_user(options["username"])
        params = QueryDict(mutable=True)
        for name in FILTERS:
            value = options.get(name)
            if value:
                params.setlist(name, value if isinstance(value, list) else [value])
        try:
            queryset = export_queryset(user=user, params=params, strict=True)
            total = queryset.order_by().count()
        except Exception as exc:  # noqa: BLE001 - a bad filter value is the operator's to fix
            raise CommandError(f"Bad filter: {exc}") from None
        writer = iter_csv if options["format"] == "csv" else iter_json
        with (
            open(options["output"], "w", encoding="utf-8", newline="") as handle,
            tqdm(
                total=total,
                desc="export",
                unit="row",
                file=self.stderr,
                disable=options.get("verbosity", 1) < 1,
            ) as bar,
        ):

            def progress(done: int, _total: int) -> None:
                bar.update(done - bar.n)

            for chunk in writer(queryset, progress=progress, total=total):
                handle.write(chunk)
        self.stdout.write(
            f"Exported {total} artifacts visible to {user.username} to {options['output']}."
        )
