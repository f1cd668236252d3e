"""The admin app with the console's site (``core.admin_site.ConsoleAdminSite``).

Listed in ``INSTALLED_APPS`` instead of ``django.contrib.admin`` (Django's documented
way to replace the default site): ``admin.site``, ``@admin.register`` and every app's
``admin.py`` work unchanged. Kept in its own module because ``INSTALLED_APPS`` imports
it before the apps are ready."""

from django.contrib.admin.apps import AdminConfig


class ConsoleAdminConfig(AdminConfig):
    default_site = "core.admin_site.ConsoleAdminSite"
