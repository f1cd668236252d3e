"""Pages of the accounts app: home, dashboard, profile."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.forms import ProfileForm
from accounts.selectors import user_get_with_wallet
from accounts.services import user_profile_update


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """One glance at everything a member has: each section read through its
    app's selector (a fixed number of queries whatever the data)."""
    from accounts.subscriptions.selectors import subscription_for_user
    from challenges.selectors import challenge_sections, user_badges
    from notifications.selectors import notification_list

    user = user_get_with_wallet(user_id=request.user.pk)
    context = {
        "profile_user": user,
        "wallet": user.wallet,
        "subscription": subscription_for_user(user=user),
        "notifications": list(notification_list(user=user)[:5]),
        "badges": list(user_badges(user_id=user.pk)[:6]),
        "open_challenges": challenge_sections(user=user)["open"][:3],
    }
    return render(request, "accounts/dashboard.html", context)


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
            messages.success(request, "Profile saved.")
            return redirect("dashboard")
    return render(request, "accounts/profile_form.html", {"form": form})
