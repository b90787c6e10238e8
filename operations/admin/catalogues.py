"""Sources, forms of exploitation and countries (read-only but for the aliases editors add)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ..models import Country, CountryAlias, ExploitationForm, Source
from .forms import CountryAliasForm
from .mixins import AtomicRevert, LabelledTabularFields, RefreshOnce, SuperuserDeletes


@admin.register(Source)
class SourceAdmin(SuperuserDeletes, AtomicRevert, SimpleHistoryAdmin):
    list_display = ["publisher", "title", "published", "language", "is_primary", "key"]
    list_filter = ["is_primary", "language"]
    search_fields = ["key", "publisher", "title", "url"]
    date_hierarchy = "published"


@admin.register(ExploitationForm)
class ExploitationFormAdmin(SuperuserDeletes, RefreshOnce, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class CountryAliasInline(LabelledTabularFields, SuperuserDeletes, admin.TabularInline):
    model = CountryAlias
    form = CountryAliasForm
    extra = 1


@admin.register(Country)
class CountryAdmin(SuperuserDeletes, RefreshOnce, admin.ModelAdmin):
    """Codes, names and regions come from pycountry and UN M49 (a migration ships them): read-only here. Editors add
    the other names sources use, so the importer resolves them."""

    list_display = ["name", "iso2", "iso3", "region", "subregion"]
    list_filter = ["region"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["name", "iso2", "iso3", "aliases__name"]
    readonly_fields = ["iso2", "iso3", "name", "region", "subregion"]
    inlines = [CountryAliasInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The country's own fields are read-only; "change" here means editing its aliases.
        return super().has_change_permission(request, obj) or request.user.has_perm("operations.change_countryalias")
