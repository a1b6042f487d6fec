"""Reading reviews from their sources: WooCommerce's product review REST format, kefu's
generic webhook JSON, and marketplace CSV exports (Taobao, Tmall, JD) with their Chinese
column names — a mapping {field: column header} overrides the defaults."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kefu.commerce.csv_files import decode, parse_time
from kefu.commerce.stores import get_store
from kefu.errors import InvalidInput
from kefu.feedback.reviews import ReviewIn, receive_review
from kefu.kit.sanitize import html_to_text

FIELDS = (
    "external_id",
    "order_number",
    "product_ref",
    "product_name",
    "rating",
    "grade",
    "body",
    "reviewer_name",
    "reviewed_at",
)
# Column headers of the marketplaces' review exports, per field (the first found is used).
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "external_id": ("评价ID", "评价id", "评论ID", "评论id", "review_id", "id"),
    "order_number": ("订单编号", "订单号", "子订单编号", "order_number", "order"),
    "product_ref": ("宝贝ID", "商品ID", "商品编号", "SKU", "product_id"),
    "product_name": ("宝贝名称", "商品名称", "宝贝标题", "product_name", "product"),
    "rating": ("评分", "商品评分", "星级", "rating", "stars"),
    "grade": ("评价结果", "评价等级", "评价类型", "grade"),
    "body": ("评价内容", "评论内容", "初评内容", "review", "body", "comment"),
    "reviewer_name": ("买家昵称", "会员", "用户昵称", "用户名", "reviewer", "author"),
    "reviewed_at": ("评价时间", "评论时间", "初评时间", "date", "created_at", "reviewed_at"),
}
PLATFORMS = ("taobao", "tmall", "jd", "csv")


def _rating(raw: Any) -> int | None:
    if raw in (None, ""):
        return None
    text = str(raw).strip().removesuffix("星").removesuffix("分").strip()
    try:
        value = int(float(text))
    except ValueError:
        raise InvalidInput(f"not a rating: {raw!r}") from None
    if not 1 <= value <= 5:
        raise InvalidInput(f"a rating is 1 to 5, not {value}")
    return value


def from_woocommerce(item: dict[str, Any]) -> ReviewIn:
    """One review of WooCommerce's REST API (`/wp-json/wc/v3/products/reviews`)."""
    if not isinstance(item, dict) or "id" not in item:
        raise InvalidInput("a WooCommerce review is an object with an id")
    when = item.get("date_created_gmt") or item.get("date_created")
    if not when:
        raise InvalidInput("a WooCommerce review needs date_created_gmt")
    return ReviewIn(
        external_id=str(item["id"]),
        reviewed_at=parse_time(str(when)),
        rating=_rating(item.get("rating")),
        product_ref=str(item.get("product_id") or ""),
        product_name=str(item.get("product_name") or ""),
        body=_strip_tags(str(item.get("review") or "")),
        reviewer_name=str(item.get("reviewer") or ""),
        reviewer_email=str(item.get("reviewer_email") or ""),
    )


def _strip_tags(html: str) -> str:
    return html_to_text(html) if "<" in html else html


def from_generic(item: dict[str, Any]) -> ReviewIn:
    """kefu's generic review JSON: {id, rating | grade, body, product_id, product_name,
    reviewer, reviewer_email, order_number, created_at}."""
    if not isinstance(item, dict) or not item.get("id") or not item.get("created_at"):
        raise InvalidInput("a review is an object with an id and created_at")
    return ReviewIn(
        external_id=str(item["id"]),
        reviewed_at=parse_time(str(item["created_at"])),
        rating=_rating(item.get("rating")),
        grade=item.get("grade") or None,
        product_ref=str(item.get("product_id") or ""),
        product_name=str(item.get("product_name") or ""),
        body=str(item.get("body") or ""),
        reviewer_name=str(item.get("reviewer") or ""),
        reviewer_email=str(item.get("reviewer_email") or ""),
        order_number=str(item.get("order_number") or ""),
    )


def _columns(header: list[str], mapping: dict[str, str] | None) -> dict[str, int]:
    where = {name.strip(): i for i, name in enumerate(header)}
    found: dict[str, int] = {}
    for field in FIELDS:
        wanted = (mapping or {}).get(field)
        names = (wanted,) if wanted else DEFAULT_COLUMNS[field]
        index = next((where[n] for n in names if n in where), None)
        if index is not None:
            found[field] = index
        elif wanted:
            raise InvalidInput(f"the file has no column {wanted!r} (for {field})")
    for needed in ("external_id", "reviewed_at"):
        if needed not in found:
            raise InvalidInput(f"the file has no column for {needed}: map it")
    if "rating" not in found and "grade" not in found:
        raise InvalidInput("the file has neither a rating nor a grade (评价结果) column")
    return found


def read_csv(
    data: bytes, *, mapping: dict[str, str] | None = None, time_zone: str = "Asia/Shanghai"
) -> list[tuple[int, ReviewIn | str]]:
    """Each row's line number with its review, or the reason it cannot be read."""
    rows = list(csv.reader(io.StringIO(decode(data))))
    if not rows:
        raise InvalidInput("the file is empty")
    columns = _columns(rows[0], mapping)
    found: list[tuple[int, ReviewIn | str]] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cell = {f: (row[i].strip() if i < len(row) else "") for f, i in columns.items()}
        try:
            found.append(
                (
                    line,
                    ReviewIn(
                        external_id=cell["external_id"],
                        reviewed_at=parse_time(cell["reviewed_at"], time_zone=time_zone),
                        rating=_rating(cell.get("rating")),
                        grade=cell.get("grade") or None,
                        product_ref=cell.get("product_ref", ""),
                        product_name=cell.get("product_name", ""),
                        body=cell.get("body", ""),
                        reviewer_name=cell.get("reviewer_name", ""),
                        order_number=cell.get("order_number", ""),
                    ),
                )
            )
        except InvalidInput as exc:
            found.append((line, exc.message))
    return found


def import_csv(
    session: Session,
    *,
    store_id: int,
    platform: str,
    data: bytes,
    now: datetime,
    mapping: dict[str, str] | None = None,
) -> tuple[Counter[str], list[str]]:
    """Import a marketplace export; counts (created, updated, follow_ups, refused) and the
    refused rows' reasons. Importing the same file again creates nothing."""
    if platform not in PLATFORMS:
        raise InvalidInput(f"unknown platform {platform!r}; use one of {', '.join(PLATFORMS)}")
    get_store(session, store_id)  # NotFound for an unknown store
    counts: Counter[str] = Counter()
    problems: list[str] = []
    for line, item in read_csv(data, mapping=mapping):
        if isinstance(item, str):
            counts["refused"] += 1
            problems.append(f"line {line}: {item}")
            continue
        try:
            with session.begin_nested():
                received = receive_review(
                    session, store_id=store_id, source=platform, data=item, now=now
                )
        except InvalidInput as exc:
            counts["refused"] += 1
            problems.append(f"line {line}: {exc.message}")
            continue
        counts["created" if received.created else "updated"] += 1
        counts["follow_ups"] += int(received.opened_ticket)
    return counts, problems
