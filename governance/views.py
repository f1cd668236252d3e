"""Pages: proposals list, proposal detail (vote form, live tally), results.

Each page reads the same conditions as the services (``propose_outlook``,
``vote_outlook``) and, when an action cannot succeed, says why and how to get there
instead of offering a form that would be refused. The live tally is a fragment htmx
polls while voting runs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.amounts import format_amount
from core.exceptions import ApplicationError
from governance.forms import ProposalForm, VoteForm
from governance.models import Proposal, ProposalStatus, choice_label
from governance.selectors import (
    proposal_get,
    proposal_list,
    proposal_results,
    propose_outlook,
    results_chart,
    vote_get,
    vote_outlook,
)
from governance.services import proposal_create, vote_cast


def _visible_proposal(request: HttpRequest, pk: int) -> Proposal:
    proposal = proposal_get(proposal_id=pk)
    if proposal is None or (proposal.status == ProposalStatus.DRAFT and proposal.author_id != request.user.pk):
        raise Http404("Proposal not found.")
    return proposal


def _tally_context(proposal: Proposal) -> dict:
    """The tally, its bars and whether htmx should keep refreshing it."""
    results = proposal_results(proposal=proposal)
    return {
        "results": results,
        "chart": results_chart(results=results),
        "live": not results["final"] and proposal.status == ProposalStatus.ACTIVE,
    }


def proposal_list_page(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in (None, *ProposalStatus.values):
        status = None
    page = Paginator(proposal_list(status=status, viewer=request.user), 20).get_page(request.GET.get("page"))
    outlook = propose_outlook(user=request.user)
    context = {
        "page": page,
        "status": status,
        "statuses": ProposalStatus.choices,
        "outlook": outlook,
        "may_propose": outlook.can_propose,
    }
    return render(request, "governance/list.html", context)


@login_required
def proposal_create_page(request: HttpRequest) -> HttpResponse:
    """New proposal: the same service as ``POST /api/v1/proposals/``, published at once
    (a draft could not be published from the pages). A member who cannot propose (no
    member role, too little stake) is told so and how to get there, with no form."""
    outlook = propose_outlook(user=request.user)
    if not outlook.can_propose:
        return render(request, "governance/new.html", {"outlook": outlook}, status=403 if request.POST else 200)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = proposal_create(author=request.user, publish=True, **form.cleaned_data)
        except ApplicationError as exc:
            form.apply_service_error(exc)
        else:
            messages.success(request, gettext("Your proposal is published."))
            return redirect("governance_detail", pk=proposal.pk)
    context = {"form": form, "outlook": outlook}
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
                messages.success(
                    request,
                    gettext("Your vote “%(choice)s” counts with weight %(weight)s.")
                    % {"choice": choice_label(vote.choice), "weight": format_amount(vote.weight)},
                )
                return redirect("governance_detail", pk=proposal.pk)
    my_vote = vote_get(proposal=proposal, voter=request.user)
    if my_vote is not None and not form.is_bound:
        form = VoteForm(initial={"choice": my_vote.choice}, choices=proposal.choices)
    context = {
        "proposal": proposal,
        "form": form,
        "my_vote": my_vote,
        "outlook": vote_outlook(proposal=proposal, user=request.user),
        **(_tally_context(proposal) if proposal.status != ProposalStatus.DRAFT else {"results": None}),
    }
    return render(request, "governance/detail.html", context)


def proposal_results_page(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible_proposal(request, pk)
    if proposal.status == ProposalStatus.DRAFT:
        raise Http404("Proposal not found.")
    return render(request, "governance/results.html", {"proposal": proposal, **_tally_context(proposal)})


@never_cache
@require_GET
def proposal_tally_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The tally alone, polled by htmx every 15 s while voting runs (it stops polling
    once the result is final). A browser is sent to the results page."""
    proposal = _visible_proposal(request, pk)
    if proposal.status == ProposalStatus.DRAFT:
        raise Http404("Proposal not found.")
    if not request.htmx:
        return redirect("governance_results", pk=proposal.pk)
    return render(request, "governance/_tally.html", {"proposal": proposal, **_tally_context(proposal)})
