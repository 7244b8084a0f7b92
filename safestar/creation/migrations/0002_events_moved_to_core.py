"""The creation app's own event rows move to the one event model of the transition mechanism
(core.Event), every field and the order kept, so no history is lost; then the old table goes."""

from django.db import migrations

FIELDS = ("object_type", "object_id", "division_id", "action", "from_status", "to_status", "comment", "actor_id", "at")


def to_core(apps, schema_editor):
    old, new = apps.get_model("creation", "Event"), apps.get_model("core", "Event")
    new.objects.bulk_create(
        [new(**{name: getattr(event, name) for name in FIELDS}) for event in old.objects.order_by("id")], batch_size=1000
    )


def back_from_core(apps, schema_editor):
    old, new = apps.get_model("creation", "Event"), apps.get_model("core", "Event")
    for event in new.objects.filter(object_type__startswith="creation.").order_by("id"):
        copy = old.objects.create(**{name: getattr(event, name) for name in FIELDS})
        old.objects.filter(pk=copy.pk).update(at=event.at)  # `at` was auto_now_add there


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0004_transition_events"),
        ("creation", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(to_core, back_from_core),
        migrations.RemoveIndex(
            model_name="event",
            name="creation_ev_object__abf952_idx",
        ),
        migrations.DeleteModel(
            name="Event",
        ),
    ]
