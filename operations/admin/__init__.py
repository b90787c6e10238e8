"""The admin where editors enter and correct figures: operations with their countries, figures and sources, history
with restore, undo of deletions, optimistic concurrency, and the spreadsheet import page.

Screens only: forms.py holds the forms and their validation, pages.py the import and deleted-operations pages, and
every write goes through operations.services (or the importing engine). Importing the modules registers the admins.
"""

from . import catalogues, figures, operations  # noqa: F401
