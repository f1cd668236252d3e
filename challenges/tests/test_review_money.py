"""Regression tests from the money-path review (each names the bug it pins)."""

from decimal import Decimal

import pytest

from accounts.tests.factories import SuperuserFactory
from challenges.models import Challenge
from challenges.tests.factories import ChallengeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("prize", ["NaN", "sNaN", "-Infinity"])
def test_admin_form_refuses_a_non_finite_prize_instead_of_a_500(client, prize):
    """Bug: the change form compared each prize with 0, and ``Decimal("NaN") <= 0``
    raises InvalidOperation: the operator got a 500 instead of a form error."""
    client.force_login(SuperuserFactory())
    challenge = ChallengeFactory(prize_pool=Decimal("100"), prize_split=["50"])
    data = {name: getattr(challenge, name) for name in ("slug", "title", "visibility", "max_submissions_per_user")}
    for name in ("starts_at", "ends_at"):
        moment = getattr(challenge, name)
        data |= {f"{name}_0": moment.strftime("%Y-%m-%d"), f"{name}_1": moment.strftime("%H:%M:%S")}
    data |= {"description": "d", "rules": "", "category": "", "tags": "[]", "entry_fee": "0", "prize_pool": "100"}
    data["prize_split"] = f'["{prize}"]'
    response = client.post(f"/admin/challenges/challenge/{challenge.pk}/change/", data)
    assert response.status_code == 200
    assert "Each prize must be a decimal amount" in response.content.decode()
    assert Challenge.objects.get(pk=challenge.pk).prize_split == ["50"]


def test_prize_split_sums_keep_every_digit():
    """A split whose sum needs 36 digits: the default 28-digit context rounded it
    down to the pool and let a split above the pool through."""
    from decimal import Decimal

    import pytest as _pytest

    from challenges.services import _validate_prizes
    from core.exceptions import ApplicationError

    pool = Decimal("100000000000000000.000000000000000000")
    over = ["50000000000000000.000000000000000001", "50000000000000000.000000000000000000"]
    with _pytest.raises(ApplicationError) as info:
        _validate_prizes(prize_pool=pool, prize_split=over, entry_fee="0")
    assert info.value.code == "split_exceeds_pool"
