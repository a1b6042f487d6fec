"""What ends a customer's mail: closings ("Thanks and regards", "此致 敬礼"), footers, and data.

A closing line is a sequence of closing phrases from the lexicon below, joined by "and", "&",
commas, slashes or bars ("Best regards / Mit freundlichen Grüßen"), optionally ended by a name
("Cheers, Tom"). The lexicon is by language, not by corpus: common formal and informal
closings of English, Chinese (simplified and traditional), German, French, Spanish, Italian,
Dutch, Portuguese, the Nordic languages, Japanese, Korean and Russian.

`is_customer_data` marks lines the customer gives as content (order and tracking numbers,
amounts): they are never part of a signature unless a "--" delimiter says so.
"""

from __future__ import annotations

import re
from functools import lru_cache

_EN_CORE = (
    r"thanks|thank you|thank u|thankyou|thanx|thx|thnx|thks|tks|ty|tia|many thanks|"
    r"big thanks|much appreciated|greatly appreciated|appreciated|appreciate it|"
    r"(i |we )?(really |truly )?appreciate (it|your (help|time|assistance|support))|"
    r"cheers|best|all best|all the best|very best|best regards|best wishes|kind regards|"
    r"kindest regards|warm regards|warmest regards|warm wishes|warmest wishes|kind wishes|"
    r"best wishes|fond regards|many regards|with (kind |best |warm )?regards|regards|rgds|"
    r"br|kr|sincerely|yours sincerely|sincerely yours|faithfully|yours faithfully|"
    r"yours truly|truly yours|very truly yours|yours|yours respectfully|respectfully|"
    r"respectfully yours|cordially|cordially yours|take care|talk soon|speak soon|"
    r"talk to you soon|speak to you soon|see you|see you soon|love|lots of love|with love|"
    r"hugs|xoxo|xx|bye|bye for now|ciao|cya|ttyl|stay safe|stay well|be well|"
    r"god bless|blessings|greetings|season'?s greetings|"
    r"have an? (nice|good|great|lovely|wonderful|pleasant|blessed) "
    r"(day|one|weekend|week|evening|afternoon|morning|night|holiday|holidays)|"
    r"enjoy (your|the) (day|weekend|week|evening)|"
    r"with (many )?thanks|with gratitude|gratefully|with appreciation|best of luck|good luck|"
    r"(i )?(look|looking) forward to (your|hearing|a|the)[\w' ]{0,40}|"
    r"(i )?hope to hear (from you|back)[\w ]{0,20}|"
    r"(i'?m |i am )?(waiting|awaiting|await) (for )?your[\w ]{0,30}"
)
_EN_TAIL = (
    r"so much|very much|a lot|a ton|loads|heaps|again|once again|in advance|so much in advance|"
    r"for (your|the|all|any|everything|this|that|my|our)( [\w'-]+){0,5}|all|guys|team|folks|"
    r"everyone|everybody|mate|you|again in advance|regards|wishes|"
    r"from [A-Z][\w.'-]*( [\w.'-]+){0,3}"
)
EN = re.compile(rf"^(?:{_EN_CORE})(?:\s+(?:{_EN_TAIL}))*$", re.IGNORECASE)
OTHER = re.compile(
    r"^(?:"
    # German
    r"mit freundlichen gr(ü|u|ue)(ß|ss)en|freundliche gr(ü|u|ue)(ß|ss)e|mfg|"
    r"(viele|liebe|beste|herzliche|schöne|sonnige|freundliche) gr(ü|u|ue)(ß|ss)e|lg|vg|"
    r"gr(ü|u|ue)(ß|ss)e|gru(ß|ss)|(vielen |besten |herzlichen )?dank|danke( schön| sehr)?|"
    r"(einen )?schönen tag( noch)?|bis bald|"
    # French
    r"(bien )?cordialement|bien à vous|merci( beaucoup| bien| d'avance| par avance)?|"
    r"(sincères |meilleures |bien sincères )?salutations( distinguées)?|amicalement|"
    r"bonne (journée|soirée|fin de journée|semaine)|à bientôt|bises|"
    r"veuillez agréer.{0,120}|je vous prie d'agréer.{0,120}|"
    # Spanish
    r"(un )?saludos?( cordiales| cordial)?|atentamente|(muchas )?gracias( de antemano)?|"
    r"un abrazo|abrazos|cordialmente|quedo (atento|atenta)[\w ]{0,30}|quedo a la espera[\w ]{0,30}|"
    r"besos|hasta pronto|"
    # Italian
    r"(cordiali |distinti |un )?salut[io]|grazie( mille| in anticipo)?|buona giornata|a presto|"
    # Dutch
    r"met vriendelijke groet(en)?|vriendelijke groet(en)?|(hartelijke )?groet(en|jes)?|"
    r"(alvast )?bedankt|dank (je|u) wel|dank (je|u)|mvg|m\.?vr\.?gr\.?|"
    # Portuguese
    r"atenciosamente|(muito )?(obrigad[oa])|abraços|(um )?abraço|"
    r"(melhores )?cumprimentos|saudações|beijos|"
    # Nordic
    r"med venlig hilsen|venlig hilsen|med vennlig hilsen|vennlig hilsen|"
    r"med vänliga hälsningar|vänliga hälsningar|hälsningar|hilsen|mvh|tak|tack|takk|"
    # Russian
    r"спасибо( большое| заранее)?|заранее спасибо|с уважением|с наилучшими пожеланиями|"
    r"всего (доброго|хорошего|наилучшего)|благодарю|с благодарностью"
    r")(\s+(aus|from|de|desde|da|uit|из)\s+\S.{0,30})?$",
    re.IGNORECASE,
)
CJK = re.compile(
    r"^(?:"
    # Chinese thanks (simplified and traditional)
    r"(非常|十分|万分|萬分|再次|先|提前|预先|預先|先行|真的|衷心)?(谢谢|謝謝|多谢|多謝|感谢|感謝|感恩|谢|謝)"
    r"(您|你|你们|你們|您们|您們|大家|啦|了|哈|呀|啊|喔|哦)?"
    r"(的)?(帮助|幫助|帮忙|幫忙|支持|耐心|回复|回覆|理解|配合|关注|關注|处理|處理|解答|协助|協助)?"
    r"(了)?|"
    r"感谢支持|谢谢配合|谢谢合作|麻烦(您|你|你们)?了|麻煩(您|你|你們)?了|辛苦(您|你|你们|你們)?了|"
    r"辛苦|拜托(了|啦)?|拜託(了|啦)?|有劳了|有勞了|"
    # wishes and formal closings
    r"祝好|祝安|此致|敬礼|敬禮|此致敬礼|此致敬禮|致礼|致禮|"
    r"(顺|順)?(祝|颂|頌)(您|你|你们|你們|大家)?(工作|生活|一切|周末|週末|节日|節日|新年|"
    r"生意|身体|身體|万事|萬事)?(顺利|順利|愉快|快乐|快樂|商祺|时祺|時祺|安好|健康|平安|好运|"
    r"好運|兴隆|興隆|如意|顺心|順心)|"
    r"(期待|盼望|等待|等候)(您|你|你们|你們|您们)?(的)?(早日|尽快|儘快)?(回复|回覆|答复|答覆|回信|"
    r"消息|佳音)|盼复|盼覆|静候佳音|靜候佳音|等(你们|你們|您|你)(的)?(回复|回覆|消息)|"
    # Japanese and Korean
    r"(どうぞ)?(よろしく|宜しく)(お願い)?(します|いたします|致します|申し上げます)?|"
    r"ありがとうございま(す|した)|ありがとう|敬具|草々|"
    r"감사합니다|감사해요|고맙습니다|수고하세요|좋은 하루 되세요|잘 부탁드립니다"
    r")$"
)
SEPARATORS = re.compile(r"\s*(?:\band\b|&|\+|,|，|、|/|\||;|；| - |–|—|!|！|。|\.\s)\s*", re.I)
TRAIL = " \t,.!~:;)）:：。！，、~～…-*"
NAME_AFTER = re.compile(r"^[A-Z][\w'’.-]*(\s[A-Z][\w'’.-]*)?$")


@lru_cache(maxsize=4096)  # sign-off lines repeat, mail after mail and within a split
def is_closing(line: str) -> bool:
    """ "Thanks and regards,", "Yours faithfully", "谢谢！祝好", "Cheers, Tom"."""
    text = " ".join(line.split()).strip(TRAIL + "\u3000")
    if not text or len(text) > 90:
        return False
    if _is_phrase(text):
        return True
    parts = [p for p in SEPARATORS.split(text) if p and p.strip(TRAIL)]
    if len(parts) < 2:
        return False
    parts = [p.strip(TRAIL) for p in parts]
    if all(_is_phrase(p) for p in parts):
        return True
    # a closing then the writer's name on the same line: "Cheers, Tom", "谢谢，小王"
    return all(_is_phrase(p) for p in parts[:-1]) and bool(NAME_AFTER.match(parts[-1]))


def _is_phrase(text: str) -> bool:
    compact = re.sub(r"\s+", "", text) if re.search(r"[\u3040-\u9fff]", text) else text
    return bool(EN.match(text) or OTHER.match(text) or CJK.match(compact))


# Order, tracking and invoice numbers, amounts: what a customer gives us at the end of a mail.
DATA_WORD = re.compile(
    r"订单|訂單|单号|單號|运单|運單|快递|快遞|物流|发票|發票|退款|金额|金額|价格|價格|款号|"
    r"\border\b|\btracking\b|\bparcel\b|\binvoice\b|\breceipt\b|\brefund\b|\bamount\b|\btotal\b|"
    r"\bsku\b|\brma\b|\bcase\b|\bticket\b|\bref(erence)?\b|\btransaction\b|\bawb\b|#\s*\d",
    re.IGNORECASE,
)
AMOUNT = re.compile(r"[$€£¥￥]\s*\d|\d\s*(元|块|塊|usd|eur|gbp|rmb|cny|hkd|aud|cad)\b", re.I)
KEY_VALUE = re.compile(r"^[^:：]{1,30}[:：]\s*\S")
CONTACT_KEY = re.compile(
    r"^(tel|telephone|phone|ph|mobile|mob|cell|fax|m|t|f|e|w|p|email|e-mail|mail|web|website|"
    r"site|wechat|weixin|whatsapp|skype|line|qq|address|addr|office|direct|ext|"
    r"电话|電話|手机|手機|座机|座機|分机|分機|传真|傳真|微信|邮箱|郵箱|电邮|電郵|网址|網址|地址|"
    r"公司|职位|職位|部门|部門)\s*[:：]",
    re.IGNORECASE,
)
URL_OR_TIME = re.compile(r"https?[:：]|\d[:：]\d")


def is_customer_data(line: str) -> bool:
    """ "订单号：2026110212345", "Order #1001", "Tracking: 1Z999…", "Total: $59.90"."""
    stripped = line.strip()
    if AMOUNT.search(stripped):
        return True
    return bool(DATA_WORD.search(stripped)) and bool(re.search(r"\d{3,}|#\s*\d", stripped))


def is_key_value(line: str) -> bool:
    """ "颜色：黑色", "Size: M": a labelled value that is not a contact line of a signature."""
    stripped = line.strip()
    if CONTACT_KEY.match(stripped) or not KEY_VALUE.match(stripped):
        return False
    key = re.split(r"[:：]", stripped, maxsplit=1)[0]
    return not URL_OR_TIME.search(stripped[: len(key) + 2])


# "Please consider the environment before printing this e-mail", "打印前请考虑环保".
ECO = re.compile(
    r"(consider|think (about|of)) the environment|before (you )?print(ing)?|think before (you )?"
    r"print|save (a tree|paper)|go green|printing this (e-?mail|message)|"
    r"(打印|列印)(前|之前)|(爱护|愛護|保护|保護)环境|(爱护|愛護|保护|保護)環境|(节约|節約)(用纸|用紙)|"
    r"bitte (denken|prüfen) sie.{0,40}(umwelt|ausdruck|drucken)|"
    r"pensez à l'environnement|avant d'imprimer",
    re.IGNORECASE,
)


def is_footer(paragraph: str) -> bool:
    """An eco/print footer making up a whole paragraph (short; a sentence or two)."""
    text = " ".join(paragraph.split())
    return 0 < len(text) <= 220 and bool(ECO.search(text))
