from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.exceptions import ApplicationError
from governance.models import choice_label

#: The value format of an ``<input type="datetime-local">``.
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class VoteForm(forms.Form):
    choice = forms.ChoiceField(label=_("Your choice"), widget=forms.RadioSelect)

    def __init__(self, *args, choices: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [(c, choice_label(c)) for c in choices]


def _default_end() -> datetime:
    """A week from now, to the minute (what the datetime-local input shows)."""
    return (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)


class ProposalForm(forms.Form):
    """The page's proposal form; ``governance.services.proposal_create`` validates again
    (stake, window, choices) and its refusals land on these fields. The voting window is
    read and shown in the time zone active for the request (the member's profile's),
    which the labels name."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 8}))
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One choice per line (at least two). Leave empty for for / against / abstain; abstain is always offered."
        ),
    )
    voting_starts_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Empty: now. Vote weight is the stake each member holds at this instant."),
    )
    voting_ends_at = forms.DateTimeField(
        initial=_default_end,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()
        self.fields["voting_starts_at"].label = gettext("Voting starts (%(zone)s)") % {"zone": zone}
        self.fields["voting_ends_at"].label = gettext("Voting ends (%(zone)s)") % {"zone": zone}

    def clean_choices(self) -> list[str] | None:
        lines = [line.strip() for line in self.cleaned_data.get("choices", "").splitlines()]
        return [line for line in lines if line] or None

    def apply_service_error(self, exc: ApplicationError) -> None:
        """Show a refusal of the service on its field (non-field for stake and role)."""
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)
