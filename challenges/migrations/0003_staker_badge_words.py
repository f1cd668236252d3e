"""The staker badge in plain words: its description (data of 0002) and its rule's label
named the setting ``OGC_BADGE_STAKER_MIN``, which members could read (the API, the
admin). The description now says the threshold, as the setting's default (1,000 OGC)
when the badge was created: a migration does not read live settings. Pages and
notifications still write the live threshold (``core.templatetags.ui.badge_description``).

Only descriptions that contain the setting's name change: the default staker badge's
text becomes ``STAKER_DESCRIPTION``; a text staff rewrote around the name gets the
amount in its place. Every other row is left as it is."""

from django.db import migrations, models

SETTING_NAME = "OGC_BADGE_STAKER_MIN"
#: What 0002 stored for the "staker" badge.
OLD_DESCRIPTION = "Has at least OGC_BADGE_STAKER_MIN OGC staked."
#: The setting's default (ogc/settings/base.py) and the token symbol, as written out.
STAKER_DESCRIPTION = "Has at least 1,000 OGC staked."
THRESHOLD_TEXT = "1,000 OGC"


def plain_words(apps, schema_editor):
    Badge = apps.get_model("challenges", "Badge")
    for badge in Badge.objects.filter(description__contains=SETTING_NAME):
        if badge.description == OLD_DESCRIPTION:
            badge.description = STAKER_DESCRIPTION
        else:
            text = badge.description.replace(f"{SETTING_NAME} OGC", THRESHOLD_TEXT)
            badge.description = text.replace(SETTING_NAME, THRESHOLD_TEXT)[:300]
        badge.save(update_fields=["description"])


def setting_name(apps, schema_editor):
    Badge = apps.get_model("challenges", "Badge")
    Badge.objects.filter(description=STAKER_DESCRIPTION).update(description=OLD_DESCRIPTION)


class Migration(migrations.Migration):
    dependencies = [("challenges", "0002_default_badges")]

    operations = [
        migrations.AlterField(
            model_name="badge",
            name="rule",
            field=models.CharField(
                choices=[
                    ("manual", "Awarded by staff"),
                    ("first_submission", "First submission"),
                    ("first_accepted", "First accepted submission"),
                    ("challenge_winner", "Challenge winner"),
                    ("first_stake", "First stake"),
                    ("staker", "Staked at least the staker threshold"),
                ],
                default="manual",
                max_length=30,
            ),
        ),
        migrations.RunPython(plain_words, setting_name),
    ]
