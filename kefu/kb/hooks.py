"""The kb domain's hooks into other domains (loaded by kefu.domains): its composer tool and
the "create article from this answer" panel of a solved ticket."""

from kefu.kb.composer_pages import PANEL, TOOL
from kefu.tickets.composer import register_tool
from kefu.tickets.panels import register_panel

register_tool(TOOL)
register_panel(PANEL)
