import factory

from accounts.tests.factories import UserFactory
from notifications.kinds import NotificationKind
from notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    """A bare notification row (no deliveries): for inbox/API tests. Use
    ``notifications.services.notify`` when delivery matters."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = NotificationKind.ANNOUNCEMENT
    title = factory.Sequence(lambda n: f"Notice {n}")
    body = "Something happened."
    data = factory.LazyFunction(dict)
