"""`manage.py load_reference`: load the vendored reference data package; safe to run again."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.importing import import_package
from operations.models import Origin


class Command(BaseCommand):
    help = (
        "Load the reference data package (operations/reference_data/) through the import engine: adds what the "
        "database lacks, never overwrites what is stored. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", type=Path, default=settings.REFERENCE_DIR, help="Data package folder or zip (default: vendored)."
        )

    def handle(self, *args, **options):
        if not options["dir"].exists():
            raise CommandError(f"{options['dir']} not found: give a data package folder or zip with --dir")
        report = import_package(options["dir"], commit=True, origin=Origin.REFERENCE)
        if not report.ok:
            for issue in report.errors:
                self.stderr.write(str(issue))
            raise CommandError(f"{len(report.errors)} error(s) in the reference data; nothing was loaded.")
        self.stdout.write(self.style.SUCCESS(f"Reference data: {report.summary()}"))
