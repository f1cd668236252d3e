"""Settings package: ``base`` holds everything shared; ``local``, ``test`` and
``production`` only override what differs. Pick one with DJANGO_SETTINGS_MODULE."""
