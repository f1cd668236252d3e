from __future__ import annotations

from typing import Any, ClassVar

from auditlog.registry import auditlog
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models, transaction
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext

from accounts.validators import country_validator, locale_validator, validate_timezone


def normalize_email(email: str) -> str:
    """Emails are stored lower-cased whole, so uniqueness is case-insensitive on
    every database (MariaDB's collation is already case-insensitive; SQLite is not)."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalize_email(username or ""))

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person on the platform: login identity (email) and public profile.

    Every user owns exactly one wallet, created in the same transaction as the user
    (see ``save``) whichever path creates the user."""

    email = models.EmailField("email address", max_length=254, unique=True)
    display_name = models.CharField(max_length=60, blank=True)
    bio = models.CharField(max_length=500, blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)
    country = models.CharField(max_length=2, blank=True, validators=[country_validator])
    locale = models.CharField(max_length=16, default="en", validators=[locale_validator])
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can log into the admin (operators).")
    date_joined = models.DateTimeField(default=dj_timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        db_table = "users"
        verbose_name = "user"
        verbose_name_plural = "users"
        indexes = [models.Index(fields=["date_joined"], name="idx_users_date_joined")]

    def __str__(self) -> str:
        return self.email

    @property
    def public_name(self) -> str:
        # Shown on public pages and endpoints: never derived from the email (its
        # local part is often the whole address at a well-known provider).
        return self.display_name or gettext("Member #%(number)s") % {"number": self.pk}

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalize_email(self.email)
        if self._state.adding:
            # One transaction for the user row and everything post_save creates
            # with it (the wallet): a failure leaves neither behind.
            with transaction.atomic(using=kwargs.get("using")):
                super().save(*args, **kwargs)
        else:
            # set_password() leaves the raw password in _password until save; a new
            # password revokes every API token (sessions are rotated by Django's
            # update_session_auth_hash / invalidated by the password hash check).
            if getattr(self, "_password", None) is None:
                super().save(*args, **kwargs)
                return
            from accounts.models.api_token import ApiToken

            with transaction.atomic(using=kwargs.get("using")):
                super().save(*args, **kwargs)
                ApiToken.objects.filter(user=self).delete()


auditlog.register(User, exclude_fields=["password", "last_login", "updated_at"], m2m_fields={"groups"})
