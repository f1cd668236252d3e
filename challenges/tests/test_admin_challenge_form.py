"""The challenge admin form writes through challenge_create/challenge_update: refusals
are form errors on their field (never a 500), and the prize rules are the service's."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry

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
    data |= {
        "description": "d",
        "rules": "",
        "category": "",
        "tags": "[]",
        "entry_fee": "0",
        "entry_fee_to": "revenue",
        "prize_pool": "100",
    }
    data["prize_split"] = f'["{prize}"]'
    response = client.post(f"/admin/challenges/challenge/{challenge.pk}/change/", data)
    assert response.status_code == 200
    assert "Enter a valid decimal amount" in " ".join(response.context["adminform"].form.errors["prize_split"])
    assert Challenge.objects.get(pk=challenge.pk).prize_split == ["50"]


def test_prize_split_sums_keep_every_digit():
    """A split whose sum needs 36 digits: the default 28-digit context rounded it
    down to the pool and let a split above the pool through."""
    from decimal import Decimal

    import pytest as _pytest

    from challenges.services.rules import _validate_prizes
    from core.exceptions import ApplicationError

    pool = Decimal("100000000000000000.000000000000000000")
    over = ["50000000000000000.000000000000000001", "50000000000000000.000000000000000000"]
    with _pytest.raises(ApplicationError) as info:
        _validate_prizes(prize_pool=pool, prize_split=over, entry_fee="0")
    assert info.value.code == "split_exceeds_pool"


def _form_data(**overrides):
    data = {
        "slug": "from-the-admin",
        "title": "From the admin",
        "description": "d",
        "rules": "",
        "category": "",
        "tags": "[]",
        "visibility": "public",
        "starts_at_0": "2030-01-01",
        "starts_at_1": "10:00:00",
        "ends_at_0": "2030-01-08",
        "ends_at_1": "10:00:00",
        "entry_fee": "0",
        "entry_fee_to": "revenue",
        "prize_pool": "100",
        "prize_split": '["60", "40"]',
        "max_submissions_per_user": "1",
    }
    return data | overrides


def test_admin_creates_through_the_service_with_its_audit_entry(client):
    staff = SuperuserFactory()
    client.force_login(staff)
    assert client.post("/admin/challenges/challenge/add/", _form_data()).status_code == 302
    challenge = Challenge.objects.get(slug="from-the-admin")
    assert (challenge.status, challenge.created_by, challenge.prize_split) == ("draft", staff, ["60", "40"])
    entry = LogEntry.objects.get(additional_data__action="challenge_create", object_pk=str(challenge.pk))
    assert entry.actor == staff


def test_admin_edit_goes_through_challenge_update(client):
    staff = SuperuserFactory()
    client.force_login(staff)
    challenge = ChallengeFactory(slug="from-the-admin", prize_pool=Decimal("100"), prize_split=["50"])
    response = client.post(f"/admin/challenges/challenge/{challenge.pk}/change/", _form_data(title="Renamed"))
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert (challenge.title, challenge.prize_split) == ("Renamed", ["60", "40"])
    entry = LogEntry.objects.get(additional_data__action="challenge_update", object_pk=str(challenge.pk))
    assert entry.actor == staff and "title" in entry.additional_data["fields"]


def test_admin_shows_a_taken_slug_on_its_field_and_creates_nothing(client):
    client.force_login(SuperuserFactory())
    ChallengeFactory(slug="from-the-admin")
    response = client.post("/admin/challenges/challenge/add/", _form_data())
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"]
    assert Challenge.objects.filter(slug="from-the-admin").count() == 1
