"""Existing DRF ``authtoken`` tokens keep working: each becomes a hashed ApiToken.

``rest_framework.authtoken`` left INSTALLED_APPS with this change; its table
(``authtoken_token``, plaintext keys) may still exist on a database migrated before.
For each row: an ApiToken whose digest is the SHA-512 of the old key (knox's hash of
any string), named "Token from before named tokens", scope ``read+money`` (what the old
token could do), expiring ``MIGRATED_TOKEN_DAYS`` after the migration. Then the
plaintext table is dropped. On a fresh database (no such table) this does nothing.
Not reversible: the plaintext keys are gone (docs/security.md, "API tokens").
"""

import hashlib
import uuid
from datetime import timedelta

from django.db import migrations
from django.utils import timezone

OLD_TABLE = "authtoken_token"
MIGRATED_TOKEN_DAYS = 30
MIGRATED_NAME = "Token from before named tokens"


def move_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    expiry = timezone.now() + timedelta(days=MIGRATED_TOKEN_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {schema_editor.quote_name('key')}, user_id, created FROM {OLD_TABLE}")
        rows = cursor.fetchall()
    for key, user_id, created in rows:
        digest = hashlib.sha512(key.encode("utf-8")).hexdigest()
        ApiToken(
            digest=digest,
            token_key=key[:15],
            user_id=user_id,
            expiry=expiry,
            public_id=uuid.uuid4(),
            name=MIGRATED_NAME,
            scope="read+money",
        ).save(force_insert=True)
        ApiToken._default_manager.filter(digest=digest).update(created=created)
    schema_editor.execute(f"DROP TABLE {OLD_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_api_tokens")]

    operations = [migrations.RunPython(move_tokens, migrations.RunPython.noop)]
