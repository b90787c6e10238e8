"""A user per role, as the role groups (operations/roles.py) define them."""

from django.apps import apps
from django.contrib.auth.models import Group, User

from operations.roles import ANALYSTS, EDITORS, STAFF, sync_role_groups

ROLES = ["anonymous", "analyst", "staff", "editor", "admin"]


def make_user(role):
    if role == "anonymous":
        return None
    if role == "admin":
        return User.objects.create_superuser(username="admin-user", password="pw-admin-123")
    group = {"analyst": ANALYSTS, "staff": STAFF, "editor": EDITORS}[role]
    if not Group.objects.filter(name=group).exists():
        sync_role_groups(apps)  # a transactional test flushed the groups the migration made
    user = User.objects.create_user(username=f"{role}-user", password=f"pw-{role}-123", is_staff=role == "editor")
    user.groups.add(Group.objects.get(name=group))
    return user
