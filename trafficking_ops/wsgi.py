"""WSGI entry point (gunicorn trafficking_ops.wsgi)."""

import gc
import os
from pathlib import Path

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trafficking_ops.settings")
application = get_wsgi_application()


def warm_up():
    """Do once, before gunicorn forks its workers (`preload_app`), what every worker's first request did on its own:
    import the views (URLconf), build the URL reverse tables, compile the templates, load the three languages'
    catalogues, country names and figure formats, read the static files' manifest, fill the models' field caches and
    load the database backend's modules. The first view after a start cost ~140 ms more than the next ones
    (benchmarks: first_view.py); the workers now share these pages.

    No query is run; any database connection opened on the way is closed before the fork, since the workers would
    otherwise share it."""
    from django.apps import apps
    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.db import connections
    from django.forms.renderers import get_default_renderer
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    from operations import queries
    from operations.countries import localized_name, localized_subregion
    from operations.figures import Figure, FigureTotal, Qualifier
    from operations.models import Country, Operation

    resolver = get_resolver()
    templates = Path(settings.BASE_DIR, "templates")
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            _build_reverse_tables(resolver)
            Country(iso2="BR", name="Brazil").get_absolute_url()
            Operation(slug="x").get_absolute_url()
            localized_name("BR", "Brazil", code)
            localized_subregion("South America", code)
            str(Figure(1000, Qualifier.APPROX)), str(FigureTotal(1000, 3, 1, 1, 1))
    for path in templates.rglob("*.html"):
        get_template(str(path.relative_to(templates)))
    renderer = get_default_renderer()
    for widget in ("input", "text", "select", "checkbox", "textarea", "attrs"):
        renderer.get_template(f"django/forms/widgets/{widget}.html")
    try:
        staticfiles_storage.url("css/tracker.css")  # loads the manifest (ValueError when it was never collected)
    except ValueError:
        pass
    for model in apps.get_models():
        model._meta.get_fields()  # the relation tree, built on first use
    try:
        # The backend's modules and the ORM's compiler, without a query.
        str(queries.results_for_filtering().filter(country__iso2="BR").select_related("operation", "country").query)
    finally:
        connections.close_all()
    # What is loaded so far stays shared with the forked workers: the collector no longer visits (writes to) it.
    gc.collect()
    gc.freeze()


def _build_reverse_tables(resolver, prefix=""):
    """The reverse tables of a URL resolver and of every namespace under it, built per language on first use.
    reverse("ns:name") goes through a resolver of its own per namespace (get_ns_resolver): reversing one name in
    each namespace builds that one (the admin's took ~100 ms of the first page, for the header's link)."""
    from django.urls import NoReverseMatch, reverse

    for namespace, (_prefix, sub_resolver) in resolver.namespace_dict.items():
        name = next((key for key in sub_resolver.reverse_dict if isinstance(key, str)), None)
        if name is not None:
            try:
                reverse(f"{prefix}{namespace}:{name}")
            except NoReverseMatch:  # it needs arguments; the tables are built all the same
                pass
        _build_reverse_tables(sub_resolver, f"{prefix}{namespace}:")


if os.environ.get("TRACKER_WARM_UP", "1") != "0":
    warm_up()
