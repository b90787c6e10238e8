"""Importing operations and figures: readers (files to rows), the engine (validate all rows, write all or nothing),
uploads (the admin's pending previews) and conventions (free text to stored fields)."""

from ..import_format import COLUMNS, COUNTRY_RESULTS, OPERATIONS
from .engine import Importer, import_files
from .package import PackageImporter, import_package, is_package, package_files
from .readers import MAX_BYTES, MAX_ROWS, UploadedTable, read_table
from .report import ImportIssue, ImportReport

__all__ = [
    "COLUMNS",
    "COUNTRY_RESULTS",
    "MAX_BYTES",
    "MAX_ROWS",
    "OPERATIONS",
    "ImportIssue",
    "ImportReport",
    "Importer",
    "PackageImporter",
    "UploadedTable",
    "import_files",
    "import_package",
    "is_package",
    "package_files",
    "read_table",
]
