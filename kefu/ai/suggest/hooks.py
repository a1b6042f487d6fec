"""The suggestions' hooks into other domains (loaded by kefu.domains): the panel in the
ticket composer and its send hook (what became of an inserted suggestion)."""

from kefu.ai.suggest.pages import TOOL
from kefu.tickets.composer import register_tool

register_tool(TOOL)
