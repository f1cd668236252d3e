import zoneinfo

from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import ApiToken, TokenScope, User
from accounts.selectors import email_in_use
from accounts.validators import country_validator, locale_validator, validate_timezone
from core.amounts import AmountSerializerField
from core.exceptions import ConflictError, UnprocessableError
from core.serializers import LinkField, StrictInputSerializer
from core.stepup import step_up_fields


@extend_schema_field({"type": "string", "enum": sorted(zoneinfo.available_timezones())})
class TimezoneField(serializers.CharField):
    """An IANA time zone name; the schema lists every name the server knows."""


class WalletSummarySerializer(serializers.Serializer):
    token_symbol = serializers.CharField()
    available = AmountSerializerField()
    staked = AmountSerializerField()
    held = AmountSerializerField()
    deposit_address = serializers.CharField()


class UserOutputSerializer(serializers.ModelSerializer):
    wallet = WalletSummarySerializer(read_only=True)
    # Blank when unset: a plain string in the schema (an empty string is not a "uri").
    avatar_url = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "display_name",
            "bio",
            "avatar_url",
            "country",
            "locale",
            "timezone",
            "is_staff",
            "date_joined",
            "wallet",
        ]
        read_only_fields = fields


class ProfileInputSerializer(StrictInputSerializer):
    display_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    bio = serializers.CharField(max_length=500, required=False, allow_blank=True)
    avatar_url = LinkField(required=False)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True, validators=[country_validator])
    locale = serializers.CharField(max_length=16, required=False, validators=[locale_validator])
    timezone = TimezoneField(max_length=64, required=False, validators=[validate_timezone])


class SignupInputSerializer(ProfileInputSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})

    def validate_email(self, value: str) -> str:
        value = value.strip().lower()
        if email_in_use(email=value):
            raise ConflictError(_("A user with this email address already exists."), code="email_taken", field="email")
        return value

    def validate(self, attrs):
        candidate = User(email=attrs["email"], display_name=attrs.get("display_name", ""))
        try:
            validate_password(attrs["password"], user=candidate)
        except Exception as exc:  # django ValidationError: a well-formed but weak password
            messages = list(getattr(exc, "messages", [str(exc)]))
            raise UnprocessableError(" ".join(messages), code="weak_password", field="password") from exc
        return attrs


class SignupOutputSerializer(serializers.Serializer):
    user = UserOutputSerializer()
    token = serializers.CharField()


TOKEN_DAYS_MAX = 365


class TokenInputSerializer(StrictInputSerializer):
    """Log in: email + password (+ ``mfa_code`` when the account has a second factor)
    gives a new token that may move money, named ``name`` (default "API login")."""

    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})
    mfa_code = serializers.RegexField(
        r"^[0-9A-Za-z-]{6,20}$",
        required=False,
        help_text="Required when the account has a second factor: a code from the authenticator app "
        "or a recovery code.",
    )
    name = serializers.CharField(max_length=80, required=False, allow_blank=True)


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The secret. Shown once: it is stored only as a hash.")
    expires_at = serializers.DateTimeField(allow_null=True)


class ApiTokenCreateInputSerializer(StrictInputSerializer):
    """A new named token. Step-up: ``password`` (or ``mfa_code`` with a second factor)."""

    name = serializers.CharField(max_length=80)
    scope = serializers.ChoiceField(choices=TokenScope.choices)
    days = serializers.IntegerField(min_value=1, max_value=TOKEN_DAYS_MAX, required=False)

    def get_fields(self):
        return {**super().get_fields(), **step_up_fields()}


class ApiTokenOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    prefix = serializers.CharField(source="token_key", read_only=True)
    created_at = serializers.DateTimeField(source="created", read_only=True)
    expires_at = serializers.DateTimeField(source="expiry", read_only=True, allow_null=True)
    last_used_ip = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "scope", "prefix", "created_at", "expires_at", "last_used_at", "last_used_ip"]
        read_only_fields = fields


class ApiTokenCreatedOutputSerializer(ApiTokenOutputSerializer):
    token = serializers.CharField(read_only=True, help_text="The secret. Shown once: it is stored only as a hash.")

    class Meta(ApiTokenOutputSerializer.Meta):
        fields = [*ApiTokenOutputSerializer.Meta.fields, "token"]
        read_only_fields = fields
