"""A sender killed mid-way: once the outcome is recorded the reply is never sent again; killed
between the server's "250" and the record, it is resent with the same Message-ID."""

import email
import email.policy
import os
import subprocess
import sys
from datetime import timedelta

import pytest

from kefu.channels.email.models import OutboundEmail
from kefu.channels.email.outbound import STALE_SENDING, due_outbound_ids, send_outbound
from kefu.dispatch import dispatch_due
from kefu.kit.clock import utcnow
from kefu.runtime import Runtime
from tests.accounts.factories import make_agent
from tests.channels.email.factories import KEY, deliver, mail, make_mailbox
from tests.channels.email.test_outbound import Capture, _reply, smtp  # noqa: F401

pytestmark = pytest.mark.slow


def _queued_reply(runtime: Runtime, smtp_port: int) -> int:
    make_mailbox(runtime.database, smtp_port=smtp_port)
    agent = make_agent(runtime.database)
    [first] = deliver(runtime.database, runtime.files, mail())
    _reply(runtime, agent.id, first.ticket_id, "Your refund is on its way.")
    dispatch_due(runtime.database)
    with runtime.database.sessions() as session:
        return session.query(OutboundEmail).one().id


def _send_in_child(runtime: Runtime, outbound_id: int, moment: str) -> int:
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.channels.email.send_and_die",
            runtime.settings.database_url,
            str(runtime.settings.data_dir),
            str(outbound_id),
            moment,
        ],
        env={**os.environ, "KEY": KEY},
        capture_output=True,
        timeout=120,
        check=False,
    )
    return child.returncode


def _sweep(runtime: Runtime, *, at: object = None) -> None:
    now = at or utcnow()
    with runtime.database.unit_of_work() as session:
        ids = due_outbound_ids(session, now=now)  # type: ignore[arg-type]
    for outbound_id in ids:
        send_outbound(
            runtime.database, runtime.files, outbound_id, settings=runtime.settings,
            clock=lambda: now,  # type: ignore[arg-type,return-value]
        )  # fmt: skip


def test_killed_after_the_send_was_recorded_it_is_sent_once(
    runtime: Runtime,
    smtp: Capture,  # noqa: F811
) -> None:
    outbound_id = _queued_reply(runtime, smtp.port)
    # when: the sender dies right after recording, before its job is acknowledged
    assert _send_in_child(runtime, outbound_id, "after-record") == -9
    # then: a restarted worker's sweep, even much later, sends nothing more
    _sweep(runtime)
    _sweep(runtime, at=utcnow() + STALE_SENDING + timedelta(minutes=1))
    assert len(smtp.received) == 1
    with runtime.database.sessions() as session:
        assert session.get_one(OutboundEmail, outbound_id).status == "sent"


def test_killed_between_accept_and_record_it_is_resent_with_the_same_id(
    runtime: Runtime,
    smtp: Capture,  # noqa: F811
) -> None:
    outbound_id = _queued_reply(runtime, smtp.port)
    assert _send_in_child(runtime, outbound_id, "after-accept") == -9
    with runtime.database.sessions() as session:
        assert session.get_one(OutboundEmail, outbound_id).status == "sending"
    # the row is left alone while the sender might still be alive ...
    _sweep(runtime)
    assert len(smtp.received) == 1
    # ... and sent again once it is surely dead, with the same Message-ID
    _sweep(runtime, at=utcnow() + STALE_SENDING + timedelta(minutes=1))
    assert len(smtp.received) == 2
    ids = {
        email.message_from_bytes(e.content, policy=email.policy.default)["Message-ID"]  # type: ignore[arg-type]
        for e in smtp.received
    }
    assert len(ids) == 1
