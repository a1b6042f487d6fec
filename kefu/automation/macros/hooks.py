"""Macros' hooks into the tickets domain: the picker in the composer."""

from kefu.automation.macros.composer_pages import TOOL
from kefu.tickets.composer import register_tool

register_tool(TOOL)
