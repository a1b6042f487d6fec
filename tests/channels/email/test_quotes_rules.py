"""split_reply: the general rules the blind held-out corpus called for (pure functions)."""

from __future__ import annotations

import threading

from kefu.channels.email.quotes import ReplyParts, split_reply
from kefu.channels.email.quotes_closing import is_closing


def test_legal_disclaimer_under_the_signature_is_folded():
    english = (
        "Please cancel order 12.\n\nRegards\nAnn Lee\nBuyer | Lee Co\nT: +1 416 555 0100\n\n"
        "This email and any attachments are confidential. If you are not the intended "
        "recipient, please notify the sender and delete this email.\n\n"
        "From: Shop <s@shop.com>\nSent: Monday, November 2, 2026 10:00 AM\nTo: Ann\n"
        "Subject: Order 12\n"
    )
    chinese = (
        "发票什么时候开？\n\n顺祝商祺\n\n钱立\n财务部\n\n"
        "本邮件及其附件含有保密信息，仅限于发送给上面地址中列出的个人。如果您错收了本邮件，"
        "请您立即通知发件人并删除本邮件！\n"
    )
    parts = split_reply(english)
    assert parts.new == "Please cancel order 12."
    assert parts.signature.endswith("delete this email.")
    assert split_reply(chinese).new == "发票什么时候开？"


def test_a_last_paragraph_mentioning_one_legal_word_stays():
    text = "Hi,\n\nThe parcel was marked confidential by the courier and left with a neighbour.\n"
    assert split_reply(text).new == text.strip()


def test_address_and_company_lines_in_a_signature_block():
    text = (
        "Approved, please proceed.\n\nJames Hill\nHead of Operations\nHill & Sons Ltd.\n"
        "Unit 4, Riverside Park, Leeds LS10 1AB\nwww.hillsons.example\n"
    )
    assert split_reply(text).new == "Approved, please proceed."


def test_name_and_title_right_under_the_text_and_nickname_with_contact():
    titled = "好的，发票抬头：深圳创新电子有限公司。\n孙立\n采购专员\n"
    nickname = "已经拍照了，附件里有三张。\n\n小雨\n88776655@qq.com\n"
    assert split_reply(titled).new == "好的，发票抬头：深圳创新电子有限公司。"
    assert split_reply(nickname).new == "已经拍照了，附件里有三张。"


def test_more_phone_lines_and_separators():
    traditional = "可以寄到香港嗎？\n\n發自我的 iPhone\n"
    wechat = "瓶子碎了两个。\n\n发自我的企业微信\n"
    samsung = (
        "充电器没反应。\n\n-------- 原始信息 --------\n由： 旗舰店 <s@x.cn>\n"
        "日期： 2026/11/16 下午2:30 (GMT+08:00)\n收件人： a@b.com\n主旨： 订单已签收\n"
    )
    forward = "看下附件。\n\n以下是转发的邮件：\n\n发件人: 中通 <n@zto.com>\n主题: 已签收\n"
    zoho = (
        "Could you quote 200 notebooks?\n\nRegards,\nFaisal Khan\n\n"
        "---- On Wed, 12 Nov 2025 10:05:00 +0400 Paper <o@paper.example> wrote ---\n\nDear Faisal\n"
    )
    assert split_reply(traditional).new == "可以寄到香港嗎？"
    assert split_reply(wechat).new == "瓶子碎了两个。"
    assert split_reply(samsung).new == "充电器没反应。"
    assert split_reply(forward).new == "看下附件。"
    assert split_reply(zoho).new == "Could you quote 200 notebooks?"


def test_long_dashed_lines_do_not_hang_the_splitter():
    """Catastrophic regex backtracking would take hours on this text; linear work takes
    milliseconds. The generous bound only guards against a hang (speed is benchmarked)."""
    text = "Hi\n\n" + ("-" * 900 + " wrote " + "-" * 90 + "\n") * 200 + "> quoted\n"
    result: list[ReplyParts] = []
    worker = threading.Thread(target=lambda: result.append(split_reply(text)), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert result, "split_reply did not finish within a minute"
    assert result[0].new.startswith("Hi")


def test_closing_lexicon_covers_combinations_and_languages():
    closings = [
        "Thanks and regards,", "Kind regards,", "Warm wishes", "Yours faithfully",
        "Yours truly,", "Cheers!", "Greetings from Vienna", "Have a nice day!",
        "Thank you in advance.", "Thanks & best regards", "Best regards / Mit freundlichen Grüßen",
        "Cheers, Tom", "谢谢", "謝謝！", "多谢", "祝好！", "顺祝商祺", "此致 敬礼", "祝工作顺利！",
        "期待您的回复", "期待您的回覆。", "谢谢！祝好", "Cordialement", "Saludos cordiales",
        "Cordiali saluti", "Met vriendelijke groet", "Atenciosamente", "よろしくお願いいたします",
        "감사합니다", "С уважением,",
    ]  # fmt: skip
    content = ["Thanks for nothing, the parcel never came", "Please refund me", "好的，谢谢"]
    assert [c for c in closings if not is_closing(c)] == []
    assert [c for c in content if is_closing(c)] == []


def test_unknown_closings_are_folded_with_the_signature_under_them():
    faithfully = "I want to change my order.\n\nYours faithfully\nMrs. A. Green\n"
    bilingual = (
        "Please cancel.\n\nBest regards / Mit freundlichen Grüßen\nHans Müller\nMüller GmbH\n"
        "Tel: +49 30 1234567\n"
    )
    formal = "请尽快发货。\n\n此致\n敬礼\n\n王明\n电话：13800138000\n"
    assert split_reply(faithfully).new == "I want to change my order."
    assert split_reply(bilingual).new == "Please cancel."
    assert split_reply(formal).new == "请尽快发货。"


def test_eco_footer_is_folded_only_as_a_trailing_block():
    footer = "Please cancel.\n\nThanks\nAnn\n\nPlease consider the environment before printing.\n"
    assert split_reply(footer).new == "Please cancel."


def test_data_the_customer_gives_at_the_end_is_never_folded():
    texts = [
        "快递一直没更新，麻烦查一下。\n\n订单号：2026110212345",
        "快递一直没更新，麻烦查一下。\n谢谢\n订单号：2026110212345",
        "Where is it?\n\nOrder #100234",
        "请寄到以下地址：\n\n张三\n上海市浦东新区张江路100号3栋\n13800138000",
        "Please change the size.\nSize: M\nColour: Black",
        "The item arrived broken.\n\nJohn Smith\nSize: M",
    ]
    assert [t for t in texts if split_reply(t).new != t] == []
