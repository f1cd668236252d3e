"""Proposal pages name choices by their label (the default ones translated) and say the
time zone the voting window is read in."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from governance.forms import ProposalForm, VoteForm


def test_the_vote_form_and_the_filter_show_labels_not_keys():
    form = VoteForm(choices=["for", "against", "abstain", "green roof"])
    assert [label for _key, label in form.fields["choice"].choices] == ["For", "Against", "Abstain", "Green roof"]
    with translation.override("es"):
        form = VoteForm(choices=["for", "against", "abstain"])
        assert [label for _key, label in form.fields["choice"].choices] == ["A favor", "En contra", "Abstención"]
        rendered = Template("{% load proposals %}{{ c|choice_label }}").render(Context({"c": "against"}))
        assert rendered == "En contra"


@pytest.mark.parametrize("zone", ["UTC", "America/Lima"])
def test_the_proposal_form_names_the_zone_it_reads_times_in(zone):
    with timezone.override(zone):
        form = ProposalForm()
        assert form.fields["voting_starts_at"].label == f"Voting starts ({zone})"
        assert form.fields["voting_ends_at"].label == f"Voting ends ({zone})"
        with translation.override("es"):
            assert ProposalForm().fields["voting_ends_at"].label == f"Fin de la votación ({zone})"
