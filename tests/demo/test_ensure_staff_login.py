"""ensure_staff_login: the back-office login `make run` prints."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def run(capsys, *args: str) -> str:
    call_command("ensure_staff_login", *args)
    return capsys.readouterr().out


def test_a_new_login_gets_a_random_password_printed_once(capsys, monkeypatch) -> None:
    monkeypatch.delenv("PROCX_ADMIN_PASSWORD", raising=False)
    output = run(capsys)
    password = re.search(r"Staff login created: admin / (\S+)", output).group(1)
    user = get_user_model().objects.get(username="admin")
    assert user.is_staff
    assert user.is_superuser
    assert user.check_password(password)
    again = run(capsys)
    assert "password unchanged" in again
    assert password not in again
    user.refresh_from_db()
    assert user.check_password(password)


def test_the_password_comes_from_the_environment(capsys, monkeypatch) -> None:
    monkeypatch.setenv("PROCX_ADMIN_PASSWORD", "correct-horse-battery")
    output = run(capsys, "--username", "ops")
    assert "correct-horse-battery" not in output
    assert get_user_model().objects.get(username="ops").check_password("correct-horse-battery")


def test_a_changed_environment_password_resets_an_existing_login(capsys, monkeypatch) -> None:
    get_user_model().objects.create_user(username="admin", password="old-password-123", is_staff=False)
    monkeypatch.setenv("PROCX_ADMIN_PASSWORD", "new-password-456")
    output = run(capsys)
    assert "updated staff access and password from PROCX_ADMIN_PASSWORD" in output
    user = get_user_model().objects.get(username="admin")
    assert user.is_staff
    assert user.check_password("new-password-456")


def test_an_empty_username_is_refused(capsys) -> None:
    with pytest.raises(CommandError, match="the username is empty"):
        call_command("ensure_staff_login", "--username", " ")
