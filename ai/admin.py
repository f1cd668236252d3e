"""Operator console: similarity flags (moderators), stored vectors, members'
choices and the paid assistant's requests with their costs and the provider's health
(operators), all read-only: flags change only when a moderator reviews the
submission (``ai.services.flags_record_decision``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html

from ai import selectors
from ai.models import AIFeature, AIRequest, Embedding, MemberAIPreference, RequestStatus, SimilarityFlag
from ai.providers.openai_compatible import breaker_state
from ai.templatetags.ai_flags import flag_html
from core.admin import ConsoleAdminMixin, ReadOnlyAdminMixin, user_change_url, when_html
from core.amounts import format_amount


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


@admin.register(AIRequest)
class AIRequestAdmin(ConsoleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The paid assistant's requests: costs, outcome, the ledger rows; above the list,
    the totals per status, the provider's health (the HTTP provider's circuit breaker)
    and which features are on. Read-only: requests change only through the services."""

    list_display = ("id", "member", "feature", "status", "provider", "model_name", "estimated", "paid", "asked", "took")
    list_filter = ("status", "feature", "provider", "error_code")
    list_select_related = ("user",)
    search_fields = ("user__email", "=id", "prompt_hash")
    ordering = ("-created_at", "-pk")
    exclude = ("draft",)
    change_list_template = "admin/ai/airequest/change_list.html"

    def changelist_view(self, request, extra_context=None):
        summary = selectors.requests_summary()
        extra_context = {
            **(extra_context or {}),
            "request_totals": [
                (
                    RequestStatus(status).label,
                    row["count"],
                    format_amount(row["charged"], grouping=True, symbol=True),
                    format_amount(row["credits"], grouping=True, symbol=True),
                )
                for status, row in sorted(summary.items())
            ],
            "provider": settings.OGC_AI_PROVIDER,
            "breaker": breaker_state(),
            "features": [
                (AIFeature(feature).label, selectors.feature_enabled(feature)) for feature in AIFeature.values
            ],
        }
        return super().changelist_view(request, extra_context=extra_context)

    @admin.display(description="member", ordering="user__email")
    def member(self, row: AIRequest) -> str:
        return format_html('<a href="{}">{}</a>', user_change_url(row.user_id) or "#", row.user)

    @admin.display(description="estimate", ordering="estimated_cost")
    def estimated(self, row: AIRequest) -> str:
        return format_amount(row.estimated_cost, grouping=True, symbol=True)

    @admin.display(description="paid", ordering="final_cost")
    def paid(self, row: AIRequest) -> str:
        return "—" if row.final_cost is None else format_amount(row.final_cost, grouping=True, symbol=True)

    @admin.display(description="asked", ordering="created_at")
    def asked(self, row: AIRequest) -> str:
        return when_html(row.created_at)

    @admin.display(description="took")
    def took(self, row: AIRequest) -> str:
        if row.started_at is None or row.finished_at is None:
            return "—"
        return f"{(row.finished_at - row.started_at).total_seconds():.1f} s"
