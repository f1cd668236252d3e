from accounts.subscriptions.tasks import *  # noqa
