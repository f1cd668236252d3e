"""Pages: proposals list, proposal detail (vote form, live tally), results."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from core.amounts import format_amount
from core.exceptions import ApplicationError
from governance.forms import ProposalForm, VoteForm
from governance.models import Proposal, ProposalStatus
from governance.selectors import (
    proposal_get,
    proposal_list,
    proposal_min_stake,
    proposal_results,
    user_may_propose,
    vote_get,
)
from governance.services import proposal_create, vote_cast


def _visible_proposal(request: HttpRequest, pk: int) -> Proposal:
    proposal = proposal_get(proposal_id=pk)
    if proposal is None or (proposal.status == ProposalStatus.DRAFT and proposal.author_id != request.user.pk):
        raise Http404("Proposal not found.")
    return proposal


def proposal_list_page(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in (None, *ProposalStatus.values):
        status = None
    page = Paginator(proposal_list(status=status, viewer=request.user), 20).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": ProposalStatus.choices,
        "may_propose": request.user.is_authenticated and user_may_propose(user=request.user),
        "min_stake": proposal_min_stake(),
    }
    return render(request, "governance/list.html", context)


@login_required
def proposal_create_page(request: HttpRequest) -> HttpResponse:
    """New proposal: the same service as ``POST /api/v1/proposals/``, published at once
    (a draft could not be published from the pages). Refusals show on the form."""
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = proposal_create(author=request.user, publish=True, **form.cleaned_data)
        except ApplicationError as exc:
            form.apply_service_error(exc)
        else:
            messages.success(request, "Your proposal is published.")
            return redirect("governance_detail", pk=proposal.pk)
    context = {"form": form, "may_propose": user_may_propose(user=request.user), "min_stake": proposal_min_stake()}
    return render(request, "governance/new.html", context, status=400 if form.is_bound else 200)


def proposal_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible_proposal(request, pk)
    form = VoteForm(request.POST or None, choices=proposal.choices)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            try:
                vote = vote_cast(proposal_id=proposal.pk, voter=request.user, choice=form.cleaned_data["choice"])
            except ApplicationError as exc:
                form.add_error("choice" if exc.field == "choice" else None, exc.message)
            else:
                messages.success(request, f"Your vote “{vote.choice}” counts with weight {format_amount(vote.weight)}.")
                return redirect("governance_detail", pk=proposal.pk)
    my_vote = vote_get(proposal=proposal, voter=request.user)
    if my_vote is not None and not form.is_bound:
        form = VoteForm(initial={"choice": my_vote.choice}, choices=proposal.choices)
    return render(
        request,
        "governance/detail.html",
        {
            "proposal": proposal,
            "form": form,
            "my_vote": my_vote,
            "is_open": proposal.is_open_at(timezone.now()),
            "results": proposal_results(proposal=proposal) if proposal.status != ProposalStatus.DRAFT else None,
        },
    )


def proposal_results_page(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible_proposal(request, pk)
    if proposal.status == ProposalStatus.DRAFT:
        raise Http404("Proposal not found.")
    return render(
        request, "governance/results.html", {"proposal": proposal, "results": proposal_results(proposal=proposal)}
    )
