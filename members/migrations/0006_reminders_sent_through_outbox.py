"""Duty reminders are sent through the outbox (chamber/outbox.py): every reminder already
sent becomes a sent message of the outbox under the key the rota now uses
(`rota-reminder:<pk>`), so nothing is sent again after the upgrade; then the send
marker goes."""

from django.db import migrations


def keep_sent_reminders(apps, schema_editor):
    ShiftReminder = apps.get_model("members", "ShiftReminder")
    OutgoingMessage = apps.get_model("chamber", "OutgoingMessage")
    OutgoingMessage.objects.bulk_create(
        (
            OutgoingMessage(
                key=f"rota-reminder:{reminder.pk}",
                kind="rota-reminder",
                user_id=reminder.member.user_id,
                address=reminder.member.user.email,
                subject="",
                status="sent",
                attempts=1,
                created_at=reminder.sent_at,
                next_try_at=reminder.sent_at,
                sent_at=reminder.sent_at,
            )
            for reminder in ShiftReminder.objects.filter(sent_at__isnull=False)
            .select_related("member__user")
            .iterator()
        ),
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("chamber", "0006_outbox"),
        ("members", "0005_calendar_feed_for_activities"),
    ]

    operations = [
        migrations.RunPython(keep_sent_reminders, migrations.RunPython.noop),
        migrations.RemoveField(model_name="shiftreminder", name="sent_at"),
    ]
