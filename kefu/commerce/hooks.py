"""The commerce domain's hooks into other domains (loaded by kefu.domains)."""

from kefu.commerce.panel import orders_panel
from kefu.tickets.panels import Panel, register_panel

register_panel(Panel(key="orders", template="commerce/_orders_panel.html", context=orders_panel))
