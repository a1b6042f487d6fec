"""Demo help centers: Lumen Outfitters at /help/lumen (also at /help) in English and Chinese,
优选生活馆 at /help/youxuan in Chinese first; they show the kb's published public articles."""

from collections.abc import Callable

from kefu.commerce import stores
from kefu.db import Database
from kefu.demo import DemoStep
from kefu.kb.helpcenter import sites
from kefu.kb.helpcenter.schemas import SiteIn
from kefu.kit.actor import Actor

SITES = {
    "Lumen Outfitters": SiteIn(
        slug="lumen", languages=["en", "zh-CN"], primary_color="#0f766e", is_default=True
    ),
    "优选生活馆": SiteIn(slug="youxuan", languages=["zh-CN", "en"], primary_color="#c2410c"),
}


def run(database: Database, scale: int, advance: Callable[[int], None]) -> int:
    system = Actor.system()
    made = 0
    with database.unit_of_work(actor=system) as session:
        for store in stores.list_stores(session):
            data = SITES.get(store.name)
            if data is not None and sites.get_site(session, store.id) is None:
                sites.save_site(session, actor=system, store_id=store.id, data=data)
                made += 1
                advance(1)
    return made


STEP = DemoStep(name="help centers", run=run, size=lambda scale: len(SITES))
