"""Forms of the subscription page; they validate input, the services decide."""

from __future__ import annotations

from django import forms

from subscriptions.selectors import plan_list


class SubscribeForm(forms.Form):
    plan = forms.ChoiceField(label="Plan")
    auto_renew = forms.BooleanField(label="Renew automatically", required=False, initial=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(p.code, p.name) for p in plan_list()]


class CancelForm(forms.Form):
    at_period_end = forms.BooleanField(required=False)
