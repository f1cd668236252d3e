"""Forms of the challenges pages (the services validate again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SubmissionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    content = forms.CharField(
        label=_("Content"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("Describe or paste your entry; give a link instead or as well."),
    )
    link = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")

    def clean(self):
        data = super().clean()
        if not data.get("content") and not data.get("link"):
            raise forms.ValidationError(_("Give the submission's content, a link, or both."))
        return data


class ReviewForm(forms.Form):
    """Admin review form."""

    status = forms.ChoiceField(label=_("Decision"), choices=[("accepted", _("Accept")), ("rejected", _("Reject"))])
    score = forms.DecimalField(label=_("Score"), max_digits=12, decimal_places=4, min_value=0, required=False)
    review_note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class BadgeActionForm(forms.Form):
    """Admin form to award or revoke a badge."""

    user_email = forms.EmailField(label=_("User email"))
    reason = forms.CharField(label=_("Reason"), max_length=300)
