"""API tokens: several per member, named, scoped, expiring, stored only as a hash.

django-rest-knox's ``AbstractAuthToken`` (``KNOX_TOKEN_MODEL``) brings the hashing
(SHA-512 of the secret; the secret is shown once and never stored), the short
``token_key`` prefix used to find candidates, and the expiry. We add what members see
on the tokens page and what the API enforces: a name, a scope, when and from where the
token was last used, and a public id for revoking one token at a time.
"""

from __future__ import annotations

import uuid

from django.db import models
from knox.models import AbstractAuthToken


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    READ_MONEY = "read+money", "Read and move money"


class ApiToken(AbstractAuthToken):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=80)
    scope = models.CharField(max_length=16, choices=TokenScope.choices, default=TokenScope.READ)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        db_table = "api_tokens"
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(condition=models.Q(scope__in=["read", "read+money"]), name="api_tokens_scope_known"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"

    @property
    def can_move_money(self) -> bool:
        return self.scope == TokenScope.READ_MONEY
