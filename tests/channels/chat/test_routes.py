"""The widget's HTTP routes: config, CORS and origins, uploads, signed file links."""

from sqlalchemy import func, select

from kefu.channels.chat.models import ChatUpload
from tests.accounts.factories import make_agent
from tests.channels.chat.factories import make_widget, set_online
from tests.channels.chat.test_socket import connect, hello

SHOP = "https://shop.example"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_config_says_offline_until_an_agent_is_online(client, database):
    # given a widget that goes offline with nobody online
    widget, _ = make_widget(
        database,
        offline_when_nobody_online=True,
        greeting={"en": "Hello from Shop", "zh": "您好"},
        colour="#112233",
    )
    url = f"/chat/widget/config?widget={widget.public_key}"
    before = client.get(url, headers={"origin": SHOP}).json()
    # when
    set_online(database, make_agent(database).id)
    after = client.get(url + "&locale=zh", headers={"origin": SHOP})
    # then
    assert before["online"] is False and before["greeting"] == "Hello from Shop"
    assert after.json() == {
        "online": True,
        "greeting": "您好",
        "prechat_fields": {"name": "optional", "email": "optional", "order": "off"},
        "colour": "#112233",
        "locale": "zh",
        "helpcenter_search_url": None,
    }
    assert after.headers["access-control-allow-origin"] == SHOP


def test_preflight_is_answered_for_the_upload(client, database):
    widget, _ = make_widget(database)
    response = client.options(
        f"/chat/upload?widget={widget.public_key}",
        headers={
            "origin": SHOP,
            "access-control-request-method": "POST",
            "access-control-request-headers": "x-kefu-visitor",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == SHOP
    assert "X-Kefu-Visitor" in response.headers["access-control-allow-headers"]


def test_a_page_on_another_origin_is_refused_with_a_reason(client, database):
    widget, _ = make_widget(database, allowed_origins=[SHOP])
    response = client.get(
        f"/chat/widget/config?widget={widget.public_key}",
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "evil.example" in response.json()["detail"]


def test_an_unknown_widget_is_404_json(client, database):
    response = client.get("/chat/widget/config?widget=nope", headers={"origin": SHOP})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def upload(client, key, token, name, data, kind):
    return client.post(
        f"/chat/upload?widget={key}",
        headers={"origin": SHOP, "x-kefu-visitor": token},
        files={"file": (name, data, kind)},
    )


def test_an_uploaded_image_rides_on_a_message_and_downloads_under_its_signed_link(client, database):
    # given a visitor who uploaded a picture
    widget, _ = make_widget(database)
    with connect(client, widget.public_key) as ws:
        token = hello(ws)["visitor"]
        uploaded = upload(client, widget.public_key, token, "shoe.png", PNG, "image/png")
        # when the message naming it is sent
        ws.send_json(
            {
                "type": "message",
                "client_id": "c-1",
                "body": "this one",
                "attachments": [uploaded.json()["id"]],
            }
        )
        entry = next(f for f in iter(ws.receive_json, None) if f["type"] == "entry")
    # then
    assert uploaded.status_code == 201
    assert uploaded.json()["name"] == "shoe.png" and uploaded.json()["size"] == len(PNG)
    [attachment] = entry["attachments"]
    assert (attachment["name"], attachment["type"], attachment["size"]) == (
        "shoe.png",
        "image/png",
        len(PNG),
    )
    download = client.get(attachment["url"])
    assert download.status_code == 200 and download.content == PNG
    assert download.headers["content-type"] == "image/png"
    forged = attachment["url"][:-4] + "0000"
    assert client.get(forged).status_code == 404
    with database.sessions() as session:  # the upload became the message's attachment
        assert session.scalar(select(func.count()).select_from(ChatUpload)) == 0


def test_uploads_are_refused_over_the_size_limit_by_type_and_by_content(client, database):
    widget, _ = make_widget(database)
    with connect(client, widget.public_key) as ws:
        token = hello(ws)["visitor"]
    key = widget.public_key
    too_big = upload(client, key, token, "big.pdf", b"%PDF-" + b"0" * 10_000_001, "application/pdf")
    script = upload(client, key, token, "x.html", b"<script>", "text/html")
    fake = upload(client, key, token, "x.png", b"<html>not a png", "image/png")
    stranger = upload(client, key, "not-a-visitor", "shoe.png", PNG, "image/png")
    assert (too_big.status_code, too_big.json()["code"]) == (413, "too_large")
    assert script.status_code == 422 and "text/html" in script.json()["detail"]
    assert fake.status_code == 422
    assert stranger.status_code == 404
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ChatUpload)) == 0


def test_search_without_a_help_center_finds_nothing(client, database):
    widget, _ = make_widget(database)
    response = client.get(
        f"/chat/widget/search?widget={widget.public_key}&q=returns", headers={"origin": SHOP}
    )
    assert response.json() == {"results": []}


def test_search_finds_the_published_articles_of_the_widgets_store(client, database):
    # given a store with a help center, a published and a draft article, and its widget
    from tests.helpcenter.factories import make_article, make_brand, make_category

    store_id = make_brand(database)
    category = make_category(database, store_id=store_id)
    make_article(
        database, store_id=store_id, category_id=category, slug="shipping-times",
        title="Shipping times", body="Orders leave our warehouse within 2 days.",
    )  # fmt: skip
    make_article(database, store_id=store_id, state="draft", slug="shipping-draft",
                 title="Shipping secrets", body="Orders leave whenever.")  # fmt: skip
    widget, _ = make_widget(database, store_id=store_id)
    key = widget.public_key
    # when
    config = client.get(f"/chat/widget/config?widget={key}", headers={"origin": SHOP}).json()
    found = client.get(config["helpcenter_search_url"] + "&q=orders", headers={"origin": SHOP})
    # then
    assert config["helpcenter_search_url"] == f"http://testserver/chat/widget/search?widget={key}"
    [hit] = found.json()["results"]
    assert hit["title"] == "Shipping times"
    assert hit["url"] == "http://testserver/help/lumen/en/articles/shipping-times"
