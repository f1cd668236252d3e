"""Pages of the accounts app: the member's profile."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.forms import ProfileForm
from accounts.selectors import user_get_with_wallet
from accounts.services import user_profile_update


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
