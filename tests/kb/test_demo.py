"""The demo knowledge base: published articles in both languages, linked as translations."""

from kefu.db import Database
from kefu.demo import kb as demo_kb
from kefu.demo import steps
from kefu.kb import service


def test_demo_articles_are_published_translations(database: Database) -> None:
    made = demo_kb.run(database, 1, lambda _: None)
    with database.unit_of_work() as session:
        english = service.public_article(
            session, store_id=None, language="en", slug="returns-policy"
        )
        hits = service.search_articles(
            session, query="退款", language="zh_Hans", store_id=None, public_only=True
        )
        internal = service.search_articles(
            session, query="script", language="en", store_id=None, public_only=False
        )
        chinese = service.public_categories(session, store_id=None, language="zh_Hans")
    assert made == 14
    assert set(english.translations) == {"zh_Hans"}
    assert hits[0].title == "申请退款流程"
    assert [h.title for h in internal] == ["Refund call script (agents)"]
    assert [c.name for c in chinese] == ["配送与物流", "退换货与退款", "订单与发票", "尺码与保养"]
    assert "knowledge base" in [step.name for step in steps()]
