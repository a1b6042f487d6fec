"""The tickets domain's background work: its outbox handlers, imported by load_domains."""

from kefu.tickets import notify_jobs as notify_jobs
