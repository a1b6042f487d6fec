"""Analytics: per-ticket metrics kept from ticket events, hourly rollups and the read side
dashboards and reports use (kefu.analytics.queries)."""
