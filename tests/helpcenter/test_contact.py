"""The contact form: suggestions while typing, a ticket through ingest (channel web, the
brand's store), spam guard, and deflection counted per visit."""

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from kefu.db import Database
from kefu.kb.helpcenter import contact
from kefu.kit.clock import utcnow
from kefu.tickets.models import Message, Ticket
from tests.helpcenter.factories import make_article, make_brand, visit_token
from tests.web.helpers import csrf_token

CONTACT = "/help/lumen/en/contact"
FORM = {
    "name": "Emily Chen",
    "email": "emily@example.com",
    "subject": "Where is my parcel?",
    "message": "It has been a week.",
    "order_number": "1001",
}


def _tickets(database: Database) -> list[tuple[str, str, int | None, str]]:
    with database.sessions() as session:
        rows = session.execute(
            select(Ticket.subject, Ticket.channel, Ticket.store_id, Message.body_text)
            .join(Message, Message.ticket_id == Ticket.id)
            .order_by(Ticket.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _open_form(client: Any) -> tuple[str, str]:
    html = client.get(CONTACT).text
    return csrf_token(html), visit_token(html)


def test_sending_the_form_opens_a_ticket_for_the_brand(client: Any, database: Database) -> None:
    # given
    store_id = make_brand(database)
    token, visit = _open_form(client)
    # when
    response = client.post(CONTACT, data={**FORM, "csrf_token": token, "visit": visit})
    again = client.post(CONTACT, data={**FORM, "csrf_token": token, "visit": visit})
    # then
    assert response.status_code == 303
    assert response.headers["location"] == "/help/lumen/en/contact/sent"
    assert again.status_code == 303
    assert _tickets(database) == [
        ("Where is my parcel?", "web", store_id, "It has been a week.\n\nOrder number: 1001")
    ]
    assert "we received your message" in client.get(response.headers["location"]).text


def test_a_bad_email_comes_back_with_the_reason(client: Any, database: Database) -> None:
    make_brand(database)
    token, visit = _open_form(client)
    response = client.post(
        CONTACT, data={**FORM, "email": "not-an-email", "csrf_token": token, "visit": visit}
    )
    assert response.status_code == 422
    assert "email" in response.text and 'value="Where is my parcel?"' in response.text
    assert _tickets(database) == []


def test_the_honeypot_keeps_bots_out(client: Any, database: Database) -> None:
    make_brand(database)
    token, visit = _open_form(client)
    response = client.post(
        CONTACT, data={**FORM, "website": "http://spam", "csrf_token": token, "visit": visit}
    )
    assert response.status_code == 303
    assert _tickets(database) == []


def test_one_address_sends_at_most_five_forms_in_ten_minutes(
    client: Any, database: Database
) -> None:
    make_brand(database)
    token, _visit = _open_form(client)
    statuses = [
        client.post(
            CONTACT, data={**FORM, "csrf_token": token, "visit": contact.new_visit_token()}
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [303] * 5 + [429]
    assert len(_tickets(database)) == 5


def test_the_form_is_not_there_when_switched_off(client: Any, database: Database) -> None:
    make_brand(database, has_contact_form=False)
    assert client.get(CONTACT).status_code == 404


def test_typing_suggests_articles_and_deflection_is_counted(
    client: Any, database: Database
) -> None:
    # given
    store_id = make_brand(database)
    make_article(
        database, store_id=store_id, slug="tracking", title="Track your parcel",
        body="Use the tracking link in your shipping email.",
    )  # fmt: skip
    make_article(database, store_id=store_id, slug="hidden", title="Parcel script",
                 visibility="internal")  # fmt: skip
    token, deflected = _open_form(client)
    _token, sent = _open_form(client)
    _token, ignored = _open_form(client)
    # when: three visits are shown the article; two open it, one of those sends anyway
    for visit in (deflected, sent, ignored):
        html = client.get(
            CONTACT + "/suggest",
            params={"visit": visit, "subject": "Where is my parcel?", "message": ""},
        ).text
        assert f"/articles/tracking?visit={visit}" in html
        assert "Parcel script" not in html
    for visit in (deflected, sent):
        assert client.get(f"/help/lumen/en/articles/tracking?visit={visit}").status_code == 200
    client.post(CONTACT, data={**FORM, "csrf_token": token, "visit": sent})
    # then
    with database.sessions() as session:
        found = contact.deflection(
            session, store_id=store_id, since=utcnow() - timedelta(hours=1),
            until=utcnow() + timedelta(hours=1),
        )  # fmt: skip
    assert (found.with_suggestions, found.opened, found.submitted, found.deflected) == (3, 2, 1, 1)
    assert found.rate == 1 / 3


def test_chinese_subjects_find_chinese_articles(client: Any, database: Database) -> None:
    store_id = make_brand(database)
    make_article(
        database, store_id=store_id, language="zh-CN", slug="tuikuan", title="如何申请退款",
        body="在订单页面点击申请退款。",
    )  # fmt: skip
    html = client.get("/help/lumen/zh-CN/contact").text
    visit = visit_token(html)
    found = client.get(
        "/help/lumen/zh-CN/contact/suggest",
        params={"visit": visit, "subject": "我想退款", "message": ""},
    ).text
    assert "/articles/tuikuan" in found


def test_a_form_from_another_site_is_refused(client: Any, database: Database) -> None:
    make_brand(database)
    _token, visit = _open_form(client)
    response = client.post(CONTACT, data={**FORM, "visit": visit})
    assert response.status_code == 403
    assert "Reload the page" in response.text
    assert _tickets(database) == []
