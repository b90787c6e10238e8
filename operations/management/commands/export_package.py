"""`manage.py export_package DIR|FILE.zip`: write the whole database as a data package (the reference data's format)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations import datapackage


class Command(BaseCommand):
    help = (
        "Write every source, operation, participating country and figure report as a data package: a folder, or a "
        "zip if the path ends in .zip. Streamed: memory stays flat whatever the size of the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", type=Path, help="Folder to write into (created if needed), or FILE.zip.")

    def handle(self, *args, **options):
        target = options["target"]
        try:
            if target.suffix.lower() == ".zip":
                size = datapackage.write_zip(target)
                written = f"{target} ({size:,} bytes)"
            else:
                sizes = datapackage.write_folder(target)
                written = f"{target}/ ({', '.join(sorted(sizes))})"
        except OSError as error:
            raise CommandError(f"cannot write {target}: {error.strerror}") from error
        self.stdout.write(self.style.SUCCESS(f"Data package written: {written}"))
