"""The assistant's hooks into other domains (loaded by kefu.domains): the summary shown at
the top of long tickets and of the tickets it hands over."""

from kefu.ai.summary_panel import summary_panel
from kefu.tickets.panels import Panel, register_panel

register_panel(
    Panel(key="summary", template="assistant/_summary_panel.html", context=summary_panel,
          position=1)
)  # fmt: skip
