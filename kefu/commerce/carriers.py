"""Carriers, their public tracking pages and their webhook secrets; the default list every
new kefu starts with."""

from __future__ import annotations

import re
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.commerce.models import Carrier
from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.kit import secretbox
from kefu.kit.actor import Actor
from kefu.permissions import require
from kefu.runtime import instance_key

# (code, name, tracking page, other names stores use for it). Admins may edit every one.
DEFAULT_CARRIERS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("ups", "UPS", "https://www.ups.com/track?tracknum={number}", ("united parcel service",)),
    ("fedex", "FedEx", "https://www.fedex.com/fedextrack/?trknbr={number}", ("fedex ground",)),
    (
        "usps",
        "USPS",
        "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
        ("united states postal service",),
    ),
    (
        "dhl-express",
        "DHL Express",
        "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id={number}",
        ("dhl",),
    ),
    (
        "royal-mail",
        "Royal Mail",
        "https://www.royalmail.com/track-your-item#/tracking-results/{number}",
        (),
    ),
    (
        "canada-post",
        "Canada Post",
        "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={number}",
        ("postes canada",),
    ),
    (
        "australia-post",
        "Australia Post",
        "https://auspost.com.au/mypost/track/details/{number}",
        ("auspost",),
    ),
    (
        "sf-express",
        "SF Express 顺丰",
        "https://www.sf-express.com/chn/sc/waybill/waybill-detail/{number}",
        ("sf express", "顺丰", "顺丰速运", "sf"),
    ),
    (
        "zto",
        "ZTO 中通",
        "https://www.kuaidi100.com/chaxun?com=zhongtong&nu={number}",
        ("zto express", "中通", "中通快递"),
    ),
    (
        "yto",
        "YTO 圆通",
        "https://www.kuaidi100.com/chaxun?com=yuantong&nu={number}",
        ("yto express", "圆通", "圆通速递"),
    ),
    (
        "sto",
        "STO 申通",
        "https://www.kuaidi100.com/chaxun?com=shentong&nu={number}",
        ("sto express", "申通", "申通快递"),
    ),
    (
        "yunda",
        "Yunda 韵达",
        "https://www.kuaidi100.com/chaxun?com=yunda&nu={number}",
        ("yunda express", "韵达", "韵达快递"),
    ),
    (
        "jd-logistics",
        "JD Logistics 京东物流",
        "https://www.jdl.com/orderSearch/?waybillCodes={number}",
        ("jd", "京东", "京东物流", "京东快递"),
    ),
    (
        "ems",
        "EMS / China Post 中国邮政",
        "https://www.ems.com.cn/queryList?mailNum={number}",
        ("china post", "中国邮政", "邮政", "ems"),
    ),
    (
        "cainiao",
        "Cainiao 菜鸟",
        "https://global.cainiao.com/newDetail.htm?mailNoList={number}",
        ("菜鸟", "aliexpress standard shipping"),
    ),
)
ALIASES: dict[str, str] = {
    alias.casefold(): code for code, _, _, aliases in DEFAULT_CARRIERS for alias in aliases
}
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")


class CarrierFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    tracking_url: str = Field(default="", max_length=1000)
    webhook_secret: str | None = Field(default=None, max_length=500, description="write-only")
    is_active: bool = True

    @field_validator("tracking_url")
    @classmethod
    def _has_placeholder(cls, value: str) -> str:
        if value and "{number}" not in value:
            raise ValueError("the tracking page address needs {number} where the number goes")
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("the tracking page address must start with https:// or http://")
        return value


class CarrierCreate(CarrierFields):
    code: str = Field(min_length=1, max_length=50)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        value = value.strip().lower()
        if not CODE_RE.match(value):
            raise ValueError("a code is lower-case letters, digits and dashes, e.g. sf-express")
        return value


def ensure_default_carriers(session: Session) -> int:
    """Add the default carriers that are missing (by code); never changes an existing one, so
    an admin's edits survive. Returns how many were added."""
    known = set(session.scalars(select(Carrier.code)))
    added = 0
    for code, name, url, _aliases in DEFAULT_CARRIERS:
        if code not in known:
            session.add(Carrier(code=code, name=name, tracking_url=url, is_active=True))
            added += 1
    session.flush()
    return added


def list_carriers(session: Session, *, include_inactive: bool = True) -> list[Carrier]:
    statement = select(Carrier).order_by(Carrier.name, Carrier.id)
    if not include_inactive:
        statement = statement.where(Carrier.is_active.is_(True))
    return list(session.scalars(statement))


def get_carrier(session: Session, carrier_id: int) -> Carrier:
    carrier = session.get(Carrier, carrier_id)
    if carrier is None:
        raise NotFound(f"carrier {carrier_id} does not exist")
    return carrier


def carrier_by_code(session: Session, code: str) -> Carrier | None:
    return session.scalars(select(Carrier).where(Carrier.code == code.strip().lower())).first()


def find_carrier(session: Session, carrier: str) -> Carrier | None:
    """The carrier a store's wording means: its code ("sf-express"), its name ("SF Express
    顺丰") or a common other name ("顺丰", "DHL"), whatever the case."""
    wanted = carrier.strip().casefold()
    if not wanted:
        return None
    code = ALIASES.get(wanted, wanted.replace(" ", "-"))
    found = None
    for row in list_carriers(session):
        if row.code in (wanted, code):
            return row
        if found is None and row.name.casefold() == wanted:
            found = row
    return found


def tracking_url_for(session: Session, carrier: str, number: str) -> str:
    """The carrier's public tracking page for a number; "" when the carrier is unknown,
    inactive or has no page."""
    number = number.strip()
    row = find_carrier(session, carrier)
    if row is None or not row.is_active or not row.tracking_url or not number:
        return ""
    return row.tracking_url.replace("{number}", quote(number, safe=""))


def webhook_secret_of(carrier: Carrier, *, key: str | None = None) -> str:
    if not carrier.webhook_secret_enc:
        return ""
    return secretbox.decrypt(carrier.webhook_secret_enc, key=instance_key(key))


def _apply(carrier: Carrier, data: CarrierFields, *, key: str | None) -> None:
    carrier.name = data.name
    carrier.tracking_url = data.tracking_url
    carrier.is_active = data.is_active
    if data.webhook_secret:  # empty keeps the saved one
        carrier.webhook_secret_enc = secretbox.encrypt(data.webhook_secret, key=instance_key(key))


def create_carrier(
    session: Session, *, actor: Actor, data: CarrierCreate, key: str | None = None
) -> Carrier:
    require(actor, "settings.manage")
    if carrier_by_code(session, data.code) is not None:
        raise Conflict(f"a carrier with the code {data.code} already exists")
    carrier = Carrier(code=data.code)
    _apply(carrier, data, key=key)
    session.add(carrier)
    session.flush()
    return carrier


def update_carrier(
    session: Session,
    *,
    actor: Actor,
    carrier_id: int,
    data: CarrierFields,
    clear_secret: bool = False,
    key: str | None = None,
) -> Carrier:
    require(actor, "settings.manage")
    carrier = get_carrier(session, carrier_id)
    _apply(carrier, data, key=key)
    if clear_secret:
        carrier.webhook_secret_enc = None
    session.flush()
    return carrier


def require_code(session: Session, code: str) -> Carrier:
    carrier = carrier_by_code(session, code)
    if carrier is None:
        raise InvalidInput(f"unknown carrier: {code}")
    return carrier
