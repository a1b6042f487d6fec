"""Each brand's help-center settings: path, host, languages, colour, logo, contact form."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.commerce import stores
from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.kb.helpcenter.models import HelpCenterSite
from kefu.kb.helpcenter.schemas import SiteIn
from kefu.kit.actor import Actor
from kefu.kit.filestore import FileStore
from kefu.permissions import require

MANAGE = "settings.manage"
LOGO_TYPES = {"image/png": b"\x89PNG", "image/jpeg": b"\xff\xd8\xff", "image/webp": b"RIFF"}
MAX_LOGO_BYTES = 512 * 1024


@dataclass(frozen=True, slots=True)
class SiteView:
    """A site as pages need it, usable after the session closed."""

    store_id: int
    slug: str
    title: str
    host: str | None
    is_enabled: bool
    is_default: bool
    languages: tuple[str, ...]
    primary_color: str
    has_logo: bool
    logo_version: str
    has_contact_form: bool


def site_view(site: HelpCenterSite, store_name: str) -> SiteView:
    return SiteView(
        store_id=site.store_id,
        slug=site.slug,
        title=site.title or store_name,
        host=site.host,
        is_enabled=site.is_enabled,
        is_default=site.is_default,
        languages=tuple(site.languages or ["en"]),
        primary_color=site.primary_color,
        has_logo=bool(site.logo_sha256),
        logo_version=(site.logo_sha256 or "")[:12],
        has_contact_form=site.has_contact_form,
    )


def _view(session: Session, site: HelpCenterSite) -> SiteView:
    return site_view(site, stores.get_store(session, site.store_id).name)


def list_sites(session: Session) -> dict[int, HelpCenterSite]:
    """Every configured site by store id."""
    return {s.store_id: s for s in session.scalars(select(HelpCenterSite))}


def get_site(session: Session, store_id: int) -> HelpCenterSite | None:
    return session.get(HelpCenterSite, store_id)


def public_site(session: Session, *, slug: str) -> SiteView:
    """The enabled site at /help/<slug>; NotFound otherwise (a disabled one is not there)."""
    site = session.scalar(select(HelpCenterSite).where(HelpCenterSite.slug == slug))
    if site is None or not site.is_enabled:
        raise NotFound("no such help center")
    return _view(session, site)


def default_site(session: Session) -> SiteView:
    site = session.scalar(
        select(HelpCenterSite).where(
            HelpCenterSite.is_default.is_(True), HelpCenterSite.is_enabled.is_(True)
        )
    )
    if site is None:
        raise NotFound("no default help center")
    return _view(session, site)


@dataclass(frozen=True, slots=True)
class Directory:
    """Every enabled site, for lookups outside a request's session: host name → slug, and
    store id (None: the default brand) → (slug, languages)."""

    hosts: dict[str, str]
    brands: dict[int | None, tuple[str, tuple[str, ...]]]


def directory(session: Session) -> Directory:
    hosts: dict[str, str] = {}
    brands: dict[int | None, tuple[str, tuple[str, ...]]] = {}
    for site in session.scalars(select(HelpCenterSite).where(HelpCenterSite.is_enabled.is_(True))):
        entry = (site.slug, tuple(site.languages or ["en"]))
        brands[site.store_id] = entry
        if site.is_default:
            brands[None] = entry
        if site.host:
            hosts[site.host] = site.slug
    return Directory(hosts=hosts, brands=brands)


def save_site(session: Session, *, actor: Actor, store_id: int, data: SiteIn) -> HelpCenterSite:
    """Create or change a brand's site; a slug or host another brand uses is a Conflict, and
    making this site the default takes that from any other."""
    require(actor, MANAGE)
    stores.get_store(session, store_id)
    for column, value, what in (
        (HelpCenterSite.slug, data.slug, "path"),
        (HelpCenterSite.host, data.host, "host"),
    ):
        if value is None:
            continue
        other = session.scalar(
            select(HelpCenterSite.store_id).where(
                column == value, HelpCenterSite.store_id != store_id
            )
        )
        if other is not None:
            raise Conflict(f"another brand's help center already uses the {what} {value!r}")
    if data.is_default:  # row by row, so the audit log records each change
        for other in session.scalars(
            select(HelpCenterSite).where(
                HelpCenterSite.store_id != store_id, HelpCenterSite.is_default.is_(True)
            )
        ):
            other.is_default = False
    site = get_site(session, store_id)
    if site is None:
        site = HelpCenterSite(store_id=store_id)
        session.add(site)
    for field, value in data.model_dump().items():
        setattr(site, field, value)
    session.flush()
    return site


def set_logo(
    session: Session,
    *,
    actor: Actor,
    store_id: int,
    files: FileStore,
    data: bytes,
    content_type: str,
) -> HelpCenterSite:
    """Store a PNG, JPEG or WebP logo (SVG is refused: it can carry script)."""
    require(actor, MANAGE)
    site = get_site(session, store_id)
    if site is None:
        raise NotFound("save the help center's settings before adding a logo")
    magic = LOGO_TYPES.get(content_type)
    if magic is None or not data.startswith(magic):
        raise InvalidInput("the logo must be a PNG, JPEG or WebP image")
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidInput(f"the logo is larger than {MAX_LOGO_BYTES // 1024} KB")
    stored = files.put(data)
    site.logo_sha256 = stored.sha256
    site.logo_type = content_type
    session.flush()
    return site


def remove_logo(session: Session, *, actor: Actor, store_id: int) -> None:
    require(actor, MANAGE)
    site = get_site(session, store_id)
    if site is not None:
        site.logo_sha256 = None
        site.logo_type = ""
        session.flush()


def logo_of(session: Session, *, slug: str) -> tuple[str, str]:
    """(sha256, content type) of an enabled site's logo; NotFound when it has none."""
    site = session.scalar(select(HelpCenterSite).where(HelpCenterSite.slug == slug))
    if site is None or not site.is_enabled or not site.logo_sha256:
        raise NotFound("no logo")
    return site.logo_sha256, site.logo_type
