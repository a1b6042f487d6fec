"""The survey mails' words, in the customer's language (English or Simplified Chinese)."""

from __future__ import annotations

CSAT = {
    "en": {
        "greeting": "Hello {name},",
        "ask": 'How would you rate the help you received with "{subject}"?',
        "good": "Good",
        "bad": "Bad",
        "score": "{score} of 5",
        "expires": "The links work for {days} days. You can change your answer later.",
    },
    "zh": {
        "greeting": "{name}，您好：",
        "ask": "您对“{subject}”这次服务满意吗？",
        "good": "满意",
        "bad": "不满意",
        "score": "{score} 分（满分 5 分）",
        "expires": "链接 {days} 天内有效，之后也可以修改您的评价。",
    },
}
NPS = {
    "en": {
        "subject": "How likely are you to recommend {store}?",
        "greeting": "Hello {name},",
        "ask": "On a scale of 0 to 10, how likely are you to recommend {store} to a friend?",
        "low": "0 = not at all likely, 10 = extremely likely",
        "unsubscribe": "To stop receiving these emails: {url}",
    },
    "zh": {
        "subject": "您会向朋友推荐{store}吗？",
        "greeting": "{name}，您好：",
        "ask": "从 0 到 10 分，您有多大可能向朋友推荐{store}？",
        "low": "0 = 完全不可能，10 = 非常可能",
        "unsubscribe": "如不想再收到此类邮件：{url}",
    },
}
NAME_FALLBACK = {"en": "there", "zh": "顾客"}


def lang(language: str | None) -> str:
    return "zh" if (language or "").lower().startswith("zh") else "en"


def csat_body(*, language: str, name: str, subject: str, links: dict[str, str], days: int) -> str:
    words = CSAT[lang(language)]
    lines = [words["greeting"].format(name=name or NAME_FALLBACK[lang(language)]), ""]
    lines += [words["ask"].format(subject=subject), ""]
    for choice, url in links.items():
        label = words[choice] if choice in ("good", "bad") else words["score"].format(score=choice)
        lines.append(f"{label}: {url}")
    lines += ["", words["expires"].format(days=days)]
    return "\n".join(lines)


def nps_mail(
    *, language: str, name: str, store: str, links: list[str], unsubscribe: str
) -> tuple[str, str]:
    words = NPS[lang(language)]
    lines = [words["greeting"].format(name=name or NAME_FALLBACK[lang(language)]), ""]
    lines += [words["ask"].format(store=store), words["low"], ""]
    lines += [f"{score}: {url}" for score, url in enumerate(links)]
    if unsubscribe:
        lines += ["", "-- ", words["unsubscribe"].format(url=unsubscribe)]
    return words["subject"].format(store=store), "\n".join(lines)
