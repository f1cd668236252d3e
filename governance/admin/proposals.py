"""Proposals and votes: proposals are created on the site/API (the author's stake is
checked there); the admin reads them and runs the cancel/close actions through the
same services. Votes are read-only. The dashboard tile of proposals closing soon."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core.admin import (
    ConsoleAdminMixin,
    ReadOnlyAdminMixin,
    member_html,
    pill,
    run_admin_action,
    user_change_url,
    when_html,
)
from core.admin_site import ATTENTION, OK, Tile, register_tile
from core.amounts import format_amount
from governance.models import Proposal, Vote
from governance.selectors import proposals_closing_within
from governance.services import proposal_cancel, proposal_close

CLOSING_HOURS = 24


RECENT_VOTES = 20


class ClosingSoonFilter(admin.SimpleListFilter):
    title = "voting"
    parameter_name = "closing"

    def lookups(self, request, model_admin):
        return [("24h", f"Closing within {CLOSING_HOURS} h")]

    def queryset(self, request, queryset):
        if self.value() == "24h":
            return queryset.filter(pk__in=proposals_closing_within(hours=CLOSING_HOURS).values("pk"))
        return queryset


@admin.register(Proposal)
class ProposalAdmin(ConsoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "title",
        "author",
        "status_pill",
        "voting_starts_at",
        "voting_ends",
        "outcome",
        "winning_choice",
    )
    list_filter = (ClosingSoonFilter, "status", "outcome", "quorum_met")
    search_fields = ("title", "author__email")
    list_select_related = ("author",)
    date_hierarchy = "created_at"
    actions = ["cancel_proposals", "close_ended_proposals"]
    readonly_fields = (
        "title",
        "body",
        "author",
        "status",
        "choices",
        "voting_starts_at",
        "voting_ends_at",
        "snapshot_at",
        "quorum_share",
        "tally",
        "total_weight",
        "total_staked_at_snapshot",
        "quorum_met",
        "outcome",
        "winning_choice",
        "published_at",
        "closed_at",
        "canceled_at",
        "created_at",
        "updated_at",
        "votes",
    )

    @admin.display(description=f"votes (the last {RECENT_VOTES})")
    def votes(self, obj: Proposal) -> SafeString:
        """The latest votes and a link to all of them (an inline rendered every vote:
        150 rows, 0.15 s, on a busy proposal)."""
        rows = Vote.objects.filter(proposal=obj).select_related("voter").order_by("-updated_at", "-pk")[:RECENT_VOTES]
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td class='ogc-num'>{}</td><td>{}</td></tr>",
            (
                (
                    member_html(v.voter, url=user_change_url(v.voter_id)),
                    v.choice,
                    format_amount(v.weight, grouping=True),
                    when_html(v.updated_at),
                )
                for v in rows
            ),
        )
        url = reverse("admin:governance_vote_changelist") + f"?proposal__id__exact={obj.pk}"
        return format_html(
            "<table><thead><tr><th>voter</th><th>choice</th><th>weight</th><th>when</th></tr></thead>"
            '<tbody>{}</tbody></table><p><a href="{}">All votes on this proposal</a></p>',
            body,
            url,
        )

    @admin.display(description="status", ordering="status")
    def status_pill(self, obj: Proposal) -> SafeString:
        return pill(obj.status, obj.get_status_display())

    @admin.display(description="voting ends", ordering="voting_ends_at")
    def voting_ends(self, obj: Proposal) -> SafeString | str:
        return when_html(obj.voting_ends_at)

    def has_add_permission(self, request) -> bool:
        return False  # proposals come from members (stake checked in proposal_create)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Only drafts (never voted on) may be removed; everything else is a public record.
        return super().has_delete_permission(request, obj) and (obj is None or obj.status == "draft")

    def _run(self, request, queryset, *, done: str, service) -> None:
        run_admin_action(
            self,
            request,
            queryset,
            operation=lambda proposal: service(proposal) and None,
            label=lambda proposal: f"#{proposal.pk}",
            success=lambda n: f"{n} proposal(s) {done}.",
        )

    @admin.action(description="Cancel selected proposals", permissions=["change"])
    def cancel_proposals(self, request, queryset):
        self._run(
            request,
            queryset,
            done="canceled",
            service=lambda p: proposal_cancel(proposal_id=p.pk, actor=request.user),
        )

    @admin.action(description="Close selected proposals whose voting has ended", permissions=["change"])
    def close_ended_proposals(self, request, queryset):
        self._run(request, queryset, done="closed", service=lambda p: proposal_close(proposal_id=p.pk))


@admin.register(Vote)
class VoteAdmin(ConsoleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Votes are cast by members only; the admin reads them."""

    list_display = ("id", "proposal", "voter", "choice", "weight", "updated_at")
    list_filter = ("choice",)
    search_fields = ("voter__email", "proposal__title")
    list_select_related = ("proposal", "voter")
    readonly_fields = ("proposal", "voter", "choice", "weight", "created_at", "updated_at")


# --- dashboard and search ----------------------------------------------------------------------


@register_tile("governance.proposals_closing", order=30, permissions=["governance.view_proposal"])
def proposals_tile(request: HttpRequest) -> Tile:
    closing = list(proposals_closing_within(hours=CLOSING_HOURS).values_list("voting_ends_at", flat=True)[:100])
    count = len(closing)
    detail = ""
    if closing:
        detail = f"first closes {timezone.localtime(closing[0]):%b %-d %H:%M} UTC"
    return Tile(
        title=f"Proposals closing within {CLOSING_HOURS} h",
        value=f"{count:,}",
        detail=detail,
        url=reverse("admin:governance_proposal_changelist") + "?closing=24h",
        state=ATTENTION if count else OK,
        action="View",
    )
