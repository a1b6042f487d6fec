"""The automation domain's handlers and jobs (each part registers its own)."""

import kefu.automation.assignment.jobs
import kefu.automation.rules.jobs  # noqa: F401
