"""The after-commit hooks (live updates, job and dispatch queueing) run once the outer
transaction commits, not when a savepoint inside it is released."""

from sqlalchemy import text

from kefu.db import Database


def test_hooks_wait_for_the_outer_commit_not_a_savepoint(database: Database) -> None:
    seen: list[str] = []
    database.after_commit_hooks.append(lambda session: seen.append("committed"))
    with database.unit_of_work() as session:
        # when a page's savepoint (begin_nested) is released
        with session.begin_nested():
            session.execute(text("SELECT 1"))
        # then nothing is announced yet: the outer transaction may still roll back
        assert seen == []
    # and once it commits, the hooks run once
    assert seen == ["committed"]
