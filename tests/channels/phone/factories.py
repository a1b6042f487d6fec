"""Phone test data made through the services, and callbacks signed the way Twilio signs them
(the algorithm as its documentation describes it, written here independently of kefu's)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import urlencode

from kefu.channels.phone import lines
from kefu.channels.phone.models import PhoneLine
from kefu.channels.phone.schemas import PhoneLineCreate
from kefu.customers import service as customers
from kefu.customers.models import Customer
from kefu.customers.schemas import CustomerCreate
from kefu.db import Database
from kefu.kit.actor import Actor

# The instance key of tests/conftest.py's `settings`, so pages and services agree.
KEY = "test-secret-key-" + "x" * 32
TOKEN = "twilio-auth-token-0123456789"
ACCOUNT = "AC" + "1" * 32
LINE_NUMBER = "+14155550100"
BASE_URL = "http://testserver"


def make_line(database: Database, **fields: Any) -> PhoneLine:
    values: dict[str, Any] = {
        "name": "Support line",
        "number": LINE_NUMBER,
        "auth_token": TOKEN,
        "account_sid": ACCOUNT,
        **fields,
    }
    with database.unit_of_work(actor=Actor.system()) as session:
        line = lines.create_line(
            session, actor=Actor.system(), data=PhoneLineCreate(**values), key=KEY
        )
        session.expunge(line)
        return line


def make_customer(database: Database, *, name: str, phone: str, email: str) -> Customer:
    with database.unit_of_work(actor=Actor.system()) as session:
        customer = customers.create_customer(
            session,
            actor=Actor.system(),
            data=CustomerCreate(name=name, phones=[phone], emails=[email]),
        )
        session.expunge(customer)
        return customer


def twilio_signature(token: str, url: str, params: dict[str, str]) -> str:
    signed = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def path_of(line: PhoneLine, endpoint: str) -> str:
    return f"/api/phone/twilio/{line.webhook_key}/{endpoint}"


def post_callback(
    client: Any,
    line: PhoneLine,
    endpoint: str,
    params: dict[str, str],
    *,
    token: str = TOKEN,
    signature: str | None = None,
) -> Any:
    """POST a form as the provider does, signed with `token` unless a signature is given."""
    path = path_of(line, endpoint)
    sig = signature if signature is not None else twilio_signature(token, BASE_URL + path, params)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if sig:
        headers["X-Twilio-Signature"] = sig
    return client.post(path, content=urlencode(params), headers=headers)


def call_params(sid: str, *, caller: str, status: str, **extra: str) -> dict[str, str]:
    """An inbound call's fields as a Twilio voice request or status callback carries them."""
    return {
        "AccountSid": ACCOUNT,
        "ApiVersion": "2010-04-01",
        "CallSid": sid,
        "CallStatus": status,
        "Direction": "inbound",
        "From": caller,
        "To": LINE_NUMBER,
        "Caller": caller,
        "Called": LINE_NUMBER,
        **extra,
    }
