"""The web layer: the agent and manager UI, shared templates and vendored static files."""
