"""The API's views: one generic filtered list (NetBox's ObjectListView, as DRF + django-filter + tables2 sorting) and
thin detail views; every response says the data version it reflects and how to cite the data at that version.

Django REST framework rather than django-ninja: DRF's DjangoFilterBackend runs our django-filter FilterSets as they
are (their forms, validation and error messages), so a filter cannot mean one thing on a page and another in the
API; ninja would need the filters again as pydantic schemas. drf-spectacular reads the same FilterSets into the
OpenAPI schema, and DRF's authentication, permission and throttling hooks cover tokens, roles and 429s. What the
schema says of each view beyond its classes (summaries, the deletions' parameters) is in schema.py."""

import datetime
from functools import partial

from django.contrib.auth.decorators import login_not_required
from django.db.models import F
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, generics, mixins
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .. import caching, citation, queries, tables
from ..feeds import ChangesFeed
from ..models import Source
from . import filters, pagination
from . import queries as api_queries
from . import serializers as api_serializers
from .authentication import ApiTokenAuthentication
from .filters import TableSortBackend

EXPORT_PERMISSION = "operations.export_figures"
# The deletions list's order, as its cursors name it.
DELETIONS_ORDER = [("deleted_at", False), ("kind", False), ("history_id", False)]


def meta(request) -> dict:
    """The `meta` of every successful response: data version, its date, and the dataset's citation."""
    token, changed_at = caching.version_row(request)
    return {
        "data_version": None if token is None else str(token),
        "version_date": changed_at.isoformat().replace("+00:00", "Z") if changed_at else None,
        "citation": citation.for_request(request).as_dict(),
    }


def exception_handler(exc, context):
    """DRF's handler, with every error a JSON object that has `detail`; a validation error names its fields under
    `errors` ({"year_from": ["…"]}). Anything DRF does not handle is left to Django (a logged 500)."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"detail": str(_("Invalid parameters.")), "errors": errors}
    return response


class ApiView(generics.GenericAPIView):
    """What every endpoint shares: read-only, JSON, login (session) or token, the data version in a header."""

    http_method_names = ["get", "head", "options"]

    @classmethod
    def as_view(cls, **initkwargs):
        # The API answers for itself (401 JSON), instead of LoginRequiredMiddleware's redirect to the login page.
        return login_not_required(super().as_view(**initkwargs))

    def initial(self, request, *args, **kwargs):
        # Another method is a 405 before anything else (without this a session's POST failed the CSRF check: 403).
        if request.method.lower() not in self.http_method_names:
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = caching.version_row(request._request)[0]
        if token is not None:
            response["X-Data-Version"] = str(token)
        return response

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "api_root": reverse("api:root")}


class FilteredListView(mixins.ListModelMixin, ApiView):
    """A list: the page's FilterSet narrows the page's base queryset, the page's Table sorts it, keyset cursors page
    it. A list is a few declarative lines, like the pages' FilteredTableView."""

    filter_backends = [DjangoFilterBackend, TableSortBackend]
    pagination_class = pagination.KeysetPagination
    table_class = None
    # Fields to read the rows as dicts (values()) rather than model instances, and what completes those dicts.
    row_values = None
    rows_loaded = staticmethod(lambda rows: rows)
    # Rows per page anyone may ask for; more is a bulk download, which follows the export permission (as the pages'
    # CSV and XLSX exports do).
    open_page_size = pagination.KeysetPagination.page_size

    def get(self, request, *args, **kwargs):
        self.check_bulk_permission(request)
        first_page = request.query_params.get(self.paginator.cursor_query_param) is None
        if first_page and self.paginator.get_page_size(request) <= self.open_page_size:
            # A first page is cached under the data version, as the pages' tables are (operations/caching.py): what
            # partner sites poll. Deeper pages are not: a cursor walk would push every page's table out of the cache.
            # The key has the host (the links are absolute) and the day (the citation's access date).
            name = f"api:{request.get_host()}:{timezone.localdate()}"
            body = caching.cached(name, request._request, partial(self.page, request))
        else:
            body = self.page(request)
        return Response({"meta": meta(request._request), **body})

    def page(self, request) -> dict:
        """The rows of this request's page and the link to the next one."""
        queryset = self.filter_queryset(self.get_queryset())
        rows = self.rows_loaded(self.paginate_queryset(queryset))
        data = self.get_serializer(rows, many=True).data
        return {"next": self.paginator.get_next_link(), "results": data}

    def check_bulk_permission(self, request):
        size = self.paginator.get_page_size(request)
        if size > self.open_page_size and not request.user.has_perm(EXPORT_PERMISSION):
            raise exceptions.PermissionDenied(
                _("More than %(size)s rows a page is a bulk download, which needs the export permission.")
                % {"size": self.open_page_size}
            )


class DetailView(ApiView):
    def get(self, request, *args, **kwargs):
        data = self.get_serializer(self.get_object()).data
        return Response({"meta": meta(request._request), **data})


class OperationListView(FilteredListView):
    """Operations, newest first, with their operation-wide figures: the filters and sort keys of /operations/."""

    serializer_class = api_serializers.OperationListSerializer
    filterset_class = filters.OperationApiFilter
    table_class = tables.OperationTable

    def get_queryset(self):
        return api_queries.operation_rows(queries.operation_rows(queries.operations_for_filtering()))


class OperationDetailView(DetailView):
    """An operation by slug: every figure with its preferred report and the conflicting ones, per country too."""

    serializer_class = api_serializers.OperationResponseSerializer
    lookup_field = "slug"

    def get_object(self):
        operation = api_queries.operation_with_reports(self.kwargs["slug"])
        if operation is None:
            raise exceptions.NotFound(_("No operation has this slug."))
        return operation


class ResultListView(FilteredListView):
    """One row per operation and participating country with the country's own figures: the filters and sort keys of
    /results/."""

    serializer_class = api_serializers.ResultSerializer
    filterset_class = filters.ResultApiFilter
    table_class = tables.ResultTable
    row_values = api_queries.RESULT_VALUES
    rows_loaded = staticmethod(api_queries.with_preferred_reports)

    def get_queryset(self):
        return queries.results_for_filtering()


class CountryListView(FilteredListView):
    """Participating countries with the qualified totals of their own figures: the filters and sort keys of
    /countries/."""

    serializer_class = api_serializers.CountrySerializer
    filterset_class = filters.CountryApiFilter
    table_class = tables.CountryTable

    def get_queryset(self):
        return queries.country_rows(queries.countries_for_filtering())


class CountryDetailView(DetailView):
    """A participating country by ISO alpha-2 code (any case), with its qualified totals."""

    serializer_class = api_serializers.CountryDetailSerializer

    def get_object(self):
        iso2 = self.kwargs["iso2"]
        country = queries.country_by_iso2(iso2)
        if country is None:
            raise exceptions.NotFound(_("No participating country has this ISO code."))
        found = queries.country_rows(queries.participating_countries().filter(pk=country.pk)).first()
        if found is None:
            raise exceptions.NotFound(_("No participating country has this ISO code."))
        return found


class SourceListView(FilteredListView):
    """The sources figures are read in, newest publication first."""

    serializer_class = api_serializers.SourceSerializer
    filterset_class = filters.SourceApiFilter
    # Sources have no page, so no table to sort by: newest publication first.
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        return Source.objects.order_by(F("published").desc(nulls_last=True), "publisher", "pk")


class SourceDetailView(DetailView):
    """A source by id."""

    serializer_class = api_serializers.SourceDetailSerializer

    def get_object(self):
        try:
            return get_object_or_404(Source, pk=int(self.kwargs["pk"]))
        except (Http404, ValueError, OverflowError):
            raise exceptions.NotFound(_("No source has this id.")) from None


class DeletionListView(FilteredListView):
    """Not a FilterSet list: one UNION over the history tables, keyset-paged by (deleted_at, kind, history_id)."""

    serializer_class = api_serializers.DeletionSerializer
    filter_backends = []

    def get(self, request, *args, **kwargs):
        self.check_bulk_permission(request)
        form = filters.DeletionFilterForm(request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors)
        paginator = self.paginator
        size = paginator.get_page_size(request)
        cursor = request.query_params.get(paginator.cursor_query_param)
        after = None
        if cursor is not None:
            deleted_at, kind, history_id = paginator.decode(cursor, DELETIONS_ORDER)
            after = (datetime.datetime.fromisoformat(deleted_at), kind, history_id)
        rows = list(
            api_queries.deletions(form.cleaned_data["updated_since"], form.cleaned_data["kind"], after)[: size + 1]
        )
        paginator.request = request
        paginator.next_cursor = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            paginator.next_cursor = paginator.encode(
                [last["deleted_at"], last["kind"], last["history_id"]], DELETIONS_ORDER
            )
        data = self.get_serializer(rows, many=True).data
        return Response({"meta": meta(request._request), "next": paginator.get_next_link(), "results": data})


class RootView(ApiView):
    """The endpoints, and the data version with its citation."""

    def get(self, request, *args, **kwargs):
        names = ["operations", "results", "countries", "sources", "deletions", "schema", "docs"]
        endpoints = {name: request.build_absolute_uri(reverse(f"api:{name}")) for name in names}
        endpoints["feed"] = request.build_absolute_uri(reverse("api:feed", kwargs={"language": "en"}))
        return Response({"meta": meta(request._request), "endpoints": endpoints})


@login_not_required
def not_found(request, *args, **kwargs):
    """Any other path under /api/v1/: a JSON 404, as the API's own 404s are."""
    return JsonResponse({"detail": str(_("No such endpoint."))}, status=404)


@method_decorator(login_not_required, name="dispatch")
class DocsView(TemplateView):
    """Swagger UI (vendored under static/vendor/swagger-ui/, no CDN) over /api/v1/schema/."""

    template_name = "api/docs.html"


@login_not_required
@require_safe
def feed(request, language):
    """The Atom feed in `language`, for a logged-in session or a token (`Authorization: Bearer …`), as the API."""
    if not request.user.is_authenticated:
        try:
            found = ApiTokenAuthentication().authenticate(Request(request))
        except exceptions.AuthenticationFailed:
            found = None
        if found is None:
            return JsonResponse(
                {"detail": str(_("Log in, or send a token: Authorization: Bearer <token>."))},
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="api"'},
            )
    with translation.override(language):
        response = ChangesFeed()(request, language=language)
    response["Content-Language"] = language
    return response
