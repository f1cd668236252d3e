"""Forms of the challenges pages (the services validate again)."""

from __future__ import annotations

from django import forms


class SubmissionForm(forms.Form):
    title = forms.CharField(max_length=200)
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
    link = forms.URLField(max_length=500, required=False, assume_scheme="https")

    def clean(self):
        data = super().clean()
        if not data.get("content") and not data.get("link"):
            raise forms.ValidationError("Give the submission's content, a link, or both.")
        return data


class ReviewForm(forms.Form):
    """Admin review form."""

    status = forms.ChoiceField(choices=[("accepted", "Accept"), ("rejected", "Reject")])
    score = forms.DecimalField(max_digits=12, decimal_places=4, min_value=0, required=False)
    review_note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class BadgeActionForm(forms.Form):
    """Admin form to award or revoke a badge."""

    user_email = forms.EmailField(label="User email")
    reason = forms.CharField(max_length=300)
