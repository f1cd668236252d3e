from core.management.base import AuditedCommand
from core.queue_middleware import worker_heartbeat_age


class Command(AuditedCommand):
    help = (
        "Exit 0 when a queue worker wrote its heartbeat (to the shared cache) within --max-age seconds, "
        "else 1: the worker's liveness probe for monitoring or a systemd timer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--max-age", type=float, default=60.0, help="Seconds (default 60).")

    def run(self, *args, **options):
        from django.core.management.base import CommandError

        if options["max_age"] <= 0:
            raise CommandError("--max-age must be positive.")
        age = worker_heartbeat_age()
        if age is None:
            raise CommandError("No queue worker has written a heartbeat.")
        if age > options["max_age"]:
            raise CommandError(f"The newest worker heartbeat is {age:.0f} s old (more than {options['max_age']:g} s).")
        self.stdout.write(f"A queue worker is alive (heartbeat {age:.0f} s ago).")
