"""Accounts' event handlers and jobs: the password-reset mail, expired sessions clean-up."""

from sqlalchemy import delete
from sqlalchemy.orm import Session

from kefu.accounts.auth import reset_link_token
from kefu.accounts.models import PasswordReset, SignInSession
from kefu.accounts.service import get_agent
from kefu.config import secret_key
from kefu.events import Event, handles
from kefu.jobs import job
from kefu.kit import mailer
from kefu.kit.clock import utcnow
from kefu.runtime import current

RESET_MAIL = {
    "en": (
        "Reset your kefu password",
        "Hello {name},\n\nSomeone (hopefully you) asked to reset your kefu password.\n"
        "Open this link within one hour to choose a new one:\n\n{link}\n\n"
        "If you did not ask for this, ignore this mail; your password stays as it is.\n",
    ),
    "zh_Hans": (
        "重置您的 kefu 密码",
        "{name}，您好：\n\n有人（希望是您本人）申请重置您的 kefu 密码。\n"
        "请在一小时内打开以下链接设置新密码：\n\n{link}\n\n"
        "如果这不是您本人的操作，请忽略此邮件，您的密码不会改变。\n",
    ),
}


@handles("agent.password_reset_requested", name="accounts.send_password_reset")
def send_password_reset(session: Session, event: Event) -> None:
    settings = current().settings
    reset = session.get(PasswordReset, event.payload["reset_id"])
    if reset is None or reset.used_at is not None:
        return
    agent = get_agent(session, reset.agent_id)
    token = reset_link_token(secret_key(settings), reset.selector)
    link = f"{settings.base_url}/password/reset/{token}"
    subject, body = RESET_MAIL.get(agent.language or settings.default_language, RESET_MAIL["en"])
    message = mailer.build_message(
        sender=settings.mail_from,
        to=agent.email,
        subject=subject,
        text=body.format(name=agent.name, link=link),
    )
    mailer.send(settings.smtp_url, message)


@job("accounts.purge_expired", schedule="17 3 * * *")
def purge_expired() -> None:
    """Drop expired sign-in sessions and reset requests, nightly."""
    now = utcnow()
    with current().database.unit_of_work() as session:
        session.execute(delete(SignInSession).where(SignInSession.expires_at < now))
        session.execute(delete(PasswordReset).where(PasswordReset.expires_at < now))
