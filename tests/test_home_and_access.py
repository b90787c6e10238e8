"""Login is required everywhere but /healthz and the login page; the home page shows sourced figures as stated."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from operations.roles import ANALYSTS, EDITORS, ROLE_PERMISSIONS, STAFF

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("operations:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_and_healthz_are_open(client):
    assert client.get(reverse("login")).status_code == 200
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_home_lists_the_latest_operations_with_figures_as_sourced(analyst_client):
    response = analyst_client.get(reverse("operations:home"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ["Operation Liberterra III", "Operation Turquesa V", "Operation Weka II"]:
        assert name in html
    assert "about 700" in html
    assert "about 12,000" in html
    assert "more than 720" in html
    older = analyst_client.get(reverse("operations:home"), {"year_to": 2018}).content.decode()
    assert "Operation Libertad" in older and "about 350" in older


# The product card's four operations, as their sources state them (issue #2's "Must show"): slug -> metric -> text.
CARD_OPERATIONS = {
    "libertad": {"victims_rescued": "about 350", "arrests": "22"},
    "weka-ii": {"victims_rescued": "about 700", "arrests": "300"},
    "storm-makers": {"victims_rescued": "80", "arrests": "121", "investigations_opened": "193"},
    "turquesa-iii": {"victims_rescued": "127", "arrests": "216", "migrants_identified": "more than 10,000"},
}


def test_home_lists_the_four_card_operations_with_their_figures_as_sourced(analyst_client):
    html = analyst_client.get(reverse("operations:home")).content.decode()
    for slug, figures in CARD_OPERATIONS.items():
        row = re.search(rf'<tr data-slug="{slug}">(.*?)</tr>', html, re.S)
        assert row, f"{slug} is not listed on the home page"
        cells = dict(re.findall(r'data-metric="(\w+)">([^<]*)</td>', row.group(1)))
        for metric, text in figures.items():
            assert cells[metric] == text, (slug, metric, cells)
    assert 'data-metric="victims_rescued">700<' not in html


def test_home_page_runs_a_constant_number_of_queries(analyst_client, django_assert_max_num_queries):
    # 10: the cached page's 8, plus the user's permissions (the staff-only "Download the dataset" link).
    with django_assert_max_num_queries(10):
        analyst_client.get(reverse("operations:home"))


def test_role_groups_have_their_permissions():
    for role in (ANALYSTS, STAFF, EDITORS):
        codenames = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))
        assert codenames == set(ROLE_PERMISSIONS[role])
    assert "export_figures" not in ROLE_PERMISSIONS[ANALYSTS]
    assert not any(name.startswith("delete_") for names in ROLE_PERMISSIONS.values() for name in names)


def test_ensure_admin_creates_one_administrator_once(monkeypatch, capsys):
    from django.contrib.auth.models import User

    monkeypatch.setenv("ADMIN_PASSWORD", "first-admin-pw-123")
    call_command("ensure_admin")
    call_command("ensure_admin")
    assert User.objects.filter(is_superuser=True).count() == 1
    admin = User.objects.get(is_superuser=True)
    assert admin.check_password("first-admin-pw-123")


def test_ensure_admin_generates_a_password_and_prints_it_once(monkeypatch, capsys):
    from django.contrib.auth.models import User

    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("ADMIN_USERNAME", raising=False)
    call_command("ensure_admin")
    first = capsys.readouterr().out
    password = re.search(r"with password (\S+) \(shown once", first).group(1)
    assert len(password) >= 12
    assert User.objects.get(username="admin").check_password(password)
    call_command("ensure_admin")
    second = capsys.readouterr().out
    assert password not in second and "already exists" in second
    assert User.objects.filter(is_superuser=True).count() == 1
