"""The automation domain's hooks into other domains (loaded by kefu.domains)."""

import kefu.automation.macros.hooks  # noqa: F401  (the macro picker in the composer)
