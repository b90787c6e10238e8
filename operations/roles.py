"""The roles (auth groups) the tracker ships with and the permissions each one holds."""

from django.contrib.auth.management import create_permissions

ANALYSTS, STAFF, EDITORS = "Analysts", "Staff", "Editors"

_EDITABLE_MODELS = ["operation", "participation", "reportedfigure", "source", "countryalias", "exploitationform"]
_ALL_MODELS = [*_EDITABLE_MODELS, "country"]
_VIEW = [f"view_{model}" for model in _ALL_MODELS]

# Editors add and change in the admin (their users also need is_staff); only superusers delete anything.
ROLE_PERMISSIONS = {
    ANALYSTS: _VIEW,
    STAFF: [*_VIEW, "export_figures"],
    EDITORS: [*_VIEW, "export_figures"] + [f"{action}_{m}" for m in _EDITABLE_MODELS for action in ("add", "change")],
}


def sync_role_groups(apps):
    """Create the role groups with exactly their permissions. Idempotent; `apps` may be a migration's app registry."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(Permission.objects.filter(content_type__app_label="operations", codename__in=codenames))
