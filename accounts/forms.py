from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.db import transaction

from accounts.models import User
from accounts.services import PROFILE_FIELDS


class SignupForm(AllauthSignupForm):
    """allauth's signup page (ACCOUNT_FORMS['signup']) with a display name, saved in
    one transaction: user, wallet, email address and profile, or nothing."""

    display_name = forms.CharField(max_length=60, required=False, label="Display name")

    field_order = ["email", "display_name", "password1", "password2"]

    @transaction.atomic
    def save(self, request):
        user = super().save(request)
        if self.cleaned_data.get("display_name"):
            user.display_name = self.cleaned_data["display_name"]
            user.save(update_fields=["display_name", "updated_at"])
        return user


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = list(PROFILE_FIELDS)
        widgets = {"bio": forms.Textarea(attrs={"rows": 3})}
