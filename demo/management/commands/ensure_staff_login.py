from __future__ import annotations

import os
import secrets
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Make sure a staff login exists for the back office. The password comes from "
        "PROCX_ADMIN_PASSWORD; without it a new login gets a random password, printed once, "
        "and an existing login keeps its password."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--username",
            default=os.environ.get("PROCX_ADMIN_USER", "admin"),
            help="login name (default: PROCX_ADMIN_USER or 'admin')",
        )

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        if not username.strip():
            raise CommandError("the username is empty: set PROCX_ADMIN_USER or pass --username")
        password = os.environ.get("PROCX_ADMIN_PASSWORD", "")
        users = get_user_model()
        user = users.objects.filter(username=username).first()
        if user is None:
            generated = not password
            password = password or secrets.token_urlsafe(12)
            users.objects.create_superuser(username=username, email="", password=password)
            shown = password if generated else "(from PROCX_ADMIN_PASSWORD)"
            self.stdout.write(f"Staff login created: {username} / {shown}")
            return
        changed = []
        if not (user.is_staff and user.is_superuser and user.is_active):
            user.is_staff = user.is_superuser = user.is_active = True
            changed.append("staff access")
        if password and not user.check_password(password):
            user.set_password(password)
            changed.append("password from PROCX_ADMIN_PASSWORD")
        if changed:
            user.save()
            self.stdout.write(f"Staff login {username}: updated {' and '.join(changed)}")
        else:
            self.stdout.write(
                f"Staff login {username} exists; password unchanged (set PROCX_ADMIN_PASSWORD to reset it)"
            )
