from io import StringIO

import pytest
from django.core.management import call_command


def test_models_and_migrations_agree(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_creation_events_move_to_the_one_event_model_with_nothing_lost():
    """The status history written before the transition mechanism (creation.Event) is in core.Event
    after the migration: every row, in its order, with who, when, from, to and the comment. Its own
    village and account: a transactional test may start with the persona world committed."""
    import datetime

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("creation", "0001_initial"), ("core", "0001_initial")], [("creation", "0002_events_moved_to_core")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        division = old.get_model("org", "Division").objects.create(code="411422999201", name="迁移测试村", level="village", path="/x/")
        actor = old.get_model("org", "User").objects.create(username="migration-test", role="town", division=division)
        Event = old.get_model("creation", "Event")
        at = datetime.datetime(2023, 6, 12, 9, 30, tzinfo=datetime.UTC)
        for action, source, target, comment in [("submit", "open", "submitted", "已维修"), ("verify", "submitted", "closed", "合格")]:
            event = Event.objects.create(object_type="creation.rectificationplan", object_id=7, division=division, action=action,
                                         from_status=source, to_status=target, comment=comment, actor=actor)
            Event.objects.filter(pk=event.pk).update(at=at)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        moved = executor.loader.project_state(after).apps.get_model("core", "Event").objects.order_by("id")
        assert [(e.object_type, e.object_id, e.division_id, e.action, e.from_status, e.to_status, e.comment, e.actor_id, e.at)
                for e in moved] == [
            ("creation.rectificationplan", 7, division.pk, "submit", "open", "submitted", "已维修", actor.pk, at),
            ("creation.rectificationplan", 7, division.pk, "verify", "submitted", "closed", "合格", actor.pk, at),
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
