from celery import shared_task


@shared_task(acks_late=True)
def record_heartbeat(name: str = "worker") -> None:
    """Beat entry point: record that a worker is taking tasks (shown on the staff dashboard)."""
    from chamber import services

    services.record_heartbeat(name=name)
