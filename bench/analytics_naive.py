"""The naive queries the analytics benchmark compares with: each dashboard's question
answered straight from tickets, ticket_tags and events (no metrics rows, no rollups), as a
reporting tool without kefu's tables would: full scans of the range and of the events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session


def _sql(session: Session) -> dict[str, str]:
    if session.get_bind().dialect.name == "postgresql":
        return {
            "agent": "payload->>'author_type' = 'agent'",
            "secs": "EXTRACT(EPOCH FROM ({b}) - ({a}))",
            "day": "CAST(created_at AS date)",
            "dow": "EXTRACT(DOW FROM created_at)",
            "hour": "EXTRACT(HOUR FROM created_at)",
            "id": "CAST(t.id AS varchar)",
            "plus7": "t.created_at + interval '7 days'",
        }
    return {
        "agent": "json_extract(payload, '$.author_type') = 'agent'",
        "secs": "(julianday({b}) - julianday({a})) * 86400",
        "day": "date(created_at)",
        "dow": "strftime('%w', created_at)",
        "hour": "strftime('%H', created_at)",
        "id": "CAST(t.id AS TEXT)",
        "plus7": "datetime(t.created_at, '+7 days')",
    }


def _replies(q: dict[str, str]) -> str:
    return (
        "SELECT subject_id, min(created_at) AS first_at, count(*) AS n FROM events "
        f"WHERE type = 'message.added' AND {q['agent']} GROUP BY subject_id"
    )


def _args(session: Session, start: datetime, end: datetime) -> dict[str, object]:
    if session.get_bind().dialect.name == "sqlite":
        return {
            "s": start.replace(tzinfo=None).isoformat(" "),
            "e": end.replace(tzinfo=None).isoformat(" "),
        }
    return {"s": start, "e": end}


def overview(session: Session, start: datetime, end: datetime) -> list[object]:
    q = _sql(session)
    frt = q["secs"].format(a="t.created_at", b="r.first_at")
    res = q["secs"].format(a="t.created_at", b="t.solved_at")
    return [
        session.execute(
            text(
                f"SELECT count(*), avg({frt}), sum(CASE WHEN r.n = 1 THEN 1 ELSE 0 END) "
                f"FROM tickets t LEFT JOIN ({_replies(q)}) r ON r.subject_id = {q['id']} "
                "WHERE t.created_at >= :s AND t.created_at < :e"
            ),
            _args(session, start, end),
        ).one(),
        session.execute(
            text(
                f"SELECT count(*), avg({res}) FROM tickets t WHERE t.status IN ('solved', "
                "'closed') AND t.solved_at >= :s AND t.solved_at < :e"
            ),
            _args(session, start, end),
        ).one(),
        session.execute(
            text("SELECT count(*) FROM tickets WHERE status NOT IN ('solved', 'closed')")
        ).one(),
    ]


def series(session: Session, start: datetime, end: datetime) -> list[object]:
    q = _sql(session)
    frt = q["secs"].format(a="t.created_at", b="r.first_at")
    return list(
        session.execute(
            text(
                f"SELECT {q['day'].replace('created_at', 't.created_at')}, count(*), avg({frt}) "
                f"FROM tickets t LEFT JOIN ({_replies(q)}) r ON r.subject_id = {q['id']} "
                "WHERE t.created_at >= :s AND t.created_at < :e GROUP BY 1 ORDER BY 1"
            ),
            _args(session, start, end),
        )
    )


def leaderboard(session: Session, start: datetime, end: datetime) -> list[object]:
    q = _sql(session)
    frt = q["secs"].format(a="t.created_at", b="r.first_at")
    res = q["secs"].format(a="t.created_at", b="t.solved_at")
    return list(
        session.execute(
            text(
                f"SELECT t.assignee_id, count(*), avg({frt}), avg({res}), "
                "sum(CASE WHEN r.n = 1 AND t.status IN ('solved', 'closed') THEN 1 ELSE 0 END) "
                f"FROM tickets t LEFT JOIN ({_replies(q)}) r ON r.subject_id = {q['id']} "
                "WHERE t.created_at >= :s AND t.created_at < :e GROUP BY t.assignee_id"
            ),
            _args(session, start, end),
        )
    )


def by_column(session: Session, start: datetime, end: datetime, column: str) -> list[object]:
    res = _sql(session)["secs"].format(a="created_at", b="solved_at")
    return list(
        session.execute(
            text(
                f"SELECT {column}, count(*), avg({res}) FROM tickets "
                f"WHERE created_at >= :s AND created_at < :e GROUP BY {column}"
            ),
            _args(session, start, end),
        )
    )


def by_tag(session: Session, start: datetime, end: datetime) -> list[object]:
    return list(
        session.execute(
            text(
                "SELECT tt.tag_id, count(*) FROM tickets t JOIN ticket_tags tt "
                "ON tt.ticket_id = t.id WHERE t.created_at >= :s AND t.created_at < :e "
                "GROUP BY tt.tag_id"
            ),
            _args(session, start, end),
        )
    )


def heatmap(session: Session, start: datetime, end: datetime) -> list[object]:
    q = _sql(session)
    return list(
        session.execute(
            text(
                f"SELECT {q['dow']}, {q['hour']}, count(*) FROM tickets "
                "WHERE created_at >= :s AND created_at < :e GROUP BY 1, 2"
            ),
            _args(session, start, end),
        )
    )


def presale(session: Session, start: datetime, end: datetime) -> list[object]:
    q = _sql(session)
    return list(
        session.execute(
            text(
                "SELECT count(*), sum(CASE WHEN EXISTS (SELECT 1 FROM orders o WHERE "
                "o.customer_id = t.requester_id AND o.placed_at > t.created_at AND "
                f"o.placed_at <= {q['plus7']}) THEN 1 ELSE 0 END) FROM tickets t "
                "WHERE t.created_at >= :s AND t.created_at < :e AND (t.type = 'question' OR "
                "EXISTS (SELECT 1 FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id "
                "WHERE tt.ticket_id = t.id AND g.name = 'pre-sale'))"
            ),
            _args(session, start, end),
        )
    )


def drilldown(session: Session, start: datetime, end: datetime, agent_id: int) -> list[object]:
    args = {**_args(session, start, end), "a": agent_id}
    total = session.execute(
        text(
            "SELECT count(*) FROM tickets WHERE assignee_id = :a AND created_at >= :s "
            "AND created_at < :e"
        ),
        args,
    ).one()
    page = session.execute(
        text(
            "SELECT id, subject, status FROM tickets WHERE assignee_id = :a AND created_at >= :s "
            "AND created_at < :e ORDER BY created_at DESC, id DESC LIMIT 50"
        ),
        args,
    ).all()
    return [total, page]


def commerce(session: Session, start: datetime, end: datetime) -> list[object]:
    """The commerce dashboard's figures from the raw tables: orders, refunds and returns of
    the range, pre-sale conversion, and the mean first-reply wait of the range's tickets
    (from the events, as the naive overview reads them)."""
    args = _args(session, start, end)
    q = _sql(session)
    wait = q["secs"].format(a="t.created_at", b="r.first_at")
    found: list[object] = [presale(session, start, end)]
    for statement in (
        "SELECT count(*) FROM orders WHERE placed_at >= :s AND placed_at < :e",
        "SELECT currency, count(*), sum(amount_minor), count(DISTINCT order_id) FROM refunds "
        "WHERE created_at >= :s AND created_at < :e GROUP BY currency",
        "SELECT reason, count(*) FROM order_returns WHERE created_at >= :s AND created_at < :e "
        "GROUP BY reason",
        f"SELECT count(r.first_at), avg({wait}) FROM tickets t LEFT JOIN ({_replies(q)}) r "
        f"ON r.subject_id = {q['id']} WHERE t.created_at >= :s AND t.created_at < :e",
    ):
        found.append(session.execute(text(statement), args).all())
    return found
