"""The endpoint's access settings from the /admin/ai form: the API key (encrypted; an empty
field keeps the saved one) and the timeout."""

from typing import Any

from sqlalchemy.orm import Session

from kefu.ai import llm
from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from kefu.web import forms


def save_from_form(session: Session, *, actor: Actor, form: Any, key: str) -> None:
    raw = forms.text(form, "endpoint_timeout") or "30"
    try:
        timeout = int(raw)
    except ValueError:
        raise InvalidInput("the endpoint's timeout must be a whole number of seconds") from None
    typed = forms.text(form, "endpoint_key").strip()
    llm.save_access(
        session, actor=actor, key=key, api_key=typed or None, timeout_seconds=timeout,
        forget_key=forms.text(form, "endpoint_forget_key") == "true",
    )  # fmt: skip
