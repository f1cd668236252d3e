"""Forms of the subscription page; they validate input, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from subscriptions.selectors import plan_list


class SubscribeForm(forms.Form):
    plan = forms.ChoiceField(label=_("Plan"))
    auto_renew = forms.BooleanField(label=_("Renew automatically"), required=False, initial=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(p.code, p.local_name) for p in plan_list()]


class CancelForm(forms.Form):
    at_period_end = forms.BooleanField(label=_("At the end of the period"), required=False)
