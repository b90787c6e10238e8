"""What an import run found and would do (or did): every issue with its file, row and column, and the counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# Errors listed per run: a file where every row is wrong would otherwise hold millions of them in memory.
MAX_ERRORS = 1_000


@dataclass(frozen=True)
class ImportIssue:
    """One problem, where it is: the file, the spreadsheet row (the header is row 1) and the column."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self):
        where = [self.file]
        if self.row:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


@dataclass
class ImportReport:
    """What an import would do (preview) or did (commit), and every error found."""

    errors: list[ImportIssue] = field(default_factory=list)
    operations: dict = field(default_factory=lambda: {"create": [], "update": [], "unchanged": []})
    countries: dict = field(default_factory=lambda: {"create": 0, "update": 0, "unchanged": 0})
    figures: int = 0
    sources: int = 0  # new sources (a data package names them; the spreadsheet files only cite URLs)
    files: dict = field(default_factory=dict)  # file name -> how it was read ("UTF-8 with BOM, ';'-separated")
    committed: bool = False
    unlisted: int = 0  # errors past MAX_ERRORS, counted only

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, file, row, column, message):
        if len(self.errors) < MAX_ERRORS or row is None:  # a whole file's error is always listed
            self.errors.append(ImportIssue(file, row, column, message))
            return
        if not self.unlisted:
            self.errors.append(
                ImportIssue(
                    file,
                    None,
                    None,
                    _("more than %(count)s errors: only the first %(count)s are listed; correct them and check again")
                    % {"count": f"{MAX_ERRORS:,}"},
                )
            )
        self.unlisted += 1

    def summary(self) -> str:
        ops = self.operations
        counts = {
            "new": len(ops["create"]),
            "updated": len(ops["update"]),
            "unchanged": len(ops["unchanged"]),
            "rows_new": self.countries["create"],
            "rows_updated": self.countries["update"],
            "rows_unchanged": self.countries["unchanged"],
            "figures": self.figures,
        }
        if self.committed:
            text = _(
                "Imported: operations %(new)s new, %(updated)s updated, %(unchanged)s unchanged; country rows"
                " %(rows_new)s new, %(rows_updated)s updated, %(rows_unchanged)s unchanged; %(figures)s figures"
                " recorded."
            )
        else:
            text = _(
                "Would import: operations %(new)s new, %(updated)s updated, %(unchanged)s unchanged; country rows"
                " %(rows_new)s new, %(rows_updated)s updated, %(rows_unchanged)s unchanged; %(figures)s figures"
                " recorded."
            )
        text %= counts
        if self.sources:
            text += " " + _("%(sources)s sources added.") % {"sources": self.sources}
        return text


class Rejected(Exception):
    """A file cannot be read at all (encoding, format, header); its issues are already in the report."""
