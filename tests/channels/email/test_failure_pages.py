"""Mail that could not be stored: admins see why, download it, and try it again."""

from typing import Any

import pytest
from sqlalchemy import func, select

from kefu.channels.email.models import InboundFailure
from kefu.runtime import Runtime
from kefu.tickets.models import Message
from tests.accounts.factories import PASSWORD, make_admin
from tests.channels.email.factories import deliver, mail, refuse_storing
from tests.web.helpers import csrf_token, sign_in


def test_an_admin_retries_a_mail_that_failed(
    runtime: Runtime, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a mail whose storing failed (the database refused it at the time)
    refuse_storing(monkeypatch, "could not serialize access")
    raw = mail(subject="Refund please", text="Order 1001 arrived broken.")
    [receipt] = deliver(runtime.database, runtime.files, raw)
    assert receipt.failed
    monkeypatch.undo()
    make_admin(runtime.database)
    sign_in(client, "admin@example.com", PASSWORD)
    # when: the admin opens the mailboxes page
    page = client.get("/admin/mailboxes")
    assert "Mail that could not be stored" in page.text
    assert "could not serialize access" in page.text
    with runtime.database.sessions() as session:
        failure = session.scalars(select(InboundFailure)).one()
    original = client.get(f"/admin/mailboxes/failures/{failure.id}/original")
    assert original.status_code == 200 and original.content == raw
    # and tries again
    done = client.post(
        f"/admin/mailboxes/failures/{failure.id}/retry",
        data={"csrf_token": csrf_token(page.text)},
    )
    # then: the mail is a ticket message now and the failure is resolved
    assert done.status_code == 303
    assert "The mail was stored." in client.get(done.headers["location"]).text
    with runtime.database.sessions() as session:
        assert session.scalar(select(func.count(Message.id))) == 1
        assert session.get_one(InboundFailure, failure.id).resolved_at is not None
    assert "Mail that could not be stored" not in client.get("/admin/mailboxes").text


def test_agents_cannot_see_failed_mail(runtime: Runtime, client: Any) -> None:
    from tests.accounts.factories import make_agent

    make_agent(runtime.database)
    sign_in(client, "agent@example.com", PASSWORD)
    assert client.get("/admin/mailboxes/failures/1/original").status_code == 403
