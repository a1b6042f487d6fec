"""The admin areas the Settings page lists, grouped, each shown to the roles that manage it."""

from dataclasses import dataclass

from kefu.kit.actor import Actor
from kefu.kit.i18n import N_
from kefu.permissions import can


@dataclass(frozen=True, slots=True)
class Section:
    group: str
    label: str
    description: str
    href: str
    permissions: tuple[str, ...]  # any one of them shows the section


GROUPS = (N_("People"), N_("Channels"), N_("Procedures"), N_("Commerce"), N_("Compliance"))

SECTIONS: tuple[Section, ...] = (
    Section(
        GROUPS[0],
        N_("Agents"),
        N_("Invite agents, set their role and language."),
        "/admin/agents",
        ("agents.manage",),
    ),
    Section(
        GROUPS[0],
        N_("Teams"),
        N_("Teams, their members and skills."),
        "/admin/teams",
        ("teams.manage",),
    ),
    Section(
        GROUPS[1],
        N_("Mailboxes"),
        N_("Support addresses: IMAP in, SMTP out, connection tests, failed mail."),
        "/admin/mailboxes",
        ("mailboxes.manage",),
    ),
    Section(
        GROUPS[1],
        N_("Live chat"),
        N_("Chat widgets for the stores: allowed sites, hours, pre-chat form, greeting, snippet."),
        "/admin/chat",
        ("settings.manage",),
    ),
    Section(
        GROUPS[1],
        N_("Help center"),
        N_("Each brand's public help center: address, logo and colour, languages, contact form."),
        "/admin/helpcenter",
        ("settings.manage",),
    ),
    Section(
        GROUPS[1],
        N_("Help center activity"),
        N_("Views, searches, searches without an answer, deflection and helpful votes."),
        "/admin/helpcenter-activity",
        ("reports.read",),
    ),
    Section(
        GROUPS[2],
        N_("SLAs"),
        N_("Business hours, holidays and the reply and resolution targets tickets are held to."),
        "/admin/sla",
        ("rules.manage",),
    ),
    Section(
        GROUPS[2],
        N_("Macros"),
        N_("Replies and notes written once, with the customer's order and tracking filled in."),
        "/admin/macros",
        ("macros.manage", "macros.use"),
    ),
    Section(
        GROUPS[2],
        N_("Knowledge base"),
        N_("Categories and sections of the articles, in both languages."),
        "/admin/kb/categories",
        ("kb.manage",),
    ),
    Section(
        GROUPS[2],
        N_("Rules"),
        N_("Triggers on events, hourly automations and outgoing webhooks."),
        "/admin/rules",
        ("rules.manage",),
    ),
    Section(
        GROUPS[2],
        N_("Customer feedback"),
        N_("Satisfaction surveys after a solve, NPS campaigns and the feedback report."),
        "/admin/feedback",
        ("rules.manage",),
    ),
    Section(
        GROUPS[3],
        N_("Stores"),
        N_("Shops and brands, their currency, time zone and Shopify or WooCommerce link."),
        "/admin/stores",
        ("settings.manage",),
    ),
    Section(
        GROUPS[3],
        N_("Policies"),
        N_("Return windows, final-sale items and the limits above which a manager approves."),
        "/admin/policies",
        ("orders.approve",),
    ),
    Section(
        GROUPS[3],
        N_("Logistics"),
        N_("Carriers, tracking imports, reconciliation, returns dashboard, follow-ups."),
        "/admin/logistics",
        ("reports.read", "settings.manage", "rules.manage"),
    ),
    Section(
        GROUPS[4],
        N_("Audit log"),
        N_("Who changed what, and when."),
        "/admin/audit",
        ("audit.read",),
    ),
)


def visible_sections(actor: Actor | None) -> list[Section]:
    return [s for s in SECTIONS if any(can(actor, p) for p in s.permissions)]
