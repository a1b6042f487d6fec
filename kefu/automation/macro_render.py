"""The macro renderer under the name other parts of automation import it by."""

from kefu.automation.macros.render import (
    RenderedMacro,
    pick_language,
    record_macro_use,
    render_macro,
    validate_template,
)

__all__ = [
    "RenderedMacro",
    "pick_language",
    "record_macro_use",
    "render_macro",
    "validate_template",
]
