"""Change the shipping address of an order that has not shipped yet."""

from __future__ import annotations

from kefu.commerce.action_schemas import AddressRequest
from kefu.commerce.actions.core import ActionSpec, Context, register
from kefu.commerce.actions.customer_texts import customer_text
from kefu.commerce.connectors import Connector
from kefu.kit.i18n import gettext


def address_lines(address: dict[str, str]) -> str:
    parts = [
        address.get("name", ""),
        address.get("address1", ""),
        address.get("address2", ""),
        " ".join(p for p in (address.get("postal_code", ""), address.get("city", "")) if p),
        " ".join(p for p in (address.get("province", ""), address.get("country_code", "")) if p),
    ]
    return "\n".join(p for p in parts if p.strip())


def _apply(context: Context) -> None:
    data: AddressRequest = context.data
    order = context.facts.order
    context.result["previous_address"] = dict(order.shipping_address or {})
    order.shipping_address = data.address.model_dump()


def _push(context: Context, connector: Connector) -> None:
    data: AddressRequest = context.data
    pushed = connector.update_shipping_address(context.facts.order, data.address)
    context.result["external_id"] = pushed.external_id


def _note(context: Context) -> str:
    new = address_lines(context.facts.order.shipping_address).replace("\n", ", ")
    return gettext("changed the shipping address to %(address)s", address=new)


def _customer(context: Context, language: str) -> str:
    order = context.facts.order
    return customer_text(
        "address", language, number=order.number, address=address_lines(order.shipping_address)
    )


SPEC = register(
    ActionSpec(
        kind="edit_address",
        event="order.address_changed",
        apply=_apply,
        push=_push,
        note=_note,
        customer=_customer,
    )
)
