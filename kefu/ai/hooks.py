"""The ai domain's hooks into other domains (loaded by kefu.domains)."""

from kefu.ai.llm_panel import llm_panel
from kefu.ai.panel import ai_panel
from kefu.tickets.panels import Panel, register_panel

register_panel(Panel(key="ai", template="ai/_ai_panel.html", context=ai_panel, position=15))
register_panel(Panel(key="ai_llm", template="ai/_llm_panel.html", context=llm_panel, position=2))
