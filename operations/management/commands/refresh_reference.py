"""`manage.py refresh_reference --from PATH`: replace the vendored reference package with a newer one, validated."""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations import datapackage
from operations.importing import import_package


class Command(BaseCommand):
    help = (
        "Copy a newer data package (a folder with datapackage.json, README.md, validate.py and the four CSV files) "
        "into the repository's reference data, after checking it with its validate.py (frictionless and the "
        "cross-table rules; needs requirements-dev.txt) and with the importer (a dry run, nothing written). "
        "Then load it with `manage.py load_reference` and commit the files."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", type=Path, required=True, help="The newer package's folder.")

    def handle(self, *args, **options):
        source = options["source"].resolve()
        target = datapackage.FORMAT_DIR
        names = [*datapackage.COMPANION_FILES, *(datapackage.file_name(name) for name in datapackage.resources())]
        missing = [name for name in names if not (source / name).is_file()]
        if missing:
            raise CommandError(f"{source} is not a data package folder: missing {', '.join(missing)}")
        with tempfile.TemporaryDirectory() as scratch:
            staged = Path(scratch) / "package"
            staged.mkdir()
            for name in names:
                shutil.copyfile(source / name, staged / name)
            # The package's own checks, run on the copy as its README says (python validate.py PACKAGE_DIR).
            checked = subprocess.run(
                [sys.executable, str(staged / "validate.py"), str(staged)], capture_output=True, text=True
            )
            self.stdout.write(checked.stdout)
            if checked.returncode != 0:
                raise CommandError(f"validate.py refused the package; nothing was copied.\n{checked.stderr}")
            report = import_package(staged, commit=False)
            if not report.ok:
                for issue in report.errors:
                    self.stderr.write(str(issue))
                raise CommandError(f"{len(report.errors)} error(s) for the importer; nothing was copied.")
            for name in names:
                shutil.copyfile(staged / name, target / name)
        datapackage.descriptor.cache_clear()
        datapackage.resources.cache_clear()
        self.stdout.write(
            self.style.SUCCESS(
                f"Copied into {target}/. {report.summary()} Run load_reference to load, and commit the files."
            )
        )
