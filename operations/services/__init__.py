"""Writes that must keep things in sync (HackSoft-style services): the one write path of the admin, the importer and
the commands.

refresh.py: `changes()`, the transaction of every write, and what it refreshes once before it commits (the data
version, the kept per-country totals) with the denormalised preferred figures; figures.py: recording, entering and
choosing reported figures, deleting rows; bulk.py: bulk inserts with history; implicit.py: the figures an unattended
import keeps on its country rows alone; restore.py: undoing an operation's deletion; export_log.py: the
log of exports. Import them from here: `from operations import services`.
"""

from .bulk import (  # noqa: F401
    COPY_ON_WRITE,
    NATURAL_KEYS,
    RowInserter,
    insert_with_history,
    link_many,
    record_history,
    write_baselines,
)
from .export_log import (  # noqa: F401
    finish_export_log,
    logger,
    start_export_log,
)
from .figures import (  # noqa: F401
    FigureReport,
    SumExcess,
    country_sum_excesses,
    delete_figure,
    delete_operation,
    delete_participation,
    delete_reported_figures,
    enter_figure,
    enter_figures,
    figures_changed,
    make_preferred,
    record_figure,
    record_figures_bulk,
    set_preferred,
)
from .implicit import (  # noqa: F401
    FIGURE_OF_ROW_COLUMNS,
    PREFERRED_COLUMNS,
    figures_of_rows,
    implicit_reports,
    materialize_reports,
    with_implicit_reports,
)
from .refresh import (  # noqa: F401
    FIGURE_FIELDS,
    TOTAL_FIELDS,
    bump_version,
    changes,
    compute_country_totals,
    compute_region_totals,
    data_changed,
    refresh_country_totals,
    refresh_preferred_figures,
    refresh_preferred_figures_bulk,
)
from .restore import (  # noqa: F401
    CASCADE_WINDOW_SECONDS,
    restore_deleted_operation,
)
