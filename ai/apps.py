from django.apps import AppConfig


class AIConfig(AppConfig):
    name = "ai"
    verbose_name = "AI"

    def ready(self) -> None:
        # Similarity detection reacts to submissions; challenges knows nothing of the AI segment.
        from ai.services import on_submission_event
        from challenges.listeners import register_submission_listener

        register_submission_listener(on_submission_event)
