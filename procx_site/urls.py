"""ProCX URL configuration."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from staff.permissions import staff_required

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/webhooks/", include("events.urls")),
    # The schema is for the staff who set up providers; the endpoints it describes are open to
    # providers (each verifies its own signature).
    path(
        "api/schema/",
        staff_required(SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[])),
        name="schema",
    ),
    path("", include("staff.urls")),
]
