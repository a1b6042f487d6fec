"""Domain errors: each carries its HTTP status, a stable code and a message for people."""

from typing import Any


class KefuError(Exception):
    status: int = 400
    code: str = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInput(KefuError):
    status = 422
    code = "invalid_input"


class NotFound(KefuError):
    status = 404
    code = "not_found"


class Conflict(KefuError):
    status = 409
    code = "conflict"


class PermissionDenied(KefuError):
    status = 403
    code = "permission_denied"


class NotAuthenticated(KefuError):
    status = 401
    code = "not_authenticated"


class TooLarge(KefuError):
    status = 413
    code = "too_large"


class PolicyViolation(KefuError):
    status = 422
    code = "policy_violation"


class Throttled(KefuError):
    status = 429
    code = "throttled"

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class ConfigError(Exception):
    """Bad configuration: reported as one line and a non-zero exit, never a traceback."""


def describe_validation(errors: list[dict[str, Any]]) -> str:
    """The first validation problem as one line a person can act on: "email: not valid"."""
    if not errors:
        return "invalid input"
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    return f"{where}: {first['msg']}" if where else str(first["msg"])


def refusal_message(exc: Exception) -> str:
    """A refused form (a pydantic ValidationError or a KefuError) as one sentence for a page."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return describe_validation(errors())
    return exc.message if isinstance(exc, KefuError) else str(exc)
