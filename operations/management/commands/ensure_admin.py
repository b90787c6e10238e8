"""`manage.py ensure_admin`: create a first superuser if there is none, and say how to log in."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the first administrator (user 'admin') if no superuser exists. Password from ADMIN_PASSWORD."

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("An administrator already exists; log in with that account.")
            return
        username = os.environ.get("ADMIN_USERNAME", "admin")
        password = os.environ.get("ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        shown = "the password in ADMIN_PASSWORD" if os.environ.get("ADMIN_PASSWORD") else f"password {password}"
        self.stdout.write(
            self.style.SUCCESS(
                f"Created administrator '{username}'. Log in at http://127.0.0.1:8000/ with {shown} "
                "(shown once; change it in the admin)."
            )
        )
