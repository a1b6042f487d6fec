"""Names, products and places for the inbox benchmark's data, in English and Chinese, and
the calendar it spans."""

import bisect
import itertools
import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

T = TypeVar("T")

DAY = 86400
HOUR = 3600
END = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())  # fixed: the same data on any day
SPAN = 730 * DAY
START = END - SPAN


class FastRandom(random.Random):
    """Seeded and repeatable like random.Random, but choice/randint/randrange take one float
    from random() instead of looping over getrandbits: a million tickets make tens of
    millions of such draws."""

    def choice(self, seq: Sequence[T]) -> T:  # type: ignore[override]
        return seq[int(self.random() * len(seq))]

    def randrange(self, start: int, stop: int | None = None) -> int:  # type: ignore[override]
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


def weighted(rng: random.Random, pairs: Sequence[tuple[T, float]]) -> Callable[[], T]:
    """A picker of values by relative weight (faster than rng.choices one at a time)."""
    values = [value for value, _ in pairs]
    cumulative = list(itertools.accumulate(weight for _, weight in pairs))
    total = cumulative[-1]
    return lambda: values[bisect.bisect(cumulative, rng.random() * total)]


def _words(text: str) -> list[str]:
    return text.split()


EN_FIRST = _words(
    "Emily James Olivia Liam Sophia Noah Ava Mason Isabella Lucas Mia Ethan Charlotte Logan "
    "Amelia Jacob Harper Michael Evelyn Daniel Abigail Henry Ella Jackson Grace Sebastian Chloe "
    "Aiden Lily Matthew Zoe Samuel Hannah David Nora Joseph Riley Carter Aria Owen Layla Wyatt "
    "Scarlett John Victoria Jack Madison Luke Penelope Julian Camila Levi Stella Isaac Hazel "
    "Anthony Aurora Thomas Violet Ryan Lucy Nathan Claire Aaron Sarah Kevin Anna Brian Rachel "
    "Jason Megan Eric Laura Steven Emma Mark Jessica Paul Amy Peter Kate"
)
EN_LAST = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez "
    "Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores "
    "Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Patel Murphy Cook "
    "Rogers Morgan Cooper Peterson Reed Bailey Bell Kelly Howard Ward Cox Brooks Gray Hughes"
)
# Surnames of Chinese origin as they are written in English ("Emily Chen").
PINYIN_LAST = _words("Chen Wang Li Zhang Liu Yang Huang Zhao Wu Zhou Lin Xu Sun Ma Zhu Hu Guo He")

# (hanzi, pinyin): the most common surnames and a spread of given-name characters.
ZH_LAST = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("高", "gao"),
    ("林", "lin"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"), ("潘", "pan"),
]  # fmt: skip
ZH_GIVEN = [
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
    ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"),
    ("秀英", "xiuying"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("桂英", "guiying"),
    ("婷", "ting"), ("欣", "xin"), ("子涵", "zihan"), ("浩然", "haoran"), ("雨桐", "yutong"),
    ("梓萱", "zixuan"), ("宇轩", "yuxuan"),
    ("思远", "siyuan"), ("佳怡", "jiayi"), ("晨", "chen"), ("俊杰", "junjie"), ("欣怡", "xinyi"),
    ("建华", "jianhua"), ("晓燕", "xiaoyan"), ("志强", "zhiqiang"), ("丹", "dan"), ("鹏", "peng"),
    ("慧", "hui"), ("琳", "lin"), ("博", "bo"), ("雪", "xue"), ("文", "wen"), ("颖", "ying"),
]  # fmt: skip

EN_MAIL = ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.com", "aol.com"]
ZH_MAIL = ["qq.com", "163.com", "126.com", "foxmail.com", "sina.com", "gmail.com"]
EN_ZONES = ["America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London"]
ZH_ZONES = ["Asia/Shanghai", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei"]

STORES = {1: "Northwind Outfitters", 2: "Lumen Home", 3: "知音数码"}

EN_PRODUCTS = [
    "linen shirt", "running shoes", "wireless earbuds", "ceramic mug set", "yoga mat",
    "down jacket", "denim jeans", "leather wallet", "smart watch", "desk lamp",
    "wool sweater", "hiking backpack", "phone case", "bluetooth speaker", "silk scarf",
    "coffee grinder", "bed sheets", "rain jacket", "sneakers", "water bottle", "sunglasses",
    "throw pillow", "cotton dress", "charging cable", "kitchen knife set", "winter boots",
]  # fmt: skip
ZH_PRODUCTS = [
    "羽绒服", "连衣裙", "蓝牙耳机", "运动鞋", "保温杯", "手机壳", "牛仔裤", "毛衣", "双肩包",
    "智能手表", "台灯", "四件套", "充电宝", "真丝围巾", "咖啡机", "雨衣", "卫衣", "冲锋衣",
    "拖鞋", "面膜", "电动牙刷", "行李箱", "空气炸锅", "机械键盘",
]  # fmt: skip
EN_COLORS = ["black", "white", "navy", "grey", "beige", "olive", "red", "sky blue"]
ZH_COLORS = ["黑色", "白色", "藏青色", "灰色", "米色", "军绿色", "红色", "浅蓝色"]
SIZES = ["XS", "S", "M", "L", "XL", "XXL", "36", "37", "38", "39", "40", "41", "42", "43"]
EN_CARRIERS = ["UPS", "USPS", "FedEx", "DHL"]
ZH_CARRIERS = ["顺丰", "中通", "圆通", "京东物流", "韵达", "EMS"]
EN_MONTHS = "January February March April May June July August September October November December"
MONTHS = _words(EN_MONTHS)

TEAMS = [
    ("Customer Support", "Front line: pre-sale questions, orders, delivery"),
    ("售后服务", "After-sales: returns, exchanges, refunds (Chinese-speaking customers)"),
    ("Logistics", "Carrier claims and delivery problems"),
    ("Finance", "Refund approvals and payment questions"),
    ("VIP Care", "Top customers and escalations"),
]
# (name, team index): 30 agents, the biggest teams first.
AGENTS = [
    ("Emma Wilson", 0), ("Liam Carter", 0), ("Olivia Brooks", 0), ("Noah Patel", 0),
    ("Ava Nguyen", 0), ("Mason Reyes", 0), ("Sophia Turner", 0), ("Lucas Meyer", 0),
    ("Grace Kim", 0), ("Daniel Ortiz", 0),
    ("王芳", 1), ("李娜", 1), ("张伟", 1), ("刘洋", 1), ("陈静", 1), ("杨磊", 1), ("赵敏", 1),
    ("黄婷", 1),
    ("Ben Fischer", 2), ("Chloe Martin", 2), ("孙浩", 2), ("Ryan Walsh", 2), ("周丽", 2),
    ("Hannah Stone", 3), ("吴军", 3), ("Isaac Cohen", 3),
    ("Megan Price", 4), ("林晓燕", 4), ("Victor Hale", 4), ("郑凯", 4),
]  # fmt: skip

EXTRA_TAGS = [
    "vip", "repeat-customer", "escalated", "chargeback", "marketplace-tmall", "shopify",
    "satisfied", "angry", "social-media", "bulk-order", "gift", "holiday-sale", "backorder",
]  # fmt: skip

SPAM_EN = ["Partnership proposal", "SEO services for your store", "Increase your sales 300%"]
SPAM_ZH = ["合作推广", "低价代发货源", "店铺代运营"]
