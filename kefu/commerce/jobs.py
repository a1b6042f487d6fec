"""Commerce's background jobs (each declared beside its service)."""

from kefu.commerce import sync  # noqa: F401  commerce.sync_store
