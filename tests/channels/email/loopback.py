"""The browser tests' mail set-up: a mailbox on the loopback Dovecot and SMTP capture, and a
customer's mail dropped into its IMAP folder."""

from email.message import EmailMessage
from email.utils import make_msgid

from kefu.channels.email import mailboxes
from kefu.channels.email.schemas import MailboxCreate
from kefu.db import Database
from kefu.kit.actor import Actor
from tests.channels.email.conftest import CUSTOMER, SUPPORT
from tests.channels.email.servers import CaptureSMTP, Dovecot


def loopback_mailbox(
    database: Database, dovecot: Dovecot, folder: str, smtp: CaptureSMTP, *, from_name: str
) -> int:
    """The support mailbox fetching from Dovecot's `folder` and sending through `smtp`."""
    with database.unit_of_work() as session:
        return mailboxes.create_mailbox(
            session,
            actor=Actor.system(),
            data=MailboxCreate(
                name="Support",
                address=SUPPORT,
                from_name=from_name,
                imap_host=dovecot.host,
                imap_port=dovecot.imap_port,
                imap_security="none",
                imap_username=SUPPORT,
                imap_password=dovecot.password,
                imap_folder=folder,
                smtp_host="127.0.0.1",
                smtp_port=smtp.port,
                smtp_security="none",
            ),
        ).id


def customer_writes(dovecot: Dovecot, folder: str, subject: str, text: str) -> str:
    """Emily's mail in the support folder; returns its Message-ID without brackets."""
    message = EmailMessage()
    message["From"] = f"Emily Chen <{CUSTOMER}>"
    message["To"] = SUPPORT
    message["Subject"] = subject
    message_id = make_msgid(domain="example.com")
    message["Message-ID"] = message_id
    message.set_content(text)
    dovecot.append(SUPPORT, folder, [message.as_bytes()])
    return message_id.strip("<>")
