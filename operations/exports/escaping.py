"""Formula-injection escaping ("CSV injection"): a leading apostrophe where a spreadsheet would run a formula."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# A text cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets ("CSV
# injection"); a leading apostrophe makes it text. OWASP's list: = + - @ and the tab and carriage return that some
# spreadsheets skip before looking for them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A spreadsheet that splits on ";" or tab (European Excel opens a .csv with its list separator ";") ignores the
# comma file's quotes, so "FXS;=2+2;" becomes a cell "=2+2". A trigger after any separator or line break inside the
# text, or after leading spaces (past spaces and quotes, which readers trim or take as the start of a quoted cell), gets
# the apostrophe too.
_EMBEDDED_TRIGGER = re.compile(r"""((?:^|[,;\t\r\n])[\s"]*)(?=[=+\-@])""")


def escape_formula(value):
    """A text cell that a spreadsheet would run as a formula, with a leading apostrophe, and an apostrophe before
    every trigger that splitting on `,`, `;`, tab or a line break (or trimming spaces) would put at the start of a
    cell; anything else unchanged."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_TRIGGERS):
        value = "'" + value
    return _EMBEDDED_TRIGGER.sub(r"\1'", value)


def escape_rows(rows: Iterable[tuple], indexes: tuple[int, ...]) -> Iterator[tuple]:
    """Escape formula triggers in the text cells at `indexes`. A row is copied only when one of them needs it, which
    almost none do."""
    triggers, embedded = FORMULA_TRIGGERS, _EMBEDDED_TRIGGER.search
    for row in rows:
        for index in indexes:
            value = row[index]
            if value and (value.startswith(triggers) or embedded(value)):
                row = tuple(escape_formula(value) if i in indexes else value for i, value in enumerate(row))
                break
        yield row
