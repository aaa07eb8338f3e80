"""The signed-in staff the page tests act as: a reviewer (who may approve, edit, reject, send,
re-process and link) and a viewer (staff without the reviewer role)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from interventions.apps import REVIEWERS_GROUP


@pytest.fixture
def viewer_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_user("vera", is_staff=True))
    return client


@pytest.fixture
def reviewer_user() -> User:
    user = User.objects.create_user("rita", is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWERS_GROUP))
    return user


@pytest.fixture
def reviewer_client(reviewer_user) -> Client:
    client = Client()
    client.force_login(reviewer_user)
    return client
