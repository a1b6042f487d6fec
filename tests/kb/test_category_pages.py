"""Managers keep the categories and sections: add, rename, reorder, delete (articles stay)."""

from typing import Any

from kefu.db import Database
from kefu.kb import categories
from kefu.permissions import Role
from tests.accounts.factories import PASSWORD, make_agent
from tests.kb.factories import make_article, make_category
from tests.web.helpers import csrf_token, sign_in

PAGE = "/admin/kb/categories"


def _manager(client: Any, database: Database) -> str:
    make_agent(database, email="lead@example.com", role=Role.MANAGER)
    sign_in(client, "lead@example.com", PASSWORD)
    return csrf_token(client.get(PAGE).text)


def _tree(database: Database) -> list[tuple[str, int | None]]:
    with database.unit_of_work() as session:
        return [(c.names["en"], c.parent_id) for c in categories.all_categories(session)]


def test_manager_adds_a_category_and_a_section(client: Any, database: Database) -> None:
    token = _manager(client, database)
    assert f'href="{PAGE}"' in client.get("/admin").text
    client.post(PAGE, data={"csrf_token": token, "name_en": "Returns", "name_zh_Hans": "退换货"})
    assert _tree(database) == [("Returns", None)]
    with database.unit_of_work() as session:
        returns_id = categories.all_categories(session)[0].id
    answer = client.post(
        PAGE, data={"csrf_token": token, "name_en": "Refunds", "parent_id": str(returns_id)}
    )
    assert answer.status_code == 303
    assert _tree(database) == [("Returns", None), ("Refunds", returns_id)]
    assert "退换货" in client.get(PAGE).text


def test_nameless_category_is_refused(client: Any, database: Database) -> None:
    token = _manager(client, database)
    answer = client.post(PAGE, data={"csrf_token": token, "name_en": " "}, follow_redirects=True)
    assert "a category needs a name" in answer.text
    assert _tree(database) == []


def test_reorder_rename_and_delete(client: Any, database: Database) -> None:
    first = make_category(database, names={"en": "Shipping"})
    second = make_category(database, names={"en": "Sizes"})
    article = make_article(database, category_id=second.id)
    token = _manager(client, database)
    client.post(f"{PAGE}/{second.id}", data={"csrf_token": token, "action": "up"})
    assert _tree(database) == [("Sizes", None), ("Shipping", None)]
    client.post(
        f"{PAGE}/{first.id}",
        data={"csrf_token": token, "action": "save", "name_en": "Delivery", "name_zh_Hans": "配送"},
    )
    client.post(f"{PAGE}/{second.id}", data={"csrf_token": token, "action": "delete"})
    assert _tree(database) == [("Delivery", None)]
    with database.unit_of_work() as session:
        from kefu.kb.articles import get_article

        assert get_article(session, article.id).category_id is None


def test_agents_may_not_change_categories(client: Any, database: Database) -> None:
    make_agent(database, email="ann@example.com", role=Role.AGENT)
    sign_in(client, "ann@example.com", PASSWORD)
    assert client.get(PAGE).status_code == 403
