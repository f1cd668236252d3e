from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from core.exceptions import ApplicationError

#: The value format of an ``<input type="datetime-local">``.
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class VoteForm(forms.Form):
    choice = forms.ChoiceField(widget=forms.RadioSelect)

    def __init__(self, *args, choices: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [(c, c.capitalize()) for c in choices]


def _default_end() -> datetime:
    """A week from now, to the minute (what the datetime-local input shows)."""
    return (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)


class ProposalForm(forms.Form):
    """The page's proposal form; ``governance.services.proposal_create`` validates again
    (stake, window, choices) and its refusals land on these fields."""

    title = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}))
    choices = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One choice per line (at least two). Leave empty for for / against / abstain; "
        "abstain is always offered.",
    )
    voting_starts_at = forms.DateTimeField(
        required=False,
        label="Voting starts (UTC)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text="Empty: now. Vote weight is the stake each member holds at this instant.",
    )
    voting_ends_at = forms.DateTimeField(
        label="Voting ends (UTC)",
        initial=_default_end,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )

    def clean_choices(self) -> list[str] | None:
        lines = [line.strip() for line in self.cleaned_data.get("choices", "").splitlines()]
        return [line for line in lines if line] or None

    def apply_service_error(self, exc: ApplicationError) -> None:
        """Show a refusal of the service on its field (non-field for stake and role)."""
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)
