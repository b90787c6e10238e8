"""`manage.py import_figures OPERATIONS.csv [COUNTRY_RESULTS.csv]` or `import_figures PACKAGE` (a data package folder
or zip): validate, report, and import all or nothing. Files of any size (streamed, one transaction), with a progress
line when the output is a terminal."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from operations.importing import UploadedTable, import_files, import_package


class Command(BaseCommand):
    # Django's system checks (admin, URLs, templates) say nothing about an import and cost 0.2 s of CPU and 20 MB of
    # every run (measured); `manage.py check` and the server still run them.
    requires_system_checks = []
    help = (
        "Import operations and their per-country results from CSV (UTF-8 or Windows-1252, ',' or ';') or XLSX files. "
        "Every row is checked; any error rejects the whole import and nothing is written. Files of any size are read "
        "as a stream and written in one transaction (the admin's upload takes at most 100,000 rows). A data package "
        "(a folder or zip with datapackage.json, the format of export_package) is imported instead when given alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "operations", help="operations file (use '-' to import only country results), or a data package"
        )
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
        first = Path(options["operations"])
        if options["country_results"] is None and (first.is_dir() or first.suffix.lower() == ".zip"):
            if not first.exists():
                raise CommandError(f"cannot read {first}: no such file or folder")
            report = import_package(first, commit=not options["dry_run"], user=user)
            return self.finish(report)
        files = []
        for path in (options["operations"], options["country_results"]):
            if path in (None, "-"):
                files.append(None)
                continue
            try:
                files.append(UploadedTable.from_path(path))
            except OSError as error:
                raise CommandError(f"cannot read {path}: {error.strerror}") from error
        progress = self.progress if self.stdout.isatty() else None
        self.finish(import_files(*files, commit=not options["dry_run"], user=user, limits=None, progress=progress))

    def progress(self, rows, seconds):
        """One line, rewritten in place after each batch (only on a terminal: a log gets the summary alone)."""
        rate = rows / seconds if seconds else 0
        self.stdout.write(f"\r{rows:,} rows checked in {seconds:.0f} s ({rate:,.0f} rows/s)", ending="")
        self.stdout.flush()

    def finish(self, report):
        if self.stdout.isatty():
            self.stdout.write("")  # ends the progress line
        for name, how in report.files.items():
            self.stdout.write(f"{name}: read as {how}")
        if not report.ok:
            for issue in report.errors:
                self.stderr.write(str(issue))
            count = len(report.errors) - (1 if report.unlisted else 0) + report.unlisted
            raise CommandError(f"{count} error(s); nothing was imported.")
        self.stdout.write(self.style.SUCCESS(report.summary()))
