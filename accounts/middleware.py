"""Staff must have a second factor (issue #17, part 1).

A staff account without one reaches nothing in ``/admin/`` but the enrolment pages
(allauth.mfa's ``/accounts/2fa/``): every admin page redirects there with a message.
Logging in to the admin goes through allauth's login (``core.admin_site``), so an
account with a second factor always passes its code. The API side
(``/api/v1/ops/``) is ``core.authentication.check_ops_mfa``.
"""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext

ADMIN_PREFIX = "/admin/"
# Pages a staff account without a second factor may still open under /admin/.
ADMIN_OPEN = ("/admin/login/", "/admin/logout/")


def staff_needs_mfa(user) -> bool:
    return bool(
        settings.OGC_STAFF_MFA_REQUIRED and user.is_authenticated and user.is_staff and not is_mfa_enabled(user)
    )


class StaffMfaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if path.startswith(ADMIN_PREFIX) and not path.startswith(ADMIN_OPEN) and staff_needs_mfa(request.user):
            messages.warning(
                request,
                gettext("Staff accounts need two-step sign-in. Set up an authenticator app to open the console."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
