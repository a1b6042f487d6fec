"""Customer feedback: CSAT surveys after a solve, NPS campaigns, and their reports."""
