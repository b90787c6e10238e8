"""The export of any filtered table (CSV, XLSX, data package), mixed into the list views."""

from functools import partial

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tables2 import RequestConfig

from .. import citation, exports, queries, services
from ..figures import grouped

# --- Export of any filtered table (issue #6): mixed into FilteredTableView ------------------------------------


def package_response(request, operations, filters, query):
    """The data package of `operations` as a streamed zip download, logged as the table exports are."""
    log = services.start_export_log(
        user=request.user, table="dataset", path=request.path, export_format="zip", query=query
    )
    filename = exports.export_filename("dataset", filters, "zip", timezone.localdate())
    return exports.package_response(operations, filename, on_finish=partial(services.finish_export_log, log))


class ExportMixin:
    """`?_export=csv` or `?_export=xlsx` on a filtered table: every row matching the current filters, in the table's
    sort order (all pages), for users with the export permission; anyone else gets 403. Each export is logged.

    Mixed into FilteredTableView (SingleTableMixin + FilterView); a list names its columns with `export_spec`."""

    export_trigger_param = "_export"
    # "package": the data package (operations/datapackage.py) of the operations the filters select, as a zip.
    export_formats = ("csv", "xlsx", "package")
    export_permission = "operations.export_figures"
    export_spec: exports.ExportSpec | None = None
    # Query parameters that choose how rows are shown or written, not which: left out of the file name.
    export_control_params = {"sort", "page", "per_page", "_export", "_bom"}

    def dispatch(self, request, *args, **kwargs):
        export_format = request.GET.get(self.export_trigger_param)
        if export_format is None or request.method != "GET":
            return super().dispatch(request, *args, **kwargs)
        return self.export(request, export_format)

    def export(self, request, export_format):
        if not request.user.has_perm(self.export_permission):
            raise PermissionDenied
        if export_format not in self.export_formats or self.export_spec is None:
            return self.refuse_export(_("This table cannot be exported as “%(format)s”.") % {"format": export_format})
        self.filterset = None
        if hasattr(self, "get_filterset_class"):  # a FilterView; a fixed table (a country's page) has no filters
            self.filterset = self.get_filterset(self.get_filterset_class())
            if self.filterset.is_bound and not self.filterset.is_valid():
                return self.refuse_export(
                    _("The filters are not valid, so nothing was exported. Correct them on the table page first."),
                    errors=self.filterset.errors,
                )
            self.object_list = self.filterset.qs
        if export_format == "package":
            return package_response(
                request,
                queries.operations_selected_by(self.get_package_rows()),
                self.get_export_filters(),
                {key: values for key, values in request.GET.lists() if key != self.export_trigger_param},
            )
        queryset = self.get_export_queryset()
        filename = exports.export_filename(
            self.get_export_name(), self.get_export_filters(), export_format, timezone.localdate()
        )
        if export_format == "xlsx":
            rows = queryset.count()
            limit = exports.xlsx_max_rows()
            if rows > limit:
                return self.refuse_export(
                    _(
                        "These filters match %(rows)s rows; XLSX exports stop at %(limit)s. Narrow the filters, or "
                        "export CSV, which has no row limit."
                    )
                    % {"rows": grouped(rows), "limit": grouped(limit)},
                    csv_url=self.export_url("csv"),
                )
        log = services.start_export_log(
            user=request.user,
            table=self.export_spec.name,
            path=request.path,
            export_format=export_format,
            query={key: values for key, values in request.GET.lists() if key != self.export_trigger_param},
        )
        on_finish = partial(services.finish_export_log, log)
        if export_format == "xlsx":
            response = exports.xlsx_response(self.export_spec, queryset, filename, on_finish=on_finish)
        else:
            bom = request.GET.get("_bom") != "0"
            response = exports.csv_response(self.export_spec, queryset, filename, bom=bom, on_finish=on_finish)
        return citation.cite_in_headers(response, request)

    def get_export_queryset(self):
        """The filtered rows in the table's order: the table is built on them and sorted by `?sort=` exactly as the
        page does (its order_by and order_FOO methods), without paginating and without the footer totals (the export
        spec, not the table, chooses the columns)."""
        table = self.get_table_class()(data=self.get_table_data())
        RequestConfig(self.request, paginate=False).configure(table)
        return table.data.data

    def get_export_name(self) -> str:
        return self.export_spec.name

    def get_package_rows(self):
        """The filtered rows (before the table's annotations) whose operations make the data package."""
        return self.object_list

    def get_export_filters(self) -> list[tuple[str, str]]:
        """The filters in the query string that the filterset knows (a range widget's `name_min` counts as `name`),
        with a value, in query-string order: they go into the file name."""
        if self.filterset is None:
            return []
        fields = self.filterset.form.fields
        pairs = []
        for key, values in self.request.GET.lists():
            if key in self.export_control_params or (key not in fields and key.rsplit("_", 1)[0] not in fields):
                continue
            pairs += [(key, value) for value in values if value.strip()]
        return pairs

    def export_url(self, export_format: str) -> str:
        query = self.request.GET.copy()
        query[self.export_trigger_param] = export_format
        return f"{self.request.path}?{query.urlencode()}"

    def refuse_export(self, message, *, errors=None, csv_url=None):
        return render(
            self.request,
            "operations/export_refused.html",
            {"message": message, "errors": errors, "csv_url": csv_url, "back_url": self.table_url()},
            status=400,
        )

    def table_url(self) -> str:
        query = self.request.GET.copy()
        query.pop(self.export_trigger_param, None)
        query.pop("_bom", None)
        return f"{self.request.path}?{query.urlencode()}" if query else self.request.path
