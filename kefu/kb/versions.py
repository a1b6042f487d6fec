"""An article's versions: the list, a readable line diff between two, and restoring one (which
is itself a new version, so nothing is ever lost)."""

import difflib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.errors import NotFound
from kefu.kb.articles import get_article, update_article
from kefu.kb.models import KbArticle, KbArticleVersion
from kefu.kb.schemas import ArticleUpdate
from kefu.kit.actor import Actor

RESTORED = "restored:"  # a version's note when it put version N back: "restored:N"


@dataclass(frozen=True, slots=True)
class DiffLine:
    """One line of a unified diff: `kind` is "same", "added", "removed" or "gap" (a skipped
    stretch of unchanged lines). Templates escape `text`; it is never marked safe."""

    kind: str
    text: str
    old_number: int | None = None
    new_number: int | None = None


@dataclass(frozen=True, slots=True)
class VersionDiff:
    old: KbArticleVersion
    new: KbArticleVersion
    title_changed: bool
    lines: list[DiffLine]

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.kind == "added")

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.kind == "removed")


def list_versions(session: Session, *, article_id: int) -> list[KbArticleVersion]:
    """Newest first."""
    get_article(session, article_id)
    return list(
        session.scalars(
            select(KbArticleVersion)
            .where(KbArticleVersion.article_id == article_id)
            .order_by(KbArticleVersion.number.desc())
        )
    )


def get_version(session: Session, *, article_id: int, number: int) -> KbArticleVersion:
    version = session.scalars(
        select(KbArticleVersion).where(
            KbArticleVersion.article_id == article_id, KbArticleVersion.number == number
        )
    ).first()
    if version is None:
        raise NotFound(f"version {number} of article {article_id} not found")
    return version


def diff_lines(old: str, new: str, *, context: int = 3) -> list[DiffLine]:
    """A unified line diff with line numbers; unchanged stretches longer than the context
    become one "gap" line."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    lines: list[DiffLine] = []
    for group in matcher.get_grouped_opcodes(context):
        if lines or group[0][1] > 0:
            lines.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(
                    DiffLine("same", old_lines[i], i + 1, j + 1)
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                )
                continue
            lines.extend(DiffLine("removed", old_lines[i], i + 1, None) for i in range(i1, i2))
            lines.extend(DiffLine("added", new_lines[j], None, j + 1) for j in range(j1, j2))
    return lines


def diff_versions(session: Session, *, article_id: int, old: int, new: int) -> VersionDiff:
    """What changed from version `old` to version `new` of an article."""
    before = get_version(session, article_id=article_id, number=old)
    after = get_version(session, article_id=article_id, number=new)
    return VersionDiff(
        old=before,
        new=after,
        title_changed=before.title != after.title,
        lines=diff_lines(before.body, after.body),
    )


def restore_version(session: Session, *, actor: Actor, article_id: int, number: int) -> KbArticle:
    """Put an earlier version's title and text back, as a new version noting where it came
    from (the same permission as editing)."""
    version = get_version(session, article_id=article_id, number=number)
    return update_article(
        session,
        actor=actor,
        article_id=article_id,
        data=ArticleUpdate(title=version.title, body=version.body, note=f"{RESTORED}{number}"),
    )
