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
