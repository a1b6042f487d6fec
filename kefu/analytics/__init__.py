"""Analytics: per-ticket metrics, rollups, dashboards and reports."""
