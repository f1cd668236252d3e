from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared plumbing: base model, errors, request ids, idempotency, the queue worker."""

    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core import schema, worker  # noqa: F401 (schema registers OpenAPI extensions)

        worker.maybe_start_inprocess_worker()
