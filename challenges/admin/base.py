"""What the challenge admins share: the read-only base of the rows only the services
write, and the page of an action that needs a form (review, award, revoke)."""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse

from core.admin import ConsoleAdminMixin, ReadOnlyAdminMixin


def _render_form(admin_obj, request, *, form, title: str, intro: str, submit_label: str, back_url: str):
    context = {
        **admin_obj.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "form": form,
        "media": admin_obj.media + form.media,
        "submit_label": submit_label,
        "opts": admin_obj.model._meta,
        "back_url": back_url,
    }
    return TemplateResponse(request, "admin/challenges/action_form.html", context)


class ReadOnlyAdmin(ConsoleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Rows written only by the challenge services (the actions call them)."""
