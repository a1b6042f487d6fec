"""What live chat adds to the agent's pages: the ticket's chat panel, the chat composer
(Enter sends, typing both ways) and the chat part of the agent event stream."""

from kefu.channels.chat.agent_context import composer_context, panel_context
from kefu.channels.chat.agent_live import STREAM_PART
from kefu.tickets.composer import ComposerTool, register_tool
from kefu.tickets.live_pages import register_stream_part
from kefu.tickets.panels import Panel, register_panel

# Above the SLA clocks (10): a waiting shopper is the most urgent thing on the page.
register_panel(
    Panel(key="chat", template="chat/_agent_panel.html", context=panel_context, position=5)
)
register_tool(
    ComposerTool(key="chat", template="chat/_agent_composer.html", context=composer_context)
)
register_stream_part(STREAM_PART)
