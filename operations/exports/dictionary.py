"""The data dictionary (/about/data/): every export's columns, metric, qualifier and kind of value, defined."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..figures import Figure, Metric, Qualifier
from ..models import METRICS
from .columns import SPECS
from .escaping import FORMULA_TRIGGERS
from .specs import _ESCAPED_KINDS, KIND_DEFINITIONS
from .writers import xlsx_max_rows

# --- The data dictionary --------------------------------------------------------------------------------------

METRIC_DEFINITIONS = {
    Metric.VICTIMS_RESCUED: _(
        "People the source says were rescued as victims (or potential victims) of trafficking. Where a release says "
        "'identified' or 'safeguarded' instead, that count is recorded here; the quote beside the figure on the "
        "operation's page gives the source's own words."
    ),
    Metric.ARRESTS: _(
        "People arrested (detained, apprehended) during the operation, for any offence the source counts."
    ),
    Metric.INVESTIGATIONS_OPENED: _("New investigations the source says the operation opened or triggered."),
    Metric.MIGRANTS_IDENTIFIED: _(
        "Irregular migrants identified or detected during the operation (not victims, unless the source says so)."
    ),
}

QUALIFIER_DEFINITIONS = {
    Qualifier.EXACT: _("The source gives the number plainly (even a round one)."),
    Qualifier.APPROX: _("The source says nearly, about, some, close to: the true number may be a little either way."),
    Qualifier.AT_LEAST: _("The source says at least, or 250+: the true number may be higher."),
    Qualifier.MORE_THAN: _("The source says more than, or over: the true number is higher."),
}


def data_dictionary() -> dict:
    """Everything the /about/data/ page defines, generated from the export specs, METRICS and Qualifier."""
    example = 700
    return {
        "tables": [
            {
                "spec": spec,
                "columns": [
                    {
                        "header": c.header,
                        "kind": c.kind,
                        "description": c.description,
                        "escaped": c.kind in _ESCAPED_KINDS,
                    }
                    for c in spec.columns
                ],
            }
            for spec in SPECS
        ],
        "metrics": [
            {"code": metric.value, "label": metric.label, "definition": METRIC_DEFINITIONS[metric]}
            for metric in METRICS
        ],
        "qualifiers": [
            {
                "code": qualifier.value,
                "label": qualifier.label,
                "definition": QUALIFIER_DEFINITIONS[qualifier],
                "example": str(Figure(example, qualifier)),
            }
            for qualifier in Qualifier
        ],
        "kinds": [{"code": kind, "definition": definition} for kind, definition in KIND_DEFINITIONS.items()],
        "formula_triggers": [{"\t": _("tab"), "\r": _("carriage return")}.get(t, t) for t in FORMULA_TRIGGERS],
        "xlsx_max_rows": xlsx_max_rows(),
    }
