"""Plans and subscriptions moved to the ``subscriptions`` app (issue #12).

State only: the tables (``plans``, ``subscriptions``, ``subscription_periods``) keep
their names and rows; ``subscriptions.0001_initial`` takes the models over (and moves
their content types, so permissions and audit entries follow)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_plan_subscription_subscriptionperiod_and_more"),
        ("subscriptions", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='subscription',
                    name='scheduled_plan',
                ),
                migrations.RemoveField(
                    model_name='subscriptionperiod',
                    name='plan',
                ),
                migrations.RemoveField(
                    model_name='subscription',
                    name='plan',
                ),
                migrations.RemoveField(
                    model_name='subscription',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='subscriptionperiod',
                    name='subscription',
                ),
                migrations.RemoveField(
                    model_name='subscriptionperiod',
                    name='payment',
                ),
                migrations.DeleteModel(
                    name='Plan',
                ),
                migrations.DeleteModel(
                    name='Subscription',
                ),
                migrations.DeleteModel(
                    name='SubscriptionPeriod',
                ),
            ],
            database_operations=[],
        ),
    ]
