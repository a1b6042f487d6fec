"""classify(): which mail a machine wrote, and what a bounce says."""

from __future__ import annotations

from pathlib import Path

import pytest

from kefu.channels.email.noise import Noise, classify
from kefu.channels.email.parse import parse_email

MAIL = Path(__file__).parent / "mail"
OWN = frozenset({"support@shop.example"})


def classify_file(name: str) -> Noise:
    return classify(parse_email((MAIL / name).read_bytes()), own_addresses=OWN)


@pytest.mark.parametrize(
    "name",
    [
        "gmail_en.eml",
        "gmail_zh_attachment.eml",
        "outlook_en_inline_image.eml",
        "outlook_zh_gb2312.eml",
        "apple_mail.eml",
        "iphone_zh.eml",
        "qq_mail.eml",
        "foxmail_attachment.eml",
        "netease_163.eml",
        "thunderbird.eml",
        "yahoo.eml",
        "html_only.eml",
        "forward_rfc822.eml",
        "raw_gbk_no_charset.eml",
        "no_sender_at_all.eml",
    ],
)
def test_people_are_not_noise(name: str) -> None:
    assert classify_file(name) == Noise(None)


def test_postfix_dsn() -> None:
    assert classify_file("dsn_postfix.eml") == Noise(
        kind="bounce",
        reason="delivery-status: failed 5.1.1",
        bounced=["no.such.user@example.net"],
        bounce_status="5.1.1",
        bounce_diagnostic=(
            "550 5.1.1 <no.such.user@example.net>: Recipient address rejected: "
            "User unknown in virtual mailbox table"
        ),
        original_message_id="kefu.t2210.m5.c0ffee@shop.example",
        is_permanent=True,
    )


def test_exchange_ndr_with_rfc822_headers_part() -> None:
    assert classify_file("dsn_exchange.eml") == Noise(
        kind="bounce",
        reason="delivery-status: failed 5.1.10",
        bounced=["j.doe@contoso.com"],
        bounce_status="5.1.10",
        bounce_diagnostic=(
            "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"
        ),
        original_message_id="kefu.t3301.m2.beef01@shop.example",
        is_permanent=True,
    )


def test_gmail_dsn_with_folded_diagnostic() -> None:
    noise = classify_file("dsn_gmail.eml")
    assert (noise.kind, noise.bounced, noise.bounce_status, noise.is_permanent) == (
        "bounce",
        ["gone.forever@gmail.com"],
        "5.1.1",
        True,
    )
    assert noise.original_message_id == "kefu.t5512.m1.d00d@shop.example"
    assert noise.bounce_diagnostic is not None
    assert noise.bounce_diagnostic.startswith(
        "550-5.1.1 The email account that you tried to reach does not exist. Please try"
    )


def test_delayed_dsn_is_a_temporary_bounce() -> None:
    assert classify_file("dsn_delayed.eml") == Noise(
        kind="bounce",
        reason="delivery-status: delayed 4.4.1",
        bounced=["slow@example.org"],
        bounce_status="4.4.1",
        bounce_diagnostic="connect to mx.example.org[192.0.2.8]:25: Connection timed out",
        original_message_id="kefu.t6001.m1.abc123@shop.example",
        is_permanent=False,
    )


def test_qmail_bounce_without_delivery_status() -> None:
    noise = classify_file("bounce_qmail.eml")
    assert noise == Noise(
        kind="bounce",
        reason="bounce from mailer-daemon@mx.oldhost.example: failure notice",
        bounced=["olduser@oldhost.example"],
        bounce_status="5.1.1",
        bounce_diagnostic="Sorry, no mailbox here by that name. (#5.1.1)",
        original_message_id="kefu.t7007.m4.feed42@shop.example",
        is_permanent=True,
    )


def test_exim_bounce_without_delivery_status() -> None:
    noise = classify_file("bounce_exim.eml")
    assert (noise.kind, noise.bounced, noise.bounce_status, noise.is_permanent) == (
        "bounce",
        ["typo@gmial.com"],
        "5.1.1",
        True,
    )
    assert noise.bounce_diagnostic == "550 5.1.1 mailbox unavailable"
    assert noise.original_message_id == "kefu.t8008.m2.a1a1a1@shop.example"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("ooo_exchange_en.eml", "Auto-Submitted: auto-generated"),
        ("ooo_exchange_zh.eml", "Subject: 自动回复: 您的订单已发货 [#9002]"),
        ("ooo_qq.eml", "Subject: 自动回复：您的订单已发货"),
        ("read_receipt.eml", "read receipt (disposition-notification)"),
    ],
)
def test_auto_replies(name: str, reason: str) -> None:
    assert classify_file(name) == Noise("auto_reply", reason)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("X-Autoreply: yes", "x-autoreply: yes"),
        ("X-Autorespond: vacation", "x-autorespond: vacation"),
        ("Precedence: auto_reply", "Precedence: auto_reply"),
        ("Precedence: junk", "Precedence: junk"),
        ("Precedence: bulk", "Precedence: bulk"),
        ("Auto-Submitted: auto-replied (vacation)", "Auto-Submitted: auto-replied (vacation)"),
        ("Subject: Out of Office: Re: order", "Subject: Out of Office: Re: order"),
        ("Subject: Automatische Antwort\nX-Autoreply: yes", "x-autoreply: yes"),
    ],
)
def test_auto_reply_marks(headers: str, reason: str) -> None:
    raw = f"From: a@example.com\nMessage-ID: <m@x>\n{headers}\n\nI am away.\n".encode()
    assert classify(parse_email(raw)) == Noise("auto_reply", reason)


@pytest.mark.parametrize(
    "headers",
    [
        "Auto-Submitted: no",
        "X-Auto-Response-Suppress: All",  # a request not to answer it, not a mark
        "Subject: My order is out of stock?",
        "Subject: Re: 自动回复设置在哪里",  # a question about auto-replies
    ],
)
def test_not_auto_replies(headers: str) -> None:
    raw = f"From: a@example.com\nMessage-ID: <m@x>\n{headers}\n\nHello.\n".encode()
    assert classify(parse_email(raw)) == Noise(None)


def test_mailing_list_digest() -> None:
    assert classify_file("list_digest.eml") == Noise(
        "list", "list-id: Shop users <shop-users.lists.example.org>"
    )


def test_marketing_newsletter_is_list() -> None:
    assert classify_file("newsletter.eml") == Noise(
        "list",
        "list-unsubscribe: <https://deals.example/u/abc123>, <mailto:unsub-abc123@deals.example>",
    )


def test_own_outbound_copy_by_header() -> None:
    assert classify_file("own_outbound.eml") == Noise("own", "X-Kefu-Outbound: 1")


def test_own_outbound_copy_by_from_address() -> None:
    raw = b"From: Shop <Support@Shop.Example>\nMessage-ID: <m@x>\nSubject: hi\n\nHello.\n"
    assert classify(parse_email(raw), own_addresses=OWN) == Noise(
        "own", "From: support@shop.example is one of our mailboxes"
    )


def test_successful_delivery_report_is_an_auto_reply_not_a_bounce() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.example\nSubject: Successful Mail Delivery Report\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\n\n'
        b"--r\nContent-Type: text/plain\n\nDelivered.\n--r\n"
        b"Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\n"
        b"Final-Recipient: rfc822; a@example.org\nAction: delivered\nStatus: 2.0.0\n--r--\n"
    )
    assert classify(parse_email(raw)) == Noise("auto_reply", "delivery report: delivered")


def test_classify_never_raises_on_broken_mail() -> None:
    for path in sorted(MAIL.glob("*.eml")):
        raw = path.read_bytes()
        for end in range(0, len(raw), max(1, len(raw) // 25)):
            classify(parse_email(raw[:end]), own_addresses=OWN)
