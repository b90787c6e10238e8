"""WSGI entry point (gunicorn trafficking_ops.wsgi)."""

import os
from pathlib import Path

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trafficking_ops.settings")
application = get_wsgi_application()


def warm_up():
    """Do once, before gunicorn forks its workers (`preload_app`), what every worker's first request did on its own:
    import the views (URLconf), build the URL reverse tables, compile the templates, load the three languages'
    catalogues, country names and figure formats, and read the static files' manifest. The first view after a start
    cost ~140 ms more than the next ones (benchmarks: first_view.py); the workers now share these pages.

    Nothing here opens a database connection: a connection made before the fork would be shared by the workers."""
    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.forms.renderers import get_default_renderer
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

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


def _build_reverse_tables(resolver):
    """The reverse tables of a URL resolver and of every namespace under it (built per language on first use)."""
    resolver.reverse_dict  # noqa: B018
    for _prefix, namespace in resolver.namespace_dict.values():
        _build_reverse_tables(namespace)


if os.environ.get("TRACKER_WARM_UP", "1") != "0":
    warm_up()
