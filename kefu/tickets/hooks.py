"""The tickets domain's hooks into other domains (loaded by kefu.domains)."""

from kefu.customers.service import on_customer_merge
from kefu.tickets.merge import move_customer

on_customer_merge(move_customer)
