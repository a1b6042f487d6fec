"""parse_email on mail as real clients write it: every field checked exactly."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kefu.channels.email.parse import Address, ParsedEmail, parse_email

MAIL = Path(__file__).parent / "mail"


def parse(name: str) -> ParsedEmail:
    return parse_email((MAIL / name).read_bytes())


def attachments(parsed: ParsedEmail) -> list[tuple[str, str, int, str | None, bool]]:
    return [
        (a.filename, a.content_type, len(a.data), a.content_id, a.is_inline)
        for a in parsed.attachments
    ]


def test_gmail_english_alternative() -> None:
    # when
    parsed = parse("gmail_en.eml")
    # then
    assert parsed.message_id == "CAJ8m+Zq3vR1Ld7n2X_fKq0bPz7Hh6w1qv3xLm2kT0yE9c4rWtA@mail.gmail.com"
    assert parsed.subject == "Where is my order #10482?"
    assert parsed.sender == Address(name="Emily Carter", email="emily.carter@gmail.com")
    assert parsed.to == [Address(name="Shop Support", email="support@shop.example")]
    assert parsed.delivered_to == ["support@shop.example"]
    assert parsed.date == datetime(2026, 11, 2, 9, 13, 55, tzinfo=UTC)
    assert parsed.text == (
        "Hi,\n\nI ordered a pair of running shoes last week (order #10482) and the tracking\n"
        'page still says "label created". Could you check what is going on?\n\nThanks,\nEmily\n'
    )
    assert parsed.html is not None and parsed.html.startswith('<div dir="ltr">Hi,')
    assert parsed.attachments == []
    assert parsed.defects == []
    assert parsed.size == (MAIL / "gmail_en.eml").stat().st_size
    assert parsed.headers["x-google-smtp-source"] == ["AGHT+IF1example"]
    assert len(parsed.headers["received"]) == 1


def test_gmail_chinese_with_rfc2231_attachment_name() -> None:
    parsed = parse("gmail_zh_attachment.eml")
    assert parsed.subject == "关于发票的问题：请重新开具"
    assert parsed.sender == Address(name="王小明", email="xiaoming.wang@gmail.com")
    assert parsed.text == (
        "你好，\n\n附件是我的发票，麻烦帮我开一张新的。订单号：20261101-778。\n\n谢谢！\n王小明\n"
    )
    assert attachments(parsed) == [("发票.pdf", "application/pdf", 45, "f_m2z7k1x40", False)]
    assert parsed.attachments[0].data.startswith(b"%PDF-1.4")


def test_outlook_english_related_inline_image_and_threading_headers() -> None:
    parsed = parse("outlook_en_inline_image.eml")
    assert parsed.subject == "RE: Invoice 4471 - wrong VAT number"
    assert parsed.sender == Address(name="O'Brien, Sean", email="sean.obrien@contoso.com")
    assert parsed.cc == [Address(name="Procurement", email="procurement@contoso.com")]
    assert parsed.in_reply_to == ["kefu.t4471.m90.e5f6a7@shop.example"]
    assert parsed.references == [
        "kefu.t4471.m88.b1c2d3@shop.example",
        "kefu.t4471.m90.e5f6a7@shop.example",
    ]
    assert parsed.text.startswith(
        "Hello,\n\nThe VAT number on the invoice should be GB123456789, see the screenshot below."
    )
    assert parsed.html is not None and 'src="cid:image001.png@01DB2EB1.4F0A3C20"' in parsed.html
    assert attachments(parsed) == [
        ("image001.png", "image/png", 70, "image001.png@01DB2EB1.4F0A3C20", True)
    ]


def test_outlook_chinese_gb2312_label_holding_gbk_characters() -> None:
    # 镕 and 喆 are in GBK, not in GB2312: Outlook labels them gb2312 anyway
    parsed = parse("outlook_zh_gb2312.eml")
    assert parsed.subject == "空气净化器坏了（朱镕）"
    assert parsed.sender == Address(name="朱喆", email="zhuzhe@contoso.cn")
    assert parsed.to == [Address(name="客服", email="support@shop.example")]
    assert parsed.text == (
        "您好：\n\n我是朱镕的同事，上周在贵店买的空气净化器坏了，附件是购买清单。\n\n此致\n敬礼\n\n喆\n"
    )
    assert parsed.html is None
    assert [a.filename for a in parsed.attachments] == ["购买清单.xlsx"]
    assert parsed.headers["thread-topic"] == ["空气净化器坏了"]
    assert parsed.defects == []


def test_apple_mail_flowed_text_and_inline_image() -> None:
    parsed = parse("apple_mail.eml")
    assert parsed.text == (
        "Hello,\n\nThe parcel arrived today but the mug inside is broken (photo below). "
        "Can you send a replacement or refund it?\n\nBest,\nLukas\n"
    )
    assert parsed.html is not None and "cid:4F1B2C3D-5E6F-4A7B-8C9D-0E1F2A3B4C5D" in parsed.html
    assert attachments(parsed) == [
        ("IMG_2041.png", "image/png", 70, "4F1B2C3D-5E6F-4A7B-8C9D-0E1F2A3B4C5D", True)
    ]


def test_iphone_chinese_reply() -> None:
    parsed = parse("iphone_zh.eml")
    assert parsed.subject == "Re: 包裹已发货 [#1234]"
    assert parsed.sender == Address(name="李娜", email="li.na@icloud.com")
    assert parsed.text.startswith("好的，收到了，谢谢！\n\n发自我的iPhone\n\n> 在 2026年11月6日")
    assert parsed.in_reply_to == ["kefu.t1234.m7.0f9e8d@shop.example"]
    assert parsed.html is None


def test_qq_mail_gb18030_with_four_byte_characters() -> None:
    parsed = parse("qq_mail.eml")
    assert parsed.subject == "手机壳颜色不对😂"
    assert parsed.sender == Address(name="小鱼儿", email="1234567890@qq.com")
    assert parsed.text == "你好，我在你们店买的手机壳颜色不对😂能换吗？\n"
    assert parsed.html is not None and "手机壳颜色不对😂" in parsed.html


def test_foxmail_attachment_name_split_inside_a_character() -> None:
    parsed = parse("foxmail_attachment.eml")
    assert parsed.subject == "退货申请"
    assert parsed.text == "你好，我要退货，申请表在附件里。\n\n陈刚\n"
    assert [a.filename for a in parsed.attachments] == ["退货申请表（第二版）.docx"]


def test_163_gbk() -> None:
    parsed = parse("netease_163.eml")
    assert parsed.subject == "回复:Re: 订单 #88231 什么时候发货？"
    assert parsed.sender == Address(name="张伟", email="zhangwei@163.com")
    assert parsed.text.startswith("请问什么时候发货？已经等了一周了。\n\n在 2026-11-01 10:00:00，")
    assert parsed.references == ["kefu.t88231.m3.aa11bb@shop.example"]


def test_thunderbird_flowed_8bit_and_rfc2231_continued_filename() -> None:
    parsed = parse("thunderbird.eml")
    assert parsed.subject == "Rücksendung für Bestellung 20931"
    assert parsed.sender == Address(name="Jörg Müller", email="joerg.mueller@posteo.de")
    assert parsed.text == (
        "Guten Tag,\n\nich möchte die Jacke zurücksenden, sie ist zu groß. Die Liste der "
        "Artikel hängt an.\n\nMit freundlichen Grüßen\nJörg Müller\n"
    )
    assert attachments(parsed) == [
        ("Übersicht der Rücksendungen 2026.csv", "text/csv", 22, None, False)
    ]


def test_yahoo_quoted_printable_and_reply_to() -> None:
    parsed = parse("yahoo.eml")
    assert parsed.reply_to == [Address(name="Maria Gonzalez", email="maria_g77@yahoo.com")]
    assert parsed.text == (
        "Hello, I cancelled order 30311 on Friday but I haven't received the refund yet "
        "(€45.90). Can you confirm it is on its way?\nMaría"
    )


@pytest.mark.parametrize(
    ("name", "subject", "sender_name", "text"),
    [
        (
            "outlook_big5_hkscs.eml",
            "件衫幾時到㗎？",
            "陳大文",
            "你好，我喺香港，想問下件衫幾時到㗎？\n",
        ),
        (
            "iso2022jp.eml",
            "商品が届きません",
            "山田太郎",
            "お世話になっております。\n注文番号 77120 の商品がまだ届いていません。\n"
            "ご確認お願いします。\n",
        ),
        (
            "latin1.eml",
            "Problème de livraison",
            "François Léger",
            "Bonjour,\n\nle colis est arrivé abîmé. Où dois-je le renvoyer ?\n\nFrançois\n",
        ),
    ],
)
def test_declared_charsets(name: str, subject: str, sender_name: str, text: str) -> None:
    parsed = parse(name)
    assert (parsed.subject, parsed.sender and parsed.sender.name, parsed.text) == (
        subject,
        sender_name,
        text,
    )
    assert parsed.defects == []


def test_html_only_mail_keeps_html_and_derives_no_text() -> None:
    parsed = parse("html_only.eml")
    assert parsed.subject == "尺码问题"
    assert parsed.text == ""
    assert parsed.html == (
        "<html><body><p>我平时穿 M 码，这款要买 L 吗？</p><p>陈佳</p></body></html>"
    )


def test_tnef_is_kept_as_an_attachment() -> None:
    parsed = parse("outlook_tnef.eml")
    assert parsed.text == "Please see the attached order form.\n\n"
    assert attachments(parsed) == [("winmail.dat", "application/ms-tnef", 114, None, False)]


def test_forwarded_message_is_an_eml_attachment() -> None:
    parsed = parse("forward_rfc822.eml")
    assert parsed.text == "See the confirmation below, I was charged twice.\n"
    [forwarded] = parsed.attachments
    assert (forwarded.filename, forwarded.content_type) == (
        "Your order confirmation.eml",
        "message/rfc822",
    )
    inner = parse_email(forwarded.data)
    assert (inner.message_id, inner.text) == (
        "order-20111@shop.example",
        "Thank you for your order 20111.\n",
    )


def test_digest_messages_become_eml_attachments() -> None:
    parsed = parse("list_digest.eml")
    assert parsed.text == (
        "Today's Topics:\n\n   1. Coupon codes (Ann)\n   2. Re: Coupon codes (Bob)\n"
    )
    assert [a.filename for a in parsed.attachments] == ["Coupon codes.eml", "Re: Coupon codes.eml"]
