from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularSwaggerSplitView

from core.health import healthz, readyz
from ogc import metrics, pages

admin.site.site_header = "OGC NewFinity operator console"
admin.site.site_title = "OGC NewFinity admin"
admin.site.index_title = f"Operations ({settings.OGC_ENVIRONMENT})"

urlpatterns = [
    # Operations (docs/operations.md): liveness, readiness, Prometheus.
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    # Plans and subscriptions had their admin pages under the accounts app until
    # subscriptions became an app of its own: old bookmarks keep working.
    re_path(
        r"admin/accounts/(?P<rest>(?:plan|subscription|subscriptionperiod)/.*)$",
        RedirectView.as_view(url="/admin/subscriptions/%(rest)s", permanent=True, query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # The language switcher in the footer posts to Django's set_language view.
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(("ogc.api_urls", "api"), namespace="api")),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="api-docs"),
    path("", pages.home, name="home"),
    path("dashboard/", pages.dashboard, name="dashboard"),
    path("", include("accounts.urls")),
    path("", include("wallets.urls")),
    path("", include("subscriptions.urls")),
    path("", include("notifications.urls")),
    path("", include("challenges.urls")),
    path("", include("governance.urls")),
    path("", include("ai.urls")),
]

# JSON error bodies under /api/ (core/error_views.py); the default pages elsewhere.
handler400 = "core.error_views.bad_request"
handler403 = "core.error_views.permission_denied"
handler404 = "core.error_views.page_not_found"
handler500 = "core.error_views.server_error"
