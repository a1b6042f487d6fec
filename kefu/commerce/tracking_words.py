"""Carriers' own status words (English and Chinese) mapped to kefu's normalized tracking
status."""

from __future__ import annotations

import re

from kefu.commerce.schemas import TrackingStatus

S = TrackingStatus
# Exact words first (after folding case, spaces, dashes and underscores away)...
WORDS: dict[str, TrackingStatus] = {
    # kefu's own values and common English API codes
    **{status.value.replace("_", ""): status for status in TrackingStatus},
    "pretransit": S.INFO_RECEIVED,
    "labelcreated": S.INFO_RECEIVED,
    "labelprinted": S.INFO_RECEIVED,
    "shipmentinformationreceived": S.INFO_RECEIVED,
    "inforeceived": S.INFO_RECEIVED,
    "accepted": S.IN_TRANSIT,
    "pickedup": S.IN_TRANSIT,
    "transit": S.IN_TRANSIT,
    "intransit": S.IN_TRANSIT,
    "arrived": S.IN_TRANSIT,
    "departed": S.IN_TRANSIT,
    "outfordelivery": S.OUT_FOR_DELIVERY,
    "ondeliveryvehicle": S.OUT_FOR_DELIVERY,
    "withcourier": S.OUT_FOR_DELIVERY,
    "attemptfail": S.FAILED_ATTEMPT,
    "attemptfailed": S.FAILED_ATTEMPT,
    "deliveryattempted": S.FAILED_ATTEMPT,
    "failedattempt": S.FAILED_ATTEMPT,
    "notdelivered": S.FAILED_ATTEMPT,
    "delivered": S.DELIVERED,
    "pickedupbycustomer": S.DELIVERED,
    "exception": S.EXCEPTION,
    "returntosender": S.EXCEPTION,
    "returned": S.EXCEPTION,
    "lost": S.EXCEPTION,
    "damaged": S.EXCEPTION,
    "expired": S.EXPIRED,
    "unknown": S.EXPIRED,
    # Chinese carriers (顺丰, 中通, 圆通, 申通, 韵达, 京东, 邮政, 菜鸟)
    "已下单": S.INFO_RECEIVED,
    "待揽收": S.INFO_RECEIVED,
    "已揽收": S.IN_TRANSIT,
    "揽收": S.IN_TRANSIT,
    "揽件": S.IN_TRANSIT,
    "已揽件": S.IN_TRANSIT,
    "运输中": S.IN_TRANSIT,
    "在途": S.IN_TRANSIT,
    "在途中": S.IN_TRANSIT,
    "已发出": S.IN_TRANSIT,
    "到达": S.IN_TRANSIT,
    "中转": S.IN_TRANSIT,
    "清关中": S.IN_TRANSIT,
    "派送中": S.OUT_FOR_DELIVERY,
    "派件中": S.OUT_FOR_DELIVERY,
    "正在派件": S.OUT_FOR_DELIVERY,
    "派件": S.OUT_FOR_DELIVERY,
    "待派送": S.OUT_FOR_DELIVERY,
    "派送失败": S.FAILED_ATTEMPT,
    "投递失败": S.FAILED_ATTEMPT,
    "派件失败": S.FAILED_ATTEMPT,
    "未妥投": S.FAILED_ATTEMPT,
    "已签收": S.DELIVERED,
    "签收": S.DELIVERED,
    "妥投": S.DELIVERED,
    "已妥投": S.DELIVERED,
    "代签收": S.DELIVERED,
    "已取件": S.DELIVERED,
    "异常": S.EXCEPTION,
    "疑难": S.EXCEPTION,
    "疑难件": S.EXCEPTION,
    "问题件": S.EXCEPTION,
    "拒收": S.EXCEPTION,
    "退回": S.EXCEPTION,
    "退件": S.EXCEPTION,
    "已退回": S.EXCEPTION,
    "退签": S.EXCEPTION,
    "丢失": S.EXCEPTION,
    "破损": S.EXCEPTION,
    "滞留": S.EXCEPTION,
    "超时": S.EXPIRED,
    "已过期": S.EXPIRED,
}
# ...then words inside a longer phrase ("快件已被 xx 代签收"), most telling first: "派送失败"
# contains "派送" and "签收失败" contains "签收", so failures and problems are looked for
# before progress.
PHRASES: tuple[tuple[str, TrackingStatus], ...] = (
    ("失败", S.FAILED_ATTEMPT),
    ("未妥投", S.FAILED_ATTEMPT),
    ("attempt", S.FAILED_ATTEMPT),
    ("拒收", S.EXCEPTION),
    ("退回", S.EXCEPTION),
    ("异常", S.EXCEPTION),
    ("问题件", S.EXCEPTION),
    ("exception", S.EXCEPTION),
    ("returntosender", S.EXCEPTION),
    ("签收", S.DELIVERED),
    ("妥投", S.DELIVERED),
    ("delivered", S.DELIVERED),
    ("派送", S.OUT_FOR_DELIVERY),
    ("派件", S.OUT_FOR_DELIVERY),
    ("outfordelivery", S.OUT_FOR_DELIVERY),
    ("揽收", S.IN_TRANSIT),
    ("揽件", S.IN_TRANSIT),
    ("运输", S.IN_TRANSIT),
    ("转运", S.IN_TRANSIT),
    ("transit", S.IN_TRANSIT),
)
_FOLD = re.compile(r"[\s_\-./]+")


def _fold(word: str) -> str:
    return _FOLD.sub("", word).casefold()


def normalize_status(word: str) -> TrackingStatus | None:
    """kefu's status for a carrier's word ("已签收", "OUT_FOR_DELIVERY", "Delivered"); None
    when the word means nothing kefu knows."""
    folded = _fold(word)
    if not folded:
        return None
    if folded in WORDS:
        return WORDS[folded]
    for phrase, status in PHRASES:
        if phrase in folded:
            return status
    return None
