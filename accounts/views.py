"""Pages of the accounts app: the member's profile, API tokens and signed-in sessions."""

from uuid import UUID

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import ApiTokenForm, ProfileForm
from accounts.selectors import api_tokens_of, user_get_with_wallet, user_sessions_of
from accounts.services import (
    api_token_create,
    api_token_revoke,
    user_profile_update,
    user_session_end,
    user_sessions_end_all,
)
from core.exceptions import NotFoundError


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    # The form edits a copy: the service compares against request.user to find changes.
    form = ProfileForm(request.POST or None, instance=user_get_with_wallet(user_id=request.user.pk))
    if request.method == "POST" and form.is_valid():
        try:
            user_profile_update(user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect("dashboard")
    return render(request, "accounts/profile_form.html", {"form": form})


# --- API tokens and sessions (issue #17) ------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The member's API tokens: list (last used when and from where), create one (step-up:
    a recent re-authentication, allauth's page otherwise), revoke one by one. A new
    token's secret is in this one response only: it is stored as a hash."""
    form = ApiTokenForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            created, secret = api_token_create(
                user=request.user, name=data["name"], scope=data["scope"], days=data["days"]
            )
            created.secret = secret
            form = ApiTokenForm()
        else:
            status = 400
    context = {"form": form, "tokens": api_tokens_of(user=request.user), "created": created}
    return render(request, "accounts/api_tokens.html", context, status=status)


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, token_id: UUID) -> HttpResponse:
    try:
        api_token_revoke(user=request.user, public_id=token_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("Token revoked: it no longer works."))
    return redirect("api_tokens")


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    """Where the member is signed in (allauth.usersessions): end one, or all."""
    rows = user_sessions_of(user=request.user)
    for row in rows:
        row.current = row.session_key == request.session.session_key
    return render(request, "accounts/sessions.html", {"sessions": rows})


@login_required
@require_POST
def session_end(request: HttpRequest, session_id: int) -> HttpResponse:
    current = request.session.session_key
    try:
        key = user_session_end(user=request.user, session_id=session_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    if key == current:
        logout(request)
        return redirect("account_login")
    messages.success(request, _("That session has ended: the browser is signed out."))
    return redirect("sessions")


@login_required
@require_POST
def sessions_end_all(request: HttpRequest) -> HttpResponse:
    """ "Log out everywhere": every browser, this one included."""
    user_sessions_end_all(user=request.user)
    logout(request)
    messages.success(request, _("You are logged out everywhere."))
    return redirect("account_login")
