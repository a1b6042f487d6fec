"""What a manager sets up before rostering: shift templates, labour rules and each agent's
work profile."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.workforce.scheduling.models import LabourRules, ShiftTemplate, WorkProfile
from kefu.workforce.scheduling.queues import queues_by_id
from kefu.workforce.scheduling.schemas import LabourRulesIn, ShiftTemplateIn, WorkProfileIn

MANAGE = "workforce.manage"


def list_templates(session: Session, *, active_only: bool = False) -> list[ShiftTemplate]:
    statement = select(ShiftTemplate).order_by(ShiftTemplate.name)
    if active_only:
        statement = statement.where(ShiftTemplate.is_active.is_(True))
    return list(session.scalars(statement))


def get_template(session: Session, template_id: int) -> ShiftTemplate:
    template = session.get(ShiftTemplate, template_id)
    if template is None:
        raise NotFound(_("no such shift template"))
    return template


def _unique_name(session: Session, model: type, name: str, own_id: int | None) -> None:
    clash = session.scalar(select(model).where(model.name == name))  # type: ignore[attr-defined]
    if clash is not None and clash.id != own_id:
        raise Conflict(_("“%(name)s” is already taken", name=name))


def save_template(
    session: Session, *, actor: Actor, data: ShiftTemplateIn, template_id: int | None = None
) -> ShiftTemplate:
    """Create a template, or replace one's settings (shifts already placed keep theirs)."""
    require(actor, MANAGE)
    template = ShiftTemplate() if template_id is None else get_template(session, template_id)
    _unique_name(session, ShiftTemplate, data.name, template_id)
    template.name = data.name
    template.start_minutes = list(data.start_minutes)
    template.length_minutes = data.length_minutes
    template.breaks = [b.model_dump(mode="json") for b in data.breaks]
    template.weekdays = list(data.weekdays)
    template.is_active = data.is_active
    session.add(template)
    session.flush()
    return template


def delete_template(session: Session, *, actor: Actor, template_id: int) -> None:
    require(actor, MANAGE)
    session.delete(get_template(session, template_id))
    session.flush()


def list_rules(session: Session) -> list[LabourRules]:
    return list(session.scalars(select(LabourRules).order_by(LabourRules.name)))


def get_rules(session: Session, rules_id: int) -> LabourRules:
    rules = session.get(LabourRules, rules_id)
    if rules is None:
        raise NotFound(_("no such set of labour rules"))
    return rules


def default_rules(session: Session) -> LabourRules | None:
    return session.scalar(select(LabourRules).order_by(LabourRules.id).limit(1))


def save_rules(
    session: Session, *, actor: Actor, data: LabourRulesIn, rules_id: int | None = None
) -> LabourRules:
    require(actor, MANAGE)
    rules = LabourRules() if rules_id is None else get_rules(session, rules_id)
    _unique_name(session, LabourRules, data.name, rules_id)
    for field, value in data.model_dump().items():
        setattr(rules, field, value)
    session.add(rules)
    session.flush()
    return rules


def work_profiles(session: Session) -> dict[int, WorkProfile]:
    return {p.agent_id: p for p in session.scalars(select(WorkProfile))}


def work_profile(session: Session, agent_id: int) -> WorkProfile | None:
    return session.get(WorkProfile, agent_id)


def save_work_profile(
    session: Session, *, actor: Actor, agent_id: int, data: WorkProfileIn
) -> WorkProfile:
    """Set how an agent may be scheduled; templates must exist."""
    require(actor, MANAGE)
    accounts.get_agent(session, agent_id)
    missing_queues = set(data.queue_ids) - set(queues_by_id(session, data.queue_ids))
    if missing_queues:
        raise InvalidInput(_("queue %(id)s does not exist", id=min(missing_queues)))
    known = {t.id for t in list_templates(session)}
    unknown = set(data.preferred_template_ids + data.forbidden_template_ids) - known
    if unknown:
        raise InvalidInput(_("shift template %(id)s does not exist", id=min(unknown)))
    profile = session.get(WorkProfile, agent_id) or WorkProfile(agent_id=agent_id)
    profile.queue_ids = sorted(set(data.queue_ids))
    profile.min_hours_week = data.min_hours_week
    profile.max_hours_week = data.max_hours_week
    profile.availability = [a.model_dump() for a in data.availability]
    profile.preferred_template_ids = sorted(set(data.preferred_template_ids))
    profile.forbidden_template_ids = sorted(set(data.forbidden_template_ids))
    profile.preferred_days_off = list(data.preferred_days_off)
    profile.forbidden_days = list(data.forbidden_days)
    profile.is_scheduled = data.is_scheduled
    session.add(profile)
    session.flush()
    return profile
