"""`manage.py load_reference`: load the sourced reference operations; safe to run again."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.reference import ReferenceDataError, load_reference


class Command(BaseCommand):
    help = "Load the sourced reference data (operations.csv, country_results.csv). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=settings.REFERENCE_DIR, help="Folder with the reference CSVs.")

    def handle(self, *args, **options):
        try:
            report = load_reference(options["dir"])
        except ReferenceDataError as error:
            raise CommandError(str(error)) from error
        created = ", ".join(f"{count} {kind}" for kind, count in sorted(report.created.items())) or "nothing"
        unchanged = ", ".join(f"{count} {kind}" for kind, count in sorted(report.skipped.items())) or "nothing"
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded. Created: {created}. Already there: {unchanged}."))
