"""Save the HTML of a fixed set of pages in en, es and fr, to compare a refactoring's output before and after.

Usage: .venv/bin/python tools/snapshot_pages.py OUT_DIR [REFERENCE_DIR]  (default: operations/reference_data)
Builds a throwaway SQLite database, loads the reference data, logs in as an analyst (a superuser for the admin's
pages) and writes OUT_DIR/<lang>/<name>.html.
CSRF tokens and CSP nonces differ on every request: they are replaced by fixed strings, so two runs diff clean.
"""

import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = {
    "home": "/",
    "operations": "/operations/",
    "operations-sorted": "/operations/?sort=-victims_rescued",
    "countries": "/countries/",
    "results": "/results/",
    "results-br": "/results/?country=BR",
    "dashboard-weka-ii": "/operations/weka-ii/",
    "dashboard-turquesa-iii": "/operations/turquesa-iii/",
    "dashboard-libertad": "/operations/libertad/",
    "dashboard-flash-weka": "/operations/flash-weka/",
    "compare": "/compare/?operations=weka-ii&operations=turquesa-v",
    "compare-month": "/compare/?operations=flash-weka&operations=epervier-ii",
    "operations-2022": "/operations/?year_from=2022&year_to=2022",
    "country-br": "/countries/br/",
    "country-ci": "/countries/ci/",
    "overview-2023": "/?year=2023",
    "data-dictionary": "/about/data/",
}

ADMIN_PAGES = {
    "admin-operations": "/admin/operations/operation/",
    "admin-operation-weka-ii": "/admin/operations/operation/{weka}/change/",
    "admin-reported-figures": "/admin/operations/reportedfigure/?operation__id__exact={weka}",
    "admin-participations": "/admin/operations/participation/?o=4",
    "admin-import": "/admin/operations/operation/import/",
    "admin-deleted": "/admin/operations/operation/deleted/",
    "admin-countries": "/admin/operations/country/",
    "admin-country-br": "/admin/operations/country/{brazil}/change/",
}

VOLATILE = [
    (re.compile(r'(name="edit_token" value=")[^"]+"'), r'\1EDIT-TOKEN"'),
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken" value="CSRF"'),
    (re.compile(r'nonce="[^"]+"'), 'nonce="NONCE"'),
    (re.compile(r"Reference for support: <code>[0-9a-f]+</code>"), "Reference for support: <code>REQUEST-ID</code>"),
    (re.compile(r"<code>[0-9a-f]{32}</code>"), "<code>REQUEST-ID</code>"),
    (re.compile(r'(<p class="print-only small" id="print-date">)[^<]*'), r"\1PRINT-DATE"),
    (re.compile(r'(<td class="field-updated_at nowrap">)[^<]*'), r"\1UPDATED-AT"),
]


def main(out_dir, reference_dir=None):
    db = Path(tempfile.mkdtemp()) / "snapshot.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trafficking_ops.test_settings")
    if reference_dir:
        os.environ["REFERENCE_DIR"] = reference_dir
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    call_command("load_reference", stdout=open(os.devnull, "w"))
    from operations.models import Country, Operation
    from tests.helpers.users import make_user

    ids = {"weka": Operation.objects.get(slug="weka-ii").pk, "brazil": Country.objects.get(iso2="BR").pk}
    users = {"analyst": make_user("analyst"), "admin": make_user("admin")}
    pages = [("analyst", name, url) for name, url in PAGES.items()]
    pages += [("admin", name, url.format(**ids)) for name, url in ADMIN_PAGES.items()]
    out = Path(out_dir)
    for lang, _name in settings.LANGUAGES:
        clients = {}
        for role, user in users.items():
            clients[role] = Client(HTTP_ACCEPT_LANGUAGE=lang)
            clients[role].force_login(user)
        (out / lang).mkdir(parents=True, exist_ok=True)
        for role, name, url in pages:
            response = clients[role].get(url)
            html = response.content.decode()
            for pattern, fixed in VOLATILE:
                html = pattern.sub(fixed, html)
            (out / lang / f"{name}.html").write_text(f"<!-- {response.status_code} {url} -->\n{html}")
    print(f"{len(pages) * len(settings.LANGUAGES)} pages written to {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
