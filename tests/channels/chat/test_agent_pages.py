"""The agent's chat pages through HTTP: the /chats queue, accept, transfer, end, the ticket
page's chat panel and composer, typing, and the managers' chat limits."""

from datetime import timedelta
from typing import Any

from kefu.accounts import service as accounts
from kefu.channels.chat import service as chats
from kefu.channels.chat.agent_context import row
from kefu.db import Database
from kefu.permissions import Role
from kefu.runtime import Runtime
from tests.accounts.factories import PASSWORD, make_admin, make_agent
from tests.automation.rule_factories import make_team
from tests.channels.chat.agent_factories import make_widget, start_chat
from tests.live import run
from tests.web.helpers import csrf_token, sign_in


def signed_in(client: Any, email: str) -> str:
    client.cookies.clear()
    sign_in(client, email, PASSWORD)
    return csrf_token(client.get("/account/profile").text)


def chat_of(database: Database, chat_id: int) -> Any:
    with database.sessions() as session:
        return chats.get_chat(session, chat_id)


def test_queue_shows_the_waiting_shopper_with_page_cart_and_order(
    client: Any, database: Database
) -> None:
    # given a shopper waiting on the Shop widget
    make_agent(database, email="bo@example.com", name="Bo Chen")
    widget_id = make_widget(database)
    started = start_chat(database, widget_id=widget_id)
    signed_in(client, "bo@example.com")
    # when Bo opens the queue
    page = client.get("/chats")
    # then the chat is listed with what the shopper told and where they are
    assert page.status_code == 200
    html = page.text
    assert f'data-chat-id="{started.chat_id}"' in html
    for shown in ("Mei Lin", "mei@example.com", "Blue mug", "1042", "24.00 USD", "× 2"):
        assert shown in html, shown
    assert f'href="/tickets/{started.ticket_id}"' in html
    assert 'href="https://shop.example/mugs/blue"' in html
    assert "My chats" in html and "(0 / 3)" in html
    # and the top bar counts it
    assert client.get("/chats/badge").text.count(">1<") == 1
    assert "1 chat waiting" in client.get("/chats/badge").text


def test_accepting_makes_the_chat_and_its_ticket_yours(client: Any, database: Database) -> None:
    # given a waiting chat
    bo = make_agent(database, email="bo@example.com", name="Bo Chen")
    started = start_chat(database, widget_id=make_widget(database))
    token = signed_in(client, "bo@example.com")
    # when Bo accepts it from the queue
    response = client.post(
        f"/chats/{started.chat_id}/accept", data={"csrf_token": token, "next": "/chats"}
    )
    # then he lands on the ticket, which shows the chat as his, with transfer and end
    assert response.status_code == 303
    assert response.headers["location"] == f"/tickets/{started.ticket_id}"
    chat = chat_of(database, started.chat_id)
    assert (chat.status, chat.agent_id) == ("active", bo.id)
    ticket = client.get(response.headers["location"])
    assert "The chat is yours." in ticket.text
    html = ticket.text
    assert f'data-chat-panel="{started.chat_id}"' in html
    assert f'data-live-stream="chat={started.chat_id}"' in html
    assert "Bo Chen" in html and "(you)" in html
    assert f'action="/chats/{started.chat_id}/transfer"' in html
    assert f'action="/chats/{started.chat_id}/end"' in html
    assert f'action="/chats/{started.chat_id}/accept"' not in html
    # the composer sends with Enter and carries typing to the shopper
    assert f'data-chat-composer="{started.chat_id}"' in html
    assert "Enter sends, Shift+Enter starts a new line." in html
    # and the queue now lists it under My chats, not as waiting
    queue = client.get("/chats/queue").text
    assert "No shopper is waiting." in queue and "(1 / 3)" in queue
    assert "Chatting for" in queue
    # where it counts the time since Bo took it, not the shopper's wait before
    accepted = chat.accepted_at
    assert row(chat, accepted + timedelta(minutes=7, seconds=5))["talking"] == "7 min"
    assert row(chat, accepted + timedelta(minutes=7))["wait"] == row(chat, accepted)["wait"]


def test_a_chat_taken_by_someone_else_is_refused_and_stays_theirs(
    client: Any, database: Database
) -> None:
    ada = make_admin(database)
    make_agent(database, email="bo@example.com", name="Bo Chen")
    started = start_chat(database, widget_id=make_widget(database))
    with database.unit_of_work() as session:
        chats.accept(session, actor=accounts.actor_for(ada), chat_id=started.chat_id)
    token = signed_in(client, "bo@example.com")
    # when Bo tries to accept it too
    response = client.post(
        f"/chats/{started.chat_id}/accept", data={"csrf_token": token, "next": "/chats"}
    )
    # then he is told why, back on the queue, and it is still Ada's
    assert response.status_code == 303 and response.headers["location"] == "/chats"
    assert "already taken" in client.get("/chats").text
    assert chat_of(database, started.chat_id).agent_id == ada.id


def test_an_agent_at_the_chat_limit_cannot_accept_another(client: Any, database: Database) -> None:
    # given a manager limits Bo to one chat at a time, and Bo has one
    make_agent(database, email="lee@example.com", name="Lee Manager", role=Role.MANAGER)
    bo = make_agent(database, email="bo@example.com", name="Bo Chen")
    widget_id = make_widget(database)
    first = start_chat(database, widget_id=widget_id)
    second = start_chat(database, widget_id=widget_id, name="Jun", email="jun@example.com")
    token = signed_in(client, "lee@example.com")
    limits = client.get("/chats/limits")
    assert limits.status_code == 200 and f'name="limit.{bo.id}"' in limits.text
    saved = client.post("/chats/limits", data={"csrf_token": token, f"limit.{bo.id}": "1"})
    assert saved.status_code == 303
    assert 'value="1"' in client.get("/chats/limits").text
    token = signed_in(client, "bo@example.com")
    client.post(f"/chats/{first.chat_id}/accept", data={"csrf_token": token})
    # when he tries to accept a second one
    response = client.post(
        f"/chats/{second.chat_id}/accept", data={"csrf_token": token, "next": "/chats"}
    )
    # then it is refused with the reason and the chat still waits
    assert response.headers["location"] == "/chats"
    page = client.get("/chats").text
    assert "Bo Chen already has 1 active chats (the limit)" in page
    assert chat_of(database, second.chat_id).status == "waiting"
    assert "You are at your chat limit." in page


def test_limits_refuse_a_bad_number_and_change_nothing(client: Any, database: Database) -> None:
    make_agent(database, email="lee@example.com", name="Lee Manager", role=Role.MANAGER)
    bo = make_agent(database, email="bo@example.com", name="Bo Chen")
    token = signed_in(client, "lee@example.com")
    for bad in ("two", "51"):
        response = client.post("/chats/limits", data={"csrf_token": token, f"limit.{bo.id}": bad})
        assert response.status_code == 422
        assert "chat limit" in response.text
        with database.sessions() as session:
            assert chats.limit_of(session, bo.id) == 3
    # and an agent may not set limits at all
    signed_in(client, "bo@example.com")
    assert client.get("/chats/limits").status_code == 403


def test_transfer_to_a_team_puts_the_chat_back_in_the_queue(
    client: Any, database: Database
) -> None:
    make_agent(database, email="bo@example.com", name="Bo Chen")
    tier2 = make_team(database, "Tier 2")
    started = start_chat(database, widget_id=make_widget(database))
    token = signed_in(client, "bo@example.com")
    client.post(f"/chats/{started.chat_id}/accept", data={"csrf_token": token})
    # when Bo hands it to Tier 2
    response = client.post(
        f"/chats/{started.chat_id}/transfer",
        data={"csrf_token": token, "to": f"team:{tier2}", "next": f"/tickets/{started.ticket_id}"},
    )
    # then it waits again, for Tier 2, and nobody has it
    assert response.headers["location"] == f"/tickets/{started.ticket_id}"
    chat = chat_of(database, started.chat_id)
    assert (chat.status, chat.agent_id, chat.team_id) == ("waiting", None, tier2)
    page = client.get(f"/tickets/{started.ticket_id}").text
    assert "Chat sent back to the queue of the chosen team." in page
    assert "for Tier 2" in page and f'action="/chats/{started.chat_id}/accept"' in page
    # Bo is not in Tier 2: his own queue hides it, every team's shows it
    assert "No shopper is waiting." in client.get("/chats").text
    assert f'data-chat-id="{started.chat_id}"' in client.get("/chats?all=1").text


def test_transfer_to_an_agent_gives_them_the_chat(client: Any, database: Database) -> None:
    make_agent(database, email="bo@example.com", name="Bo Chen")
    cy = make_agent(database, email="cy@example.com", name="Cy Wu")
    started = start_chat(database, widget_id=make_widget(database))
    token = signed_in(client, "bo@example.com")
    client.post(f"/chats/{started.chat_id}/accept", data={"csrf_token": token})
    panel = client.get(f"/tickets/{started.ticket_id}").text
    assert f'value="agent:{cy.id}"' in panel
    response = client.post(
        f"/chats/{started.chat_id}/transfer", data={"csrf_token": token, "to": f"agent:{cy.id}"}
    )
    assert response.headers["location"] == f"/tickets/{started.ticket_id}"
    assert "Chat transferred to Cy Wu." in client.get(response.headers["location"]).text
    chat = chat_of(database, started.chat_id)
    assert (chat.status, chat.agent_id) == ("active", cy.id)


def test_a_transfer_without_a_target_is_refused(client: Any, database: Database) -> None:
    bo = make_agent(database, email="bo@example.com", name="Bo Chen")
    started = start_chat(database, widget_id=make_widget(database))
    token = signed_in(client, "bo@example.com")
    client.post(f"/chats/{started.chat_id}/accept", data={"csrf_token": token})
    for target in ("", "agent:", "someone:3", f"agent:{bo.id}"):
        response = client.post(
            f"/chats/{started.chat_id}/transfer",
            data={"csrf_token": token, "to": target, "next": f"/tickets/{started.ticket_id}"},
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/tickets/{started.ticket_id}"
        chat = chat_of(database, started.chat_id)
        assert (chat.status, chat.agent_id) == ("active", bo.id)
    assert "the chat is already with Bo Chen" in client.get(f"/tickets/{started.ticket_id}").text


def test_ending_a_chat_leaves_the_panel_without_actions(client: Any, database: Database) -> None:
    make_agent(database, email="bo@example.com", name="Bo Chen")
    started = start_chat(database, widget_id=make_widget(database))
    token = signed_in(client, "bo@example.com")
    client.post(f"/chats/{started.chat_id}/accept", data={"csrf_token": token})
    response = client.post(f"/chats/{started.chat_id}/end", data={"csrf_token": token})
    assert response.headers["location"] == f"/tickets/{started.ticket_id}"
    assert chat_of(database, started.chat_id).status == "ended"
    page = client.get(f"/tickets/{started.ticket_id}").text
    assert "Chat ended." in page and "Ended" in page
    assert f'action="/chats/{started.chat_id}/end"' not in page
    assert f'action="/chats/{started.chat_id}/transfer"' not in page
    assert "data-chat-composer" not in page
    # the panel fragment the page reloads says the same
    panel = client.get(f"/chats/{started.chat_id}/panel")
    assert panel.status_code == 200 and "chat-status-ended" in panel.text
    # and typing on an ended chat is refused
    typing = client.post(f"/chats/{started.chat_id}/typing", data={"csrf_token": token, "on": "1"})
    assert typing.status_code == 422


def test_agent_typing_reaches_the_chat_channel(
    client: Any, database: Database, runtime: Runtime
) -> None:
    make_agent(database, email="bo@example.com", name="Bo Chen")
    started = start_chat(database, widget_id=make_widget(database))
    token = signed_in(client, "bo@example.com")
    client.post(f"/chats/{started.chat_id}/accept", data={"csrf_token": token})

    async def typing_seen() -> Any:
        channel = chats.chat_channel(started.chat_id)
        async with runtime.broadcast.subscribe(channel) as subscription:
            import asyncio

            response = await asyncio.to_thread(
                client.post,
                f"/chats/{started.chat_id}/typing",
                data={"csrf_token": token, "on": "true"},
            )
            assert response.status_code == 204
            return await subscription.receive(timeout=5)

    channel, message = run(typing_seen())
    assert channel == f"chat:{started.chat_id}"
    assert message == {
        "type": "typing",
        "chat_id": started.chat_id,
        "author": "agent",
        "name": "Bo Chen",
        "on": True,
    }


def test_a_ticket_without_a_chat_has_no_chat_panel(client: Any, database: Database) -> None:
    from tests.tickets.rt_factories import make_ticket

    make_agent(database, email="bo@example.com", name="Bo Chen")
    ticket = make_ticket(database)
    signed_in(client, "bo@example.com")
    page = client.get(f"/tickets/{ticket.id}").text
    assert "data-chat-panel" not in page and "data-chat-composer" not in page
    # the top bar still links the queue for anyone who answers chats
    assert 'href="/chats"' in page


def test_light_agents_have_no_queue(client: Any, database: Database) -> None:
    make_agent(database, email="li@example.com", name="Li", role=Role.LIGHT_AGENT)
    signed_in(client, "li@example.com")
    assert client.get("/chats").status_code == 403
    assert 'href="/chats"' not in client.get("/account/profile").text


def test_unknown_chat_is_a_404_not_a_500(client: Any, database: Database) -> None:
    make_agent(database, email="bo@example.com", name="Bo Chen")
    token = signed_in(client, "bo@example.com")
    assert client.get("/chats/999999/panel").status_code == 404
    response = client.post("/chats/999999/accept", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/chats"


def test_the_shoppers_rating_shows_on_the_ticket(client: Any, database: Database) -> None:
    from kefu.channels.chat import visitors, widgets

    make_agent(database, email="bo@example.com", name="Bo Chen")
    widget_id = make_widget(database)
    started = start_chat(database, widget_id=widget_id)
    token = signed_in(client, "bo@example.com")
    client.post(f"/chats/{started.chat_id}/accept", data={"csrf_token": token})
    client.post(f"/chats/{started.chat_id}/end", data={"csrf_token": token})
    # when the shopper rates the chat 4 with a comment
    with database.unit_of_work() as session:
        widget = widgets.get_widget(session, widget_id)
        visitor = visitors.visitor_by_token(session, widget, started.token)
        visitors.rate(
            session, visitor=visitor, chat_id=started.chat_id, score=4, comment="Quick, thanks"
        )
    # then the ticket's chat panel shows it
    page = client.get(f"/tickets/{started.ticket_id}").text
    assert 'aria-label="4 out of 5"' in page and "★★★★☆" in page
    assert "<q>Quick, thanks</q>" in page
