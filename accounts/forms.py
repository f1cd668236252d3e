from __future__ import annotations

import zoneinfo
from functools import cache

from allauth.account.adapter import get_adapter
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import email_in_use
from accounts.services import PROFILE_FIELDS
from core.i18n import member_language

#: Zone families people pick from; the rest of the database (``Etc/GMT+5``, ``US/…``
#: aliases, ``posixrules``) only stays selectable for a member who already has one.
_ZONE_AREAS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


@cache
def _zone_names() -> tuple[str, ...]:
    return ("UTC", *sorted(name for name in zoneinfo.available_timezones() if name.startswith(_ZONE_AREAS)))


class SignupForm(AllauthSignupForm):
    """allauth's signup page (ACCOUNT_FORMS['signup']) with a display name, saved in
    one transaction: user, wallet, email address and profile, or nothing."""

    display_name = forms.CharField(
        max_length=60,
        required=False,
        label=_("Display name"),
        help_text=_("Shown on leaderboards and your public profile instead of your email address."),
    )

    field_order = ["email", "display_name", "password1", "password2"]

    @transaction.atomic
    def save(self, request):
        user = super().save(request)
        if self.cleaned_data.get("display_name"):
            user.display_name = self.cleaned_data["display_name"]
            user.save(update_fields=["display_name", "updated_at"])
        return user


class AddEmailForm(AllauthAddEmailForm):
    """allauth's "add an address" page (ACCOUNT_FORMS['add_email']), refusing an
    address another account holds, verified or not. allauth refuses it only when
    enumeration prevention is off (ours is on) and otherwise stores it unverified on
    the second account: two accounts would hold one address, which MariaDB does not
    stop (no conditional unique constraint, docs/security.md). Saying "taken" to a
    signed-in member reveals nothing the signup API does not already answer."""

    def clean_email(self) -> str:
        value = super().clean_email()
        if self.user is not None and email_in_use(email=value, exclude_user_id=self.user.pk):
            raise get_adapter().validation_error("email_taken")
        return value


class ProfileForm(forms.ModelForm):
    """The profile page. Language and time zone are chosen from lists (the API takes
    any language tag and time-zone name)."""

    locale = forms.ChoiceField(
        label=_("Language of emails and notifications"),
        choices=settings.LANGUAGES,
        help_text=_("The pages follow the language chosen at the bottom of each page."),
    )
    timezone = forms.ChoiceField(
        label=_("Time zone"), help_text=_("Dates and times on the pages and in your notifications use it.")
    )

    class Meta:
        model = User
        fields = list(PROFILE_FIELDS)
        labels = {
            "display_name": _("Display name"),
            "bio": _("About you"),
            "avatar_url": _("Picture web address"),
            "country": _("Country"),
        }
        help_texts = {
            "display_name": _("Shown on leaderboards and your public profile instead of your email address."),
            "avatar_url": _("A link to an image, starting with https://"),
            "country": _("Two letters, such as ES or DE."),
        }
        widgets = {"bio": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        zones = list(_zone_names())
        current = self.instance.timezone if self.instance else ""
        if current and current not in zones:
            zones.insert(0, current)  # an alias set through the API stays as it is
        self.fields["timezone"].choices = [(name, name.replace("_", " ")) for name in zones]
        if self.instance and not self.is_bound:
            self.initial["locale"] = member_language(self.instance)


class ApiTokenForm(forms.Form):
    """A new API token on the tokens page (``api_token_create``)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("What uses it, so you recognise it later (e.g. “tax report script”)."),
    )
    scope = forms.ChoiceField(
        label=_("It may"),
        choices=[("read", _("Read only")), ("read+money", _("Read and move money"))],
        initial="read",
        widget=forms.RadioSelect,
    )
    days = forms.IntegerField(
        label=_("Expires after (days)"), min_value=1, max_value=365, initial=90, help_text=_("From 1 to 365 days.")
    )
