"""Celery entry points of the groups app: thin wrappers (STYLE B7)."""

from celery import shared_task


@shared_task(acks_late=True)
def build_certificate_batch(batch_id: int) -> int:
    """Make the PDF of a year's certificates (groups.services.build_certificate_batch)."""
    from groups import services
    from groups.models import CertificateBatch

    batch = CertificateBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return 0
    return services.build_certificate_batch(batch=batch).pages
