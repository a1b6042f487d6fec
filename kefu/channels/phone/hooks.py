"""The phone channel's hooks into the ticket page (loaded by kefu.domains)."""

from kefu.channels.phone.panel import call_cards, composer_hint, phone_panel
from kefu.channels.phone.service import move_customer
from kefu.customers.service import on_customer_merge
from kefu.tickets.composer import ComposerTool, register_tool
from kefu.tickets.panels import MessageCard, Panel, register_message_card, register_panel

register_panel(
    Panel(key="phone", template="phone/_phone_panel.html", context=phone_panel, position=110)
)
register_message_card(
    MessageCard(key="phone.call", template="phone/_call_card.html", context=call_cards)
)
register_tool(
    ComposerTool(key="phone.hint", template="phone/_composer_hint.html", context=composer_hint)
)
on_customer_merge(move_customer)
