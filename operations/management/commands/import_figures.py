"""`manage.py import_figures OPERATIONS.csv [COUNTRY_RESULTS.csv]`: validate, report, and import all or nothing."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from operations.importing import UploadedTable, import_files


class Command(BaseCommand):
    help = (
        "Import operations and their per-country results from CSV (UTF-8 or Windows-1252, ',' or ';') or XLSX files. "
        "Every row is checked first; any error rejects the whole import and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("operations", help="operations file (use '-' to import only country results)")
        parser.add_argument("country_results", nargs="?", help="country results file (optional)")
        parser.add_argument("--dry-run", action="store_true", help="Check and report what would change; write nothing.")
        parser.add_argument("--user", help="Username recorded in the history as the author of the changes.")

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist as error:
                raise CommandError(f"no user named {options['user']!r}") from error
        files = []
        for path in (options["operations"], options["country_results"]):
            if path in (None, "-"):
                files.append(None)
                continue
            try:
                files.append(UploadedTable.from_path(path))
            except OSError as error:
                raise CommandError(f"cannot read {path}: {error.strerror}") from error
        report = import_files(*files, commit=not options["dry_run"], user=user)
        for name, how in report.files.items():
            self.stdout.write(f"{name}: read as {how}")
        if not report.ok:
            for issue in report.errors:
                self.stderr.write(str(issue))
            raise CommandError(f"{len(report.errors)} error(s); nothing was imported.")
        self.stdout.write(self.style.SUCCESS(report.summary()))
