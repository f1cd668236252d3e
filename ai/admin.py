"""Operator console: similarity flags (moderators), stored vectors and members'
choices (operators), all read-only: flags change only when a moderator reviews the
submission (``ai.services.flags_record_decision``)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html

from ai.models import Embedding, MemberAIPreference, SimilarityFlag
from ai.templatetags.ai_flags import flag_html
from core.admin import ConsoleAdminMixin, ReadOnlyAdminMixin, user_change_url, when_html


@admin.register(SimilarityFlag)
class SimilarityFlagAdmin(ConsoleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("flag", "scope", "outcome", "decided", "created")
    list_display_links = None
    list_filter = ("outcome", "scope", "provider")
    list_select_related = ("submission__challenge", "matched__challenge", "decided_by")
    search_fields = ("submission__title", "matched__title")
    ordering = ("-created_at", "-pk")

    @admin.display(description="suggestion")
    def flag(self, row: SimilarityFlag) -> str:
        return flag_html(row, with_subject=True)

    @admin.display(description="moderator")
    def decided(self, row: SimilarityFlag) -> str:
        if row.decided_by_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a><br>{}',
            user_change_url(row.decided_by_id) or "#",
            row.decided_by,
            when_html(row.decided_at),
        )

    @admin.display(description="flagged", ordering="created_at")
    def created(self, row: SimilarityFlag) -> str:
        return when_html(row.created_at)


@admin.register(Embedding)
class EmbeddingAdmin(ConsoleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("kind", "object_id", "provider", "model_name", "dimensions", "updated_at")
    list_filter = ("kind", "provider", "model_name")
    exclude = ("vector",)
    ordering = ("-updated_at", "-pk")


@admin.register(MemberAIPreference)
class MemberAIPreferenceAdmin(ConsoleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "analyse_submissions", "updated_at")
    list_filter = ("analyse_submissions",)
    list_select_related = ("user",)
    search_fields = ("user__email",)
