"""Signatures and sign-offs at the end of a customer's text ("Thanks,\nJohn", "发自我的iPhone")."""

from __future__ import annotations

import re
from functools import lru_cache

from kefu.channels.email.quotes_closing import (
    is_closing,
    is_customer_data,
    is_footer,
    is_key_value,
)

# "-- " (RFC 3676), "--", "—", "__": everything below is the signature.
SIG_DELIMITER = re.compile(r"^\s*(-{2,19}|—{1,4}|_{2,19})\s*$")
DASH_NAME = re.compile(r"^\s*[-–—~]{1,2}\s*[A-Z][\w.'-]*(\s+[A-Z][\w.'-]*){0,2}\s*$")

# A phone or web client's own line: "Sent from my iPhone", "发自我的小米手机", "Get Outlook for iOS"
MOBILE = re.compile(
    r"^\s*("
    r"sent (from|via|with|using) \S.{0,60}"
    r"|sent from my .{1,60}"
    r"|get (outlook|the \w+ app) for .{1,30}"
    r"|(envoyé|enviado|gesendet|inviato) (de|desde|von|da) .{1,40}"
    r"|(发自|發自|来自|來自|寄自|傳送自|传送自|发送自|發送自|從|从)\s*(我的|我嘅)?\s*\S.{0,30}"
    r"|获取\s*outlook\s*for .{1,40}"
    r"|(iphone|android|huawei|samsung)\s*(发送|傳送|寄出)"
    r")\s*$",
    re.IGNORECASE,
)
MOBILE_HINT = re.compile(
    r"iphone|ipad|android|mobile|phone|outlook|mail|gmail|yahoo|samsung|galaxy|huawei|xiaomi|"
    r"oppo|vivo|honor|oneplus|pixel|wechat|dingtalk|手机|手機|邮箱|郵箱|邮件|郵件|客户端|客戶端|大师|"
    r"网易|QQ|荣耀|华为|華為|小米|魅族|微信|钉钉|釘釘|飞书|飛書",
    re.IGNORECASE,
)

SURNAMES = set(
    "张王李赵刘陈杨黄吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤欧阳司上官诸葛"
)
COMPOUND_SURNAMES = {"欧阳", "司马", "上官", "诸葛", "东方", "慕容", "令狐", "皇甫", "尉迟", "公孙"}
NAME_TOKEN = re.compile(r"^[-–~]?[A-Z][a-z'’-]+,?$|^[A-Z]\.?$|^[A-Z][a-z]+-[A-Z][a-z]+$")
NOT_NAMES = {
    "yes", "no", "ok", "okay", "please", "urgent", "help", "sorry", "hi", "hello", "thanks",
    "asap", "regards", "cheers", "best", "sure", "great", "done", "nope", "yep", "lol", "bye",
}  # fmt: skip
CONTACT_LABEL = re.compile(
    r"^(tel|phone|mobile|cell|fax|wechat|电话|電話|手机|手機|微信|地址|email|e-mail|邮箱|郵箱)\s*[:：]",
    re.IGNORECASE,
)
# A phone number: digits with separators, or up to 12 digits in a row; not glued to letters
# (a tracking number "SF1234567890") and not a long bare run (an order number).
PHONE = re.compile(r"(?<![\w#])\+?\d[\d\s().*-]{6,}\d(?!\w)")
EMAIL_OR_WEB = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|https?://|www\.")
# A Chinese postal address line: "上海市浦东新区张江路100号3栋".
POSTAL_ZH = re.compile(
    r"(省|市|区|區|县|縣|镇|鎮|路|街|道|巷|弄).{0,20}\d+\s*(号|號|栋|棟|室|楼|樓|层|層)"
)
COMPANY_ZH = re.compile(r"(公司|集团|集團|商行|工作室|事务所|事務所|股份)$")
TITLE_SEPARATOR = re.compile(r"\s*(\||,|–|—| - |/)\s*")
# A postal address line: "200 King St W, Toronto, ON M5H 3T4", "Unit 4, Riverside Park, Leeds".
POSTAL = re.compile(
    r"^(unit|flat|suite|room|floor|no\.?|\d+[a-z]?)\b[^.!?。？！]*,[^.!?。？！]*$", re.IGNORECASE
)
COMPANY_END = re.compile(r"\b(ltd|inc|co|corp|llc|plc|gmbh|s\.r\.o|pty|bv|ag|sa)\.$", re.IGNORECASE)
# A legal notice under the signature: "This email and any attachments are confidential …".
DISCLAIMER = re.compile(
    r"confidential|privileged|intended (solely |only )?for|intended recipient|unauthori[sz]ed|"
    r"disclaimer|if you (are not|have received)|notify the sender|"
    r"delete (this|the) (e-?mail|message)|"
    r"保密|机密|機密|错收|誤收|误收|免责|免責|仅限于|僅限於|通知发件人|通知發件人|删除本邮件|刪除本郵件",
    re.IGNORECASE,
)


def is_mobile_signature(line: str) -> bool:
    return bool(MOBILE.match(line)) and bool(MOBILE_HINT.search(line)) and len(line.strip()) <= 70


def is_chinese_name(line: str) -> bool:
    """ "张三", "王小明", "李先生", "—— 刘女士", "客户 陈"-like short name lines."""
    name = line.strip().lstrip("-—–~ ").strip()
    bare = re.sub(r"(先生|女士|小姐)$", "", name)
    if bare != name and len(bare) == 1:
        return bare in SURNAMES
    name = bare
    if not name or not all("\u4e00" <= c <= "\u9fff" for c in name):
        return False
    if name[:2] in COMPOUND_SURNAMES:
        return 3 <= len(name) <= 4
    return 2 <= len(name) <= 3 and name[0] in SURNAMES


def is_name(line: str) -> bool:
    """A bare name line: "John", "Jim P. Smith", "-mrmister", "张三"."""
    stripped = line.strip()
    if is_chinese_name(stripped):
        return True
    tokens = stripped.split()
    if not 1 <= len(tokens) <= 3 or stripped.lower().strip("-~ .,!") in NOT_NAMES:
        return False
    return all(NAME_TOKEN.match(token) for token in tokens) or bool(DASH_NAME.match(stripped))


@lru_cache(maxsize=4096)  # a split asks about the same last lines several times
def is_signature_line(line: str, *, signed: bool = False) -> bool:
    """A line that can sit in a signature block under a name: title, company, phone, site.

    Data the customer gives (order and tracking numbers, amounts) never is. Labelled values
    ("颜色：黑色") and postal addresses are only when the block is clearly a signature
    (`signed`: under a closing, or beside a phone, an e-mail address or a company line).
    """
    stripped = line.strip()
    if not stripped:
        return True
    if len(stripped) > 60 or stripped.endswith(("?", "？")) or is_customer_data(stripped):
        return False
    if is_name(stripped) or is_mobile_signature(stripped) or is_closing(stripped):
        return True
    if is_contact(stripped):
        return True
    if is_key_value(stripped) or POSTAL.match(stripped) or POSTAL_ZH.search(stripped):
        return signed
    if "|" in stripped:
        return True
    if re.search(r"[\u4e00-\u9fff]", stripped):
        return len(stripped) <= 25 and not stripped.endswith(("。", "？", "?", "：", ":"))
    words = stripped.split()
    # A title or a company: few words, capitalised, no sentence punctuation at the end.
    sentence = stripped.endswith(".") and len(words) > 3 and not COMPANY_END.search(stripped)
    if stripped.endswith(("!", ":")) or sentence:
        return False
    return len(words) <= 6 and stripped[0].isupper()


def is_contact(line: str) -> bool:
    """An address, a phone number or a web site: what a signature's last lines hold."""
    stripped = line.strip()
    if is_customer_data(stripped):
        return False
    if EMAIL_OR_WEB.search(stripped) or CONTACT_LABEL.match(stripped):
        return True
    return any(
        len(re.sub(r"\D", "", m)) <= 15 and not re.search(r"\d{13}", m)
        for m in PHONE.findall(stripped)
    )


def is_clearly_signed(lines: list[str]) -> bool:
    """A block with a phone, an e-mail address, a web site or a company line in it."""
    for line in lines:
        stripped = line.strip()
        if is_contact(stripped) or COMPANY_END.search(stripped) or COMPANY_ZH.search(stripped):
            return True
    return False


def is_signature_block(lines: list[str]) -> bool:
    """ "Jim Smith | Enrollment Manager\nXYZ Corp": a name with a title, then short lines."""
    content = [line for line in lines if line.strip()]
    if not 1 <= len(content) <= 5:
        return False
    first = TITLE_SEPARATOR.split(content[0].strip(), maxsplit=1)[0]
    if not is_name(first) or (first.strip() == content[0].strip() and len(content) == 1):
        return False
    if len(first.split()) < 2 and not is_chinese_name(first):
        return False
    signed = is_clearly_signed(content)
    return all(is_signature_line(line, signed=signed) for line in content[1:])


def split_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    """Split the end of what the customer wrote into (new, signature) lines.

    Only the end is looked at: a closing or a name in the middle of the message stays.
    Folding never leaves the message empty unless it was only a signature ("--\\nJohn").
    """
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    body = lines[:end]
    cut = _strip_footers(body)
    # "-- " delimiter anywhere in the last lines: all below is signature.
    for index, line in enumerate(body[:cut]):
        if SIG_DELIMITER.match(line) and cut - index <= 12:
            cut = index
            break
    # Phone/webmail lines at the very end ("Sent from my iPhone").
    while True:
        last = cut
        while last and not body[last - 1].strip():
            last -= 1
        if not (last and is_mobile_signature(body[last - 1])):
            break
        cut = last - 1
    cut = _strip_sign_off(body, cut)
    while cut and not body[cut - 1].strip():
        cut -= 1
    if (
        cut == 0
        and not any(SIG_DELIMITER.match(line) for line in body)
        and not all(is_mobile_signature(line) for line in body if line.strip())
    ):
        return lines, []
    return body[:cut], body[cut:]


def _strip_footers(body: list[str]) -> int:
    """Where the trailing legal notices and eco/print footers start (len(body) when none)."""
    cut = len(body)
    while True:
        end = cut
        while end and not body[end - 1].strip():
            end -= 1
        start = end
        while start and body[start - 1].strip():
            start -= 1
        paragraph = " ".join(line.strip() for line in body[start:end])
        hits = {m.group(0).lower() for m in DISCLAIMER.finditer(paragraph)}
        legal = len(paragraph) >= 40 and len(hits) >= 2
        if not start or not (legal or is_footer(paragraph)):
            return cut
        cut = start


def _strip_sign_off(body: list[str], cut: int) -> int:
    """Move `cut` up over "Thanks,\\nJohn", "Best regards\\n\\nTim Tommy\\nCEO", "谢谢！\\n张三"."""
    end = cut
    while end and not body[end - 1].strip():
        end -= 1
    if not end:
        return cut
    # A closing line in the final block, followed only by name or signature lines.
    for index in range(end - 1, max(-1, end - 9), -1):
        line = body[index]
        if is_closing(line):
            while index and is_closing(body[index - 1]):
                index -= 1  # "此致\n敬礼", "Thanks again,\nBest,"
            tail = body[index + 1 : end]
            if not all(is_signature_line(t, signed=True) for t in tail):
                break
            if any(b.strip() for b in body[:index]):
                return index
            return index + 1 if tail else cut
        if not is_signature_line(line, signed=True):
            break
    # A bare name or a name-and-title block as the last paragraph.
    start = end
    while start and body[start - 1].strip():
        start -= 1
    paragraph = body[start:end]
    above = [b.strip() for b in body[:start] if b.strip()]
    # "Please send it to:\n\nMark Thompson\n…": what a colon introduces is content.
    has_text_before = bool(above) and not above[-1].endswith((":", "："))
    contact_only = all(is_contact(line) and len(line.split()) <= 4 for line in paragraph)
    if has_text_before and (
        (len(paragraph) == 1 and is_name(paragraph[0]))
        or is_signature_block(paragraph)
        or contact_only
    ):
        return _strip_sign_off(body, start) if contact_only else start
    if has_text_before and _is_nick_with_contact(paragraph):
        return start
    # A name (and title lines) right under the last sentence: "...send a new one.\nJohn".
    for index in range(end - 1, max(0, end - 4), -1):
        if is_name(body[index]) and body[index - 1].rstrip().endswith(SENTENCE_END):
            tail = body[index + 1 : end]
            if not tail or (is_chinese_name(body[index]) and all(map(is_title, tail))):
                return index
    return cut


SENTENCE_END = (".", "!", "?", "。", "！", "？", "~", ")")


def is_title(line: str) -> bool:
    """A short job title or company line under a name: "采购专员", "Head of Sales"."""
    stripped = line.strip()
    return 0 < len(stripped) <= 20 and not re.search(r"[\d.,!?，。！？：:]", stripped)


def _is_nick_with_contact(paragraph: list[str]) -> bool:
    """ "小雨\n88776655@qq.com": a nickname line over contact lines only."""
    if len(paragraph) < 2:
        return False
    nick = paragraph[0].strip()
    short = is_name(nick) or bool(re.fullmatch(r"[\u4e00-\u9fff]{1,4}", nick))
    return short and all(is_contact(line) and len(line.split()) <= 4 for line in paragraph[1:])
