"""Return reason codes: what agents pick and what the returns dashboard groups by."""

from kefu.kit.i18n import N_, gettext

REASON_LABELS: dict[str, str] = {
    "wrong_size": N_("Wrong size"),
    "wrong_item": N_("Wrong item sent"),
    "damaged": N_("Arrived damaged"),
    "defective": N_("Defective"),
    "not_as_described": N_("Not as described"),
    "changed_mind": N_("Changed mind"),
    "late_delivery": N_("Arrived too late"),
    "other": N_("Other"),
}
REASON_CODES: tuple[str, ...] = tuple(REASON_LABELS)

# The store's fault: no restocking fee is charged for these.
STORE_FAULT_REASONS = frozenset(
    {"wrong_item", "damaged", "defective", "not_as_described", "late_delivery"}
)

# Labels customers read in their confirmation, by language (not the agent's catalog).
CUSTOMER_LABELS: dict[str, dict[str, str]] = {
    "en": {code: label.lower() for code, label in REASON_LABELS.items()},
    "zh": {
        "wrong_size": "尺码不合适",
        "wrong_item": "发错商品",
        "damaged": "到货破损",
        "defective": "质量问题",
        "not_as_described": "与描述不符",
        "changed_mind": "不想要了",
        "late_delivery": "到货太晚",
        "other": "其他原因",
    },
}


def reason_label(code: str) -> str:
    """The reason in the reader's language; an unknown code as it is."""
    return gettext(REASON_LABELS[code]) if code in REASON_LABELS else code


def reason_choices() -> list[tuple[str, str]]:
    return [(code, gettext(label)) for code, label in REASON_LABELS.items()]
