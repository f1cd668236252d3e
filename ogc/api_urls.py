"""/api/v1/ routing: each app contributes its own ``api/urls.py``."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("", include("accounts.api.urls")),
    path("", include("wallets.api.urls")),
    path("", include("subscriptions.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("challenges.api.urls")),
    path("", include("governance.api.urls")),
    path("", include("ai.api.urls")),
]
