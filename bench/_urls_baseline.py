"""The site's URLconf plus two plain Django views, the baseline of ``bench/api.py``.

Each baseline view returns the same rows as the API endpoint it is compared with,
as ``JsonResponse`` over ``.values()``: no DRF (no authentication classes,
permissions, throttles, filters, paginator, serializers). The transactions
baseline authenticates the same ``Authorization: Token`` header with one query,
so the comparison measures the framework layer, not a missing login. Selected by
``bench._settings_api`` only.
"""

from __future__ import annotations

from django.db.models import BooleanField, Case, CharField, Value, When
from django.http import HttpRequest, JsonResponse
from django.urls import path
from knox.crypto import hash_token

from accounts.models import ApiToken
from challenges.api.serializers import ChallengeOutputSerializer
from challenges.models import Challenge, ChallengeStatus, Visibility
from challenges.selectors import phase_q
from ogc.urls import handler400, handler403, handler404, handler500
from ogc.urls import urlpatterns as site_urlpatterns
from wallets.api.serializers import TransactionOutputSerializer
from wallets.models import Transaction

PAGE = 50
# The serializers' own field lists: the baseline returns exactly the fields ours does.
TRANSACTION_FIELDS = tuple(TransactionOutputSerializer.Meta.fields)
CHALLENGE_FIELDS = tuple(ChallengeOutputSerializer.Meta.fields)


def transactions_baseline(request: HttpRequest) -> JsonResponse:
    key = request.headers.get("Authorization", "").removeprefix("Token ").strip()
    token = ApiToken.objects.filter(digest=hash_token(key), user__is_active=True).only("user_id").first()
    if token is None:
        return JsonResponse({"detail": "Authentication required."}, status=401)
    rows = Transaction.objects.filter(user_id=token.user_id).order_by("-created_at", "-id").values(*TRANSACTION_FIELDS)
    return JsonResponse({"results": list(rows[:PAGE])})


def challenges_baseline(request: HttpRequest) -> JsonResponse:
    from django.utils import timezone

    now = timezone.now()
    phase = Case(
        *(When(phase_q(p, now), then=Value(p)) for p in ("upcoming", "open", "closed")),
        default="status",
        output_field=CharField(),
    )
    rows = (
        Challenge.objects.filter(visibility=Visibility.PUBLIC)
        .exclude(status=ChallengeStatus.DRAFT)
        .annotate(
            phase=phase,
            is_open=Case(
                When(phase_q("open", now), then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
        )
        .order_by("-starts_at", "-id")
        .values(*CHALLENGE_FIELDS)
    )
    return JsonResponse({"results": list(rows[:PAGE])})


urlpatterns = [
    path("bench/baseline/transactions/", transactions_baseline),
    path("bench/baseline/challenges/", challenges_baseline),
    *site_urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
