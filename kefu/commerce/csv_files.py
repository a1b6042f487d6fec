"""Reading carriers' CSV files: UTF-8 or GB18030 (Chinese Excel), header names in English or
Chinese, every row with its line number so a bad one can be reported and skipped."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from kefu.errors import InvalidInput

# column -> the header names it goes by (compared without case, spaces, _ or -)
HEADERS: dict[str, tuple[str, ...]] = {
    "tracking_number": (
        "tracking_number",
        "tracking number",
        "tracking no",
        "tracking",
        "waybill",
        "waybill no",
        "awb",
        "shipment number",
        "运单号",
        "运单号码",
        "快递单号",
        "物流单号",
        "单号",
    ),
    "status": ("status", "event", "scan status", "状态", "物流状态", "快递状态"),
    "happened_at": (
        "happened_at",
        "time",
        "scan time",
        "event time",
        "datetime",
        "date",
        "shipping date",
        "ship date",
        "时间",
        "扫描时间",
        "日期",
        "发货日期",
        "寄件日期",
        "寄件时间",
    ),
    "description": ("description", "details", "message", "描述", "详情", "物流信息", "说明"),
    "location": ("location", "place", "city", "地点", "所在地", "城市"),
    "carrier": ("carrier", "carrier code", "courier", "快递公司", "承运商", "物流公司"),
    "weight": (
        "weight",
        "weight kg",
        "weight (kg)",
        "billed weight",
        "重量",
        "重量(kg)",
        "重量kg",
        "计费重量",
    ),
    "weight_grams": ("weight g", "weight (g)", "weight grams", "重量(g)", "重量g", "重量克"),
    "fee": (
        "fee",
        "cost",
        "charge",
        "amount",
        "freight",
        "shipping fee",
        "运费",
        "费用",
        "金额",
        "运费(元)",
    ),
}
_FOLD = re.compile(r"[\s_\-]+")


def _fold(name: str) -> str:
    return _FOLD.sub("", name).casefold().replace("（", "(").replace("）", ")")


ALIASES = {_fold(alias): column for column, names in HEADERS.items() for alias in names}


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), else GB18030, which Excel in China
    writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise InvalidInput("the file is neither UTF-8 nor GB18030 text") from None


@dataclass(slots=True)
class Row:
    line: int
    values: dict[str, str]


def read_rows(text: str, *, required: tuple[str, ...]) -> Iterator[Row]:
    """The file's data rows with known columns; InvalidInput when a required column is
    missing. Blank lines are skipped; line numbers are the file's (header = line 1)."""
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    for raw in reader:
        if header is None:
            if not any(cell.strip() for cell in raw):
                continue
            header = [ALIASES.get(_fold(cell), "") for cell in raw]
            for column in required:
                if column not in header:
                    raise InvalidInput(
                        f"the file has no {column} column (first line: {', '.join(raw)[:200]})"
                    )
            continue
        if not any(cell.strip() for cell in raw):
            continue
        values = {
            name: cell.strip() for name, cell in zip(header, raw, strict=False) if name and cell
        }
        yield Row(line=reader.line_num, values=values)
    if header is None:
        raise InvalidInput("the file is empty")


_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d/%m/%Y",
)


def parse_time(raw: str, *, time_zone: str = "UTC") -> datetime:
    """A time as carriers write it; one without an offset is in `time_zone`."""
    text = raw.strip().replace("年", "-").replace("月", "-").replace("日", "")
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for pattern in _TIME_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if moment is None:
        raise InvalidInput(f"not a date or time: {raw!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(time_zone))
    return moment.astimezone(UTC)


def parse_date(raw: str) -> date:
    return parse_time(raw).date()


def parse_decimal(raw: str, *, what: str) -> Decimal:
    text = raw.strip().replace(",", "").replace("¥", "").replace("￥", "").replace("$", "")
    text = text.removesuffix("元").removesuffix("kg").removesuffix("KG").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"{what} is not a number: {raw!r}") from None
    if not value.is_finite() or value < 0:
        raise InvalidInput(f"{what} must be zero or more: {raw!r}")
    return value
