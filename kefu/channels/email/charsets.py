"""Turning mail bytes into text: charset labels as mail clients really use them, RFC 2047
encoded words, and a guess when the label is missing or wrong."""

from __future__ import annotations

import binascii
import codecs
import re
from functools import lru_cache

# Labels that lie in practice: Chinese clients label GBK (and GB18030) text "gb2312", and
# Big5 text from Hong Kong holds HKSCS characters. Decode with the superset.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "euc-cn": "gb18030",
    "euccn": "gb18030",
    "x-euc-cn": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "csgb2312": "gb18030",
    "chinese": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "big-5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "csbig5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "cp950": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso_8859-1": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
    "ansi_x3.4-1968": "ascii",
}
# Codecs that are not text charsets, or that turn mail into something else.
_REFUSED = {"undefined", "unicode-escape", "raw-unicode-escape", "punycode", "idna", "mbcs"}
_ASCII_NAMES = {"ascii", "us-ascii", "us_ascii", "646"}
_ENCODED_WORD = re.compile(r"=\?([^?\s]*)\?([qQbB])\?([^?]*)\?=")
_FOLD = re.compile(r"\r?\n(?=[ \t])|\r(?=[ \t])")
_SPACES_BETWEEN_WORDS = re.compile(r"(\?=)[ \t\r\n]+(?==\?)")


@lru_cache(maxsize=256)
def codec_for(label: str | None) -> str | None:
    """The Python codec to decode `label` with, or None when it is unknown or refused."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if "*" in name:  # RFC 2231 language suffix: "utf-8*en"
        name = name.split("*", 1)[0]
    name = _SUPERSETS.get(name, name)
    if name in _ASCII_NAMES:
        return "ascii"
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _REFUSED:
        return None
    return _SUPERSETS.get(info.name.replace("_", "-"), info.name)


# The most frequent Chinese characters (simplified and traditional) and shop words: a
# right decoding of a short text hits many, a GBK/Big5 mix-up hits almost none.
_COMMON_HANZI = frozenset(
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对"
    "可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同"
    "三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定"
    "女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化"
    "由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应"
    "路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许"
    "这來國個說們為時會著過學對裡後麼沒於還發當無開見經頭動兩長樣現將與進實點種聲話兒情問機給幾業間"
    "電門東聽氣關內卻軍產萬體別處總場師書員華報馬張難數車應親記邊風戰許覺題統請愛讓認論義術結變聯權"
    "該領傳紅決週達辦區轉眾輕語滿寫識斷線您订单訂單货貨退款收寄包裹谢謝问题問題买買卖賣递遞物流号號码"
    "碼客服尺颜顏色换換请钱錢价價格快查吗嗎呢吧已经經谢谢帮幫忙送到件衣服鞋码质質量坏壞破损損"
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵钱严"
    "張劉陳楊黃趙吳孫鄭羅謝韓馮鄧蕭葉蘇呂盧鍾譚陸範賈韋鄒閆龍賀顧龔錢嚴湯芳娜敏静靜丽麗强強磊军洋"
    "勇艳豔杰傑娟涛濤明超秀霞平刚剛桂英华蓉婷"
)


def _hanzi_score(data: bytes, codec: str) -> int:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return -1
    return sum(1 for char in text if char in _COMMON_HANZI)


def guess_codec(data: bytes) -> str | None:
    """A codec for `data` from its bytes alone: utf-8 when it decodes cleanly; for short
    texts, which statistics cannot judge, GBK or Big5 by how many common characters each
    gives, else Windows-1252 for Latin text; otherwise what charset-normalizer finds."""
    if data.isascii():
        return "ascii"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    if len(data) <= 400:
        gbk, big5 = _hanzi_score(data, "gb18030"), _hanzi_score(data, "big5hkscs")
        if max(gbk, big5) > 0:
            return "gb18030" if gbk >= big5 else "big5hkscs"
        try:
            latin = data.decode("cp1252")
        except UnicodeDecodeError:
            pass
        else:
            accented = [char for char in latin if not char.isascii()]
            if len(accented) * 3 <= len(latin) and all("\xc0" <= c <= "\xff" for c in accented):
                return "cp1252"
    from charset_normalizer import from_bytes  # lazy: only mislabelled mail pays its import

    has_nul = b"\0" in data
    for match in from_bytes(data[:65536]):
        # UTF-16/32 "fits" any even-length bytes; real UTF-16 mail text is full of NULs
        if match.encoding.startswith(("utf_16", "utf_32")) and not has_nul:
            continue
        return codec_for(match.encoding)
    return "cp1252"


def decode_bytes(
    data: bytes, label: str | None, *, hint: str | None = None
) -> tuple[str, str, str | None]:
    """Decode a body or header: the text, the codec used, and a defect ("charset_guessed:
    gb18030 (declared x-unknown)") when the declared charset was missing, unknown or wrong.
    `hint` is the codec the rest of the mail turned out to use: short texts (a subject, a
    name) are too short to guess from reliably."""
    declared = codec_for(label)
    if declared is not None:
        if data.isascii() and declared in ("ascii", "utf-8", "cp1252"):
            return data.decode("ascii"), "ascii", None
        if declared != "utf-8" and not data.isascii() and _is_utf8(data):
            return data.decode("utf-8"), "utf-8", _guessed("utf-8", label)
        try:
            return data.decode(declared), declared, None
        except Exception:  # noqa: S110 - a failing codec means a wrong label
            pass
    elif data.isascii():
        return data.decode("ascii"), "ascii", (_guessed("ascii", label) if label else None)
    for guessed in ("utf-8", hint, None):
        if guessed is None:
            try:
                guessed = guess_codec(data)
            except Exception:  # detection is best effort
                guessed = None
        if guessed and guessed != declared:
            try:
                return data.decode(guessed), guessed, _guessed(guessed, label)
            except (UnicodeDecodeError, LookupError):
                pass
    fallback = declared or "utf-8"
    return data.decode(fallback, "replace"), fallback, f"charset_undecodable: {label or 'none'}"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _guessed(codec: str, label: str | None) -> str:
    if not label:
        return f"charset_guessed: {codec}"
    return f"charset_guessed: {codec} (declared {label.strip()[:40]})"


def has_surrogates(value: str) -> bool:
    """True when a header read by the email package held raw 8-bit bytes."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def raw_header_text(value: str, *, hint: str | None = None) -> tuple[str, str | None]:
    """A header value as the parser gave it (8-bit bytes kept as surrogates) as real text."""
    if not has_surrogates(value):
        return value, None
    data = value.encode("ascii", "surrogateescape")
    text, _codec, defect = decode_bytes(data, None, hint=hint)
    return text, (defect and defect.replace("charset_guessed", "header_charset_guessed"))


def unfold(value: str) -> str:
    return _FOLD.sub("", value) if ("\n" in value or "\r" in value) else value


def decode_words(value: str, *, hint: str | None = None) -> str:
    """Decode RFC 2047 encoded words anywhere in `value` (also inside quotes, as Chinese
    clients write them). Adjacent words of one charset are joined before decoding, so a
    character split across two words survives."""
    if "=?" not in value:
        return value
    value = _SPACES_BETWEEN_WORDS.sub(r"\1", value)
    out: list[str] = []
    pending = b""
    pending_label: str | None = None
    position = 0
    for match in _ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        label, kind, payload = match.groups()
        if between or label.lower() != (pending_label or "").lower():
            if pending:
                out.append(_decode_word_bytes(pending, pending_label, hint))
                pending = b""
            out.append(between)
        pending += _word_bytes(kind, payload)
        pending_label = label
        position = match.end()
    if pending:
        out.append(_decode_word_bytes(pending, pending_label, hint))
    out.append(value[position:])
    return "".join(out)


def _word_bytes(kind: str, payload: str) -> bytes:
    if kind in "bB":
        data = payload.encode("ascii", "ignore")
        data = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
        data = data[: len(data) - len(data) % 4 if len(data) % 4 == 1 else len(data)]
        try:
            return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
        except binascii.Error:
            return b""
    data = payload.replace("_", " ").encode("ascii", "ignore")
    return binascii.a2b_qp(data)


def _decode_word_bytes(data: bytes, label: str | None, hint: str | None) -> str:
    return decode_bytes(data, (label or "").split("*", 1)[0], hint=hint)[0]
