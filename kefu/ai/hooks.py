"""The ai domain's hooks into other domains (loaded by kefu.domains)."""

from kefu.ai.panel import ai_panel
from kefu.tickets.panels import Panel, register_panel

register_panel(Panel(key="ai", template="ai/_ai_panel.html", context=ai_panel, position=15))
