"""The sla domain's hooks into other domains (loaded by kefu.domains)."""

from kefu.sla.panel import sla_panel
from kefu.tickets.panels import Panel, register_panel

register_panel(Panel(key="sla", template="sla/_sla_panel.html", context=sla_panel, position=10))
