"""The badges the rules grant (challenges.badges): created once, editable by staff."""

from django.db import migrations

DEFAULT_BADGES = [
    ("first-submission", "First submission", "Sent a first entry to a challenge.", "✏️", "first_submission"),
    ("first-accepted", "Accepted", "Had a first submission accepted by the moderators.", "✅", "first_accepted"),
    ("challenge-winner", "Challenge winner", "Won a prize in a challenge.", "🏆", "challenge_winner"),
    ("first-stake", "First stake", "Staked OGC for the first time.", "🔒", "first_stake"),
    ("staker", "Committed staker", "Has at least OGC_BADGE_STAKER_MIN OGC staked.", "💎", "staker"),
]


def create_badges(apps, schema_editor):
    Badge = apps.get_model("challenges", "Badge")
    for slug, name, description, icon, rule in DEFAULT_BADGES:
        Badge.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "icon": icon, "rule": rule}
        )


class Migration(migrations.Migration):
    dependencies = [("challenges", "0001_initial")]

    operations = [migrations.RunPython(create_badges, migrations.RunPython.noop)]
