"""Language, sentiment and urgency of a customer message (English and Chinese).

Language is counted from the characters; urgency from phrases that mean a threat (legal
action, a chargeback, a bad review, a complaint to an authority) or anger; sentiment from
the shipped model (kefu.ai.sentiment)."""

import re
from dataclasses import dataclass, field

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_LETTER = re.compile(r"[^\W\d_]")
_ENGLISH_WORDS = re.compile(
    r"\b(the|a|an|i|you|my|is|are|was|to|of|and|it|for|on|in|me|not|can|have|please|"
    r"what|where|when|how|why|order|do|this|that|with)\b",
    re.IGNORECASE,
)

# (reason, pattern): each reason is one kind of threat or escalation
THREATS = (
    ("legal", re.compile(
        r"\b(lawyers?|attorneys?|solicitors?|sue|suing|lawsuit|legal action|court|"
        r"small claims|trading standards|consumer protection|ftc|bbb)\b"
        r"|律师|起诉|法院|诉讼|法律途径|打官司|消协|消费者协会|12315|工商局|市场监管",
        re.IGNORECASE)),
    ("chargeback", re.compile(
        r"\b(chargebacks?|charge ?back|dispute (the|this|a) (charge|payment|transaction)|"
        r"call my bank|contact my bank|report .{0,20}to (my|the) bank|paypal (claim|dispute))\b"
        r"|拒付|申请退单|找银行|信用卡争议|银行投诉", re.IGNORECASE)),
    ("bad_review", re.compile(
        r"\b(one[- ]star|1[- ]star|bad review|negative review|leave a review everywhere|"
        r"post (it|this) (on|online)|social media|twitter|trustpilot|expose you)\b"
        r"|差评|曝光|发微博|小红书|抖音|黑猫投诉|媒体", re.IGNORECASE)),
    ("complaint_threat", re.compile(
        r"\b(formal complaint|report you|file a complaint|escalate)\b|投诉|举报",
        re.IGNORECASE)),
)  # fmt: skip
ANGER = re.compile(
    r"\b(furious|outraged|angry|livid|disgusted|unacceptable|ridiculous|scam|fraud|"
    r"worst|useless|pathetic|rip[- ]?off|fed up|sick of)\b"
    r"|气死|太差|垃圾|骗子|欺诈|坑人|无语|恶心|忍无可忍|什么破|太过分|受够",
    re.IGNORECASE,
)


def detect_language(text: str) -> str:
    """ "zh" when Chinese characters make up a fair share of the letters, "en" for Latin
    text with common English words, "other" otherwise (too short, other scripts)."""
    letters = len(_LETTER.findall(text))
    if not letters:
        return "other"
    han = len(_HAN.findall(text))
    if han and han / letters >= 0.2:
        return "zh"
    latin = len(_LATIN.findall(text))
    if latin / letters >= 0.8 and (_ENGLISH_WORDS.search(text) or latin < 12):
        return "en"
    return "other"


@dataclass(frozen=True)
class Urgency:
    level: str  # "high" on a threat, "elevated" on anger alone, "normal" otherwise
    reasons: tuple[str, ...] = field(default=())


def detect_urgency(text: str, *, sentiment: str | None = None) -> Urgency:
    reasons = [name for name, pattern in THREATS if pattern.search(text)]
    if ANGER.search(text) or _shouting(text):
        reasons.append("angry")
    if any(r != "angry" for r in reasons):
        return Urgency("high", tuple(reasons))
    if reasons or (sentiment == "negative" and _HAS_EXCLAMATION.search(text)):
        return Urgency("elevated", tuple(reasons or ["angry"]))
    return Urgency("normal")


_HAS_EXCLAMATION = re.compile(r"[!！]{2,}")


def _shouting(text: str) -> bool:
    words = re.findall(r"[A-Za-z]{3,}", text)
    return len(words) >= 3 and sum(w.isupper() for w in words) / len(words) >= 0.6
