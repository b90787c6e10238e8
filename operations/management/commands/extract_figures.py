"""`manage.py extract_figures PATH... --json OUT`: draft operations from texts and write them as predictions."""

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from operations.drafting import places
from operations.drafting.sources import SourceError, from_bytes
from operations.models import CountryAlias


def editor_aliases() -> dict:
    """The editors' own country aliases, when this database has them; {} on a database not migrated."""
    if CountryAlias._meta.db_table not in connection.introspection.table_names():
        return {}
    return places.editor_aliases()


class Command(BaseCommand):
    help = (
        "Read texts (plain text, saved HTML pages, or the extraction corpus's .txt format) and write the operations, "
        "periods, countries and figures they report, in the shape of the extraction corpus's expected.json."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files, or folders whose .txt/.html files are read")
        parser.add_argument("--json", dest="output", required=True, help="where to write the predictions")
        parser.add_argument("--language", choices=["en", "es", "fr"], help="the texts' language (default: detected)")

    def handle(self, *args, **options):
        files = []
        for path in map(Path, options["paths"]):
            if path.is_dir():
                files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in (".txt", ".html", ".htm")))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"no such file or folder: {path}")
        aliases = editor_aliases()
        predictions = []
        started = time.perf_counter()
        for path in files:
            try:
                source = from_bytes(path.read_bytes(), language=options["language"])
            except SourceError as error:
                self.stderr.write(f"{path}: {error}")
                predictions.append({"file": path.name, "operations": [], "error": str(error)})
                continue
            draft = source.draft(aliases)
            predictions.append(
                {
                    "file": path.name,
                    "url": source.url,
                    "language": source.language,
                    "operations": [operation.as_prediction() for operation in draft.operations],
                }
            )
        elapsed = time.perf_counter() - started
        Path(options["output"]).write_text(json.dumps(predictions, ensure_ascii=False, indent=1), encoding="utf-8")
        per_article = elapsed / len(files) * 1000 if files else 0
        self.stdout.write(f"{len(files)} texts read in {elapsed:.2f} s ({per_article:.0f} ms per text)")
