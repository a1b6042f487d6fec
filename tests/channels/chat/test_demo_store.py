"""The demo store page: the demo widget kefu demo makes, embedded with its one tag."""

from typing import Any

from kefu.channels.chat import widgets
from kefu.db import Database
from kefu.demo import chat as demo_chat
from kefu.kit.actor import Actor


def test_without_demo_data_there_is_no_demo_store(client: Any) -> None:
    response = client.get("/chat/demo-store")
    assert response.status_code == 404
    assert "start kefu with --demo" in response.text


def test_the_demo_store_embeds_the_demo_widget_with_one_tag(
    client: Any, database: Database
) -> None:
    # given the demo widget, made once however often the demo step runs
    assert demo_chat.run(database, 1, lambda n: None) == 1
    assert demo_chat.run(database, 1, lambda n: None) == 0
    with database.unit_of_work() as session:
        (widget,) = widgets.list_widgets(session, actor=Actor.system())
        key = widget.public_key
    # when the demo store is opened, in Chinese
    client.cookies.set("kefu_lang", "zh_Hans")
    page = client.get("/chat/demo-store").text
    # then it holds exactly one widget tag, for that widget, in Chinese, and shows the tag
    tag = (
        f'<script src="http://testserver/chat/widget.js" data-widget="{key}" '
        'data-locale="zh" async></script>'
    )
    assert page.count("<script src=") == 1
    assert tag in page
    assert "&lt;script src=&#34;http://testserver/chat/widget.js&#34;" in page
    assert '<html lang="zh-Hans">' in page
