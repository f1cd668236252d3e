"""Pages of the AI segment: the search page (the menu's search box sends here) and a
member's choice about analysis of their submissions."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ai import selectors, services
from ai.models import SourceKind


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=settings.OGC_AI_SEARCH_MAX_QUERY, strip=True)
    kind = forms.ChoiceField(choices=[("", _("Everything")), *SourceKind.choices], required=False)


class PreferenceForm(forms.Form):
    analyse_submissions = forms.BooleanField(
        label=_("Compare my submissions with others to help moderators spot copies"),
        required=False,
    )


def search_page(request: HttpRequest) -> HttpResponse:
    asked = bool(request.GET.get("q", "").strip()) or len(request.GET.get("q", "")) > settings.OGC_AI_SEARCH_MAX_QUERY
    form = SearchForm(request.GET if asked else None, initial={"kind": request.GET.get("kind", "")})
    results = None
    if asked and form.is_valid():
        results = selectors.search(
            query=form.cleaned_data["q"],
            user=request.user,
            kinds=[form.cleaned_data["kind"]] if form.cleaned_data["kind"] else None,
        )
    status = 400 if asked and not form.is_valid() else 200
    return render(
        request,
        "ai/search.html",
        {"form": form, "results": results, "kinds": SourceKind.choices, "max_query": settings.OGC_AI_SEARCH_MAX_QUERY},
        status=status,
    )


@login_required
def preferences_page(request: HttpRequest) -> HttpResponse:
    allowed = selectors.analyse_submissions_allowed(user=request.user)
    form = PreferenceForm(request.POST or None, initial={"analyse_submissions": allowed})
    if request.method == "POST" and form.is_valid():
        services.preference_set(user=request.user, analyse_submissions=form.cleaned_data["analyse_submissions"])
        messages.success(request, gettext("Your choice was saved."))
        return redirect("ai_preferences")
    return render(request, "ai/preferences.html", {"form": form, "allowed": allowed})
