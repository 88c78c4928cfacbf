"""python manage.py import_artifacts FILE [--dry-run] [--as USERNAME]: all rows or none."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from tqdm import tqdm

from ...bulk.formats import FileProblem, parse
from ...services.bulk_import import import_rows
from ..base import AuditedCommand


def acting_user(username: str | None):
    """The named user, or the first active superuser when none is named."""
    users = get_user_model().objects.filter(is_active=True)
    user = (
        users.filter(username=username).first()
        if username
        else users.filter(is_superuser=True).order_by("id").first()
    )
    if user is None:
        raise CommandError(
            f"No active user '{username}'."
            if username
            else "No active superuser; name one with --as USERNAME."
        )
    return user


class Command(AuditedCommand):
    help = "Import artifacts (authors, tags, versions, lineage) from a CSV or JSON file; nothing is written if any row is wrong."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="CSV or JSON file (UTF-8), e.g. the output of export_artifacts"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would happen; change nothing"
        )
        parser.add_argument(
            "--as", dest="username", help="act as this user (default: the first superuser)"
        )

    def handle(self, *args, file: str, dry_run: bool, username: str | None, **options):
        user = acting_user(username)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            parsed = parse(path.read_bytes(), filename=path.name)
        except FileProblem as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{path.name} cannot be read; nothing was imported.") from None
        with tqdm(
            total=len(parsed.rows),
            desc="import",
            unit="row",
            file=self.stderr,
            disable=options.get("verbosity", 1) < 1,
        ) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total  # rows are checked, then written: two steps per row
                bar.update(done - bar.n)

            report = import_rows(
                parsed.rows,
                acting_user=user,
                dry_run=dry_run,
                source=parsed.format,
                progress=progress,
                reason=f"bulk import of {path.name}",
            )
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(report.errors)} problem(s) in {path.name}; nothing was imported."
            )
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{report.rows} rows as {user.username}: {len(report.created)} {verb} created, "
            f"{len(report.updated)} {verb} updated, {len(report.unchanged)} unchanged"
            f"{f', {len(report.contributors_created)} contributors {verb} created' if report.contributors_created else ''}."
            + (" Dry run: nothing was changed." if dry_run else "")
        )
