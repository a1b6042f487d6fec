"""The assistant's event handlers (loaded by kefu.domains): mailing one-time codes."""

from kefu.ai.assistant.codes import send_code

__all__ = ["send_code"]
