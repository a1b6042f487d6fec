"""The feedback domain's hooks into other domains (loaded by kefu.domains)."""

from kefu.feedback.panel import csat_panel
from kefu.tickets.panels import Panel, register_panel

register_panel(
    Panel(key="csat", template="feedback/_csat_panel.html", context=csat_panel, position=5)
)
