"""The baseline actor of ``bench.notifications``: does nothing, so its rate is the
broker + worker overhead of one message."""

import dramatiq


@dramatiq.actor(actor_name="bench_noop", queue_name="bench_noop", max_retries=0)
def noop(index: int) -> None:
    return None
