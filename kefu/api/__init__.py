"""The REST API's own concerns: idempotency of POSTs (routes live in each domain)."""
