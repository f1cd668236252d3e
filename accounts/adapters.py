from allauth.account.adapter import DefaultAccountAdapter

from accounts.services import after_signup
from core.i18n import current_language


class AccountAdapter(DefaultAccountAdapter):
    """allauth hooks: queue the same post-signup side effects as the API."""

    def save_user(self, request, user, form, commit=True):
        # A member who signs up in Spanish gets their notifications in Spanish.
        user.locale = current_language()
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            after_signup(user=user)
        return user

    def pre_authenticate(self, request, **credentials):
        """During a django-axes lockout every login attempt is the lockout's 429 (with
        ``Retry-After``), before allauth's own failed-login rate limit can answer its
        form error (a 200): ``AxesMiddleware`` turns ``request.axes_locked_out`` into
        ``core.lockout.lockout_response``. The attempt is not recorded, so it does not
        extend the lockout (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``)."""
        from axes.handlers.proxy import AxesProxyHandler

        axes_credentials = {"username": credentials.get("email") or credentials.get("username")}
        if AxesProxyHandler.is_locked(request, axes_credentials):
            request.axes_locked_out = True
            raise self.validation_error("too_many_login_attempts")
        return super().pre_authenticate(request, **credentials)
