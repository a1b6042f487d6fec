"""The ticket's action forms: what their fields mean as an action request. Amounts are typed
in major units ("12.50") and become minor units in the order's currency."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from kefu.commerce.facts import OrderFacts
from kefu.errors import InvalidInput
from kefu.kit.i18n import gettext as _
from kefu.kit.money import to_minor
from kefu.web import forms

ADDRESS_FIELDS = (
    "name",
    "company",
    "address1",
    "address2",
    "city",
    "province",
    "postal_code",
    "country_code",
    "phone",
)


def amount(form: FormData, name: str, currency: str) -> int:
    raw = forms.text(form, name)
    if not raw:
        return 0
    minor = to_minor(raw.replace(",", "."), currency)
    if minor < 0:
        raise InvalidInput(_("Amounts cannot be negative."))
    return minor


def quantities(form: FormData, facts: OrderFacts, prefix: str = "qty_") -> list[dict[str, Any]]:
    lines = []
    for item_id in facts.items:
        raw = forms.text(form, f"{prefix}{item_id}")
        if not raw:
            continue
        try:
            quantity = int(raw)
        except ValueError:
            raise InvalidInput(_("Quantities are whole numbers.")) from None
        if quantity < 0:
            raise InvalidInput(_("Quantities cannot be negative."))
        if quantity:
            lines.append({"item_id": item_id, "quantity": quantity})
    return lines


def checked(form: FormData, name: str) -> bool:
    return forms.text(form, name) in ("1", "on", "true")


def request_values(kind: str, form: FormData, facts: OrderFacts, ticket_id: int) -> dict[str, Any]:
    """The action request a form describes (validated afterwards by its schema)."""
    currency = facts.order.currency
    common: dict[str, Any] = {
        "ticket_id": ticket_id,
        "note": forms.text(form, "note"),
        "notify_customer": checked(form, "notify_customer"),
    }
    if kind == "refund":
        return {
            **common,
            "items": quantities(form, facts),
            "shipping_minor": amount(form, "shipping", currency),
            "custom_minor": amount(form, "custom", currency),
            "restock": checked(form, "restock"),
            "method": forms.text(form, "method", "original"),
            "reason": forms.text(form, "reason"),
        }
    if kind == "cancel":
        return {
            **common,
            "reason": forms.text(form, "reason", "customer"),
            "restock": checked(form, "restock"),
        }
    if kind == "edit_address":
        address = {field: forms.text(form, field) for field in ADDRESS_FIELDS}
        address["country_code"] = address["country_code"].upper()
        return {**common, "address": address}
    if kind == "return":
        lines = quantities(form, facts)
        for line in lines:
            line["condition"] = forms.text(form, f"condition_{line['item_id']}", "unopened")
        return {
            **common,
            "reason": forms.text(form, "reason"),
            "items": lines,
            "photos": forms.ints(form, "photos"),
            "instructions": forms.text(form, "instructions"),
            "resolution": forms.text(form, "resolution", "refund"),
        }
    if kind == "exchange":
        return {
            **common,
            "items_out": quantities(form, facts),
            "items_in": [
                {
                    "title": forms.text(form, "new_title"),
                    "sku": forms.text(form, "new_sku"),
                    "variant_id": forms.text(form, "new_variant_id"),
                    "quantity": int(forms.text(form, "new_quantity", "1") or 1),
                    "unit_price_minor": amount(form, "new_price", currency),
                }
            ],
            "reason": forms.text(form, "reason", "wrong_size"),
        }
    if kind == "resend":
        return {**common, "items": quantities(form, facts), "reason": forms.text(form, "reason")}
    if kind == "store_credit":
        return {
            **common,
            "amount_minor": amount(form, "amount", currency),
            "reason": forms.text(form, "reason"),
        }
    raise InvalidInput(f"no action {kind!r}")


def form_values(form: FormData | None) -> dict[str, str]:
    """What the agent typed, to show the form again as it was."""
    if form is None:
        return {}
    return {key: str(form.getlist(key)[-1]) for key in form.keys()}  # noqa: SIM118
