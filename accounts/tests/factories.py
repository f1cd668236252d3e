import factory
from django.contrib.auth.models import Group

from accounts.models import User

DEFAULT_PASSWORD = "correct-horse-battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    """A member (wallet created by User.save). ``roles=[...]`` adds groups."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    display_name = factory.Faker("first_name")
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """Role holders beyond member get a second factor too: the operator API
        (``/api/v1/ops/``) refuses callers without one. ``roles__mfa=False`` skips it."""
        if create and extracted:
            for name in extracted:
                group, _ = Group.objects.get_or_create(name=name)
                self.groups.add(group)
            if kwargs.get("mfa", True) and set(extracted) - {"member"}:
                enrol_totp(self)


class StaffFactory(UserFactory):
    """Staff must have a second factor (accounts.middleware): enrolled by default;
    ``StaffFactory(mfa=False)`` makes one without (the tests of that rule)."""

    is_staff = True

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        if create and extracted is not False:
            enrol_totp(self)


class SuperuserFactory(StaffFactory):
    is_superuser = True


def enrol_totp(user) -> str:
    """Give ``user`` a TOTP authenticator (and recovery codes), as allauth's enrolment
    page does; returns the secret, from which ``totp_code`` computes codes."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        from allauth.mfa.utils import decrypt

        return decrypt(existing.data["secret"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def totp_code(secret: str, *, offset: int = 0) -> str:
    """The current code of ``secret`` (allauth's own HOTP helpers); ``offset`` periods later."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter + offset))


def unused_totp_code(user) -> str:
    """The current TOTP code of ``user`` that allauth has not seen used yet (each code
    works once per period): when the current one is spent, wait for the next period.
    For browser tests that sign the same staff account in more than once."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.models import Authenticator
    from django.core.cache import cache

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = enrol_totp(user)
    period = app_settings.TOTP_PERIOD
    if period - time.time() % period < 5:  # too close to the period's end: it would expire on the way
        time.sleep(period - time.time() % period + 0.5)
    code = totp_code(secret)
    if cache.get(authenticator.wrap()._get_used_cache_key(code)) is not None:
        time.sleep(period - time.time() % period + 0.5)
        code = totp_code(secret)
    return code


def api_token_for(user, *, scope: str = "read+money", name: str = "test token") -> str:
    """A new API token's secret (``Authorization: Token <secret>``)."""
    from accounts.models import ApiToken

    _token, secret = ApiToken.objects.create(user=user, name=name, scope=scope)
    return secret


def login_fresh(client, user, *, password: str = DEFAULT_PASSWORD) -> None:
    """Sign ``client`` in as ``user`` and step up through allauth's re-authentication
    page (the password again), as a member does when a sensitive page asks: the
    session then holds a fresh re-authentication for ``ACCOUNT_REAUTHENTICATION_TIMEOUT``."""
    client.force_login(user)
    response = client.post("/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302, response.content[:500]


def step_up(user, *, password: str = DEFAULT_PASSWORD) -> dict[str, str]:
    """The step-up fields an API request for a sensitive action carries (core.stepup):
    for an account with a second factor a code it has not used yet (the current TOTP
    code, or once that is spent in this period an unused recovery code), else the
    password. Merge into the body: ``{"amount": "1", ..., **step_up(user)}``."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt
    from django.core.cache import cache

    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is None:
        return {"password": password}
    code = totp_code(decrypt(totp.data["secret"]))
    if cache.get(totp.wrap()._get_used_cache_key(code)) is None:
        return {"mfa_code": code}
    codes = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES).wrap().get_unused_codes()
    return {"mfa_code": codes[0]}
