"""Reports: dashboards over kefu.analytics' figures, exports, saved and scheduled reports."""
