"""Who is asking, for code behind a staff check."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def signed_in_user(request: HttpRequest) -> User:
    """The signed-in user of a request that a staff check (staff_required, the admin) let
    through; anyone else is refused rather than recorded as an anonymous actor."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    return user
