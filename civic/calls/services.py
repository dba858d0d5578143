"""Call use cases: create, edit (rules freeze once in use), publish, documents, themes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..core import audit
from ..core.refusals import Conflict, PermissionDenied, Refused
from ..core.time import YEARS_AHEAD, to_rome
from ..core.uploads import store_pdf
from .domain import (
    CallKind,
    TimelineError,
    Window,
    check_new_timeline,
    check_timeline,
    frozen_changes,
    unmoved_kept,
)
from .models import Call, CallArea, CallDocument, CallPhase, CallTheme, Theme
from .permissions import can_manage_calls, can_override_frozen_rules
from .queries import call_in_use, windows_of


class CallRefused(Refused):
    """A call's settings that cannot be: ``field`` names the form field at fault."""


class RulesFrozen(Conflict):
    """The call is in use and the change touches its rules; an admin must override with a reason."""

    def __init__(self, touched: list[str]) -> None:
        super().__init__("rules_frozen", field="override_reason", touched=touched)
        self.touched = touched


@dataclass
class CallData:
    """What staff enter for a call."""

    kind: CallKind
    title_it: str
    title_en: str
    description_it: str = ""
    description_en: str = ""
    theme_ids: list[int] = field(default_factory=list)
    area_budgets: dict[int, int] = field(default_factory=dict)  # area id -> cents
    total_budget_cents: int = 0
    support_threshold: int = 0
    windows: list[Window] = field(default_factory=list)


def load_themes(session: Session, themes: Iterable[tuple[str, str, str, str]]) -> int:
    """Add the city's themes (code, group, Italian and English names) that are missing by
    code; return how many were added."""
    existing = set(session.scalars(select(Theme.code)))
    added = 0
    for code, group, name_it, name_en in themes:
        if code not in existing:
            session.add(Theme(code=code, group=group, name_it=name_it, name_en=name_en))
            added += 1
    session.flush()
    return added


def slugify(text: str) -> str:
    """'Bilancio partecipativo 2026' -> 'bilancio-partecipativo-2026'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:100] or "bando"


def _unique_slug(session: Session, title: str) -> str:
    base = slugify(title)
    slug, n = base, 1
    while session.scalar(select(Call.id).where(Call.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _snapshot(call: Call) -> dict[str, Any]:
    return {
        "kind": call.kind,
        "title_it": call.title_it,
        "total_budget_cents": call.total_budget_cents,
        "support_threshold": call.support_threshold,
        "area_budgets": {str(a.area_id): a.budget_cents for a in call.areas},
        "themes": [t.id for t in call.themes],
        "phases": {p.kind: [p.starts_at.isoformat(), p.ends_at.isoformat()] for p in call.phases},
    }


def _rules(data: CallData) -> dict[str, object]:
    return {
        "kind": data.kind.value,
        "total_budget_cents": data.total_budget_cents,
        "area_budgets": {str(k): v for k, v in sorted(data.area_budgets.items())},
        "support_threshold": data.support_threshold,
        "windows": data.windows,
    }


def _rules_of(call: Call) -> dict[str, object]:
    return {
        "kind": call.kind,
        "total_budget_cents": call.total_budget_cents,
        "area_budgets": {
            str(a.area_id): a.budget_cents for a in sorted(call.areas, key=lambda a: a.area_id)
        },
        "support_threshold": call.support_threshold,
    }


def _write(session: Session, call: Call, data: CallData, now: datetime) -> None:
    call.kind = data.kind.value
    call.title_it = data.title_it.strip()
    call.title_en = data.title_en.strip()
    call.description_it = data.description_it
    call.description_en = data.description_en
    call.total_budget_cents = data.total_budget_cents
    call.support_threshold = data.support_threshold
    call.updated_at = now
    session.flush()
    session.execute(delete(CallTheme).where(CallTheme.call_id == call.id))
    session.execute(delete(CallArea).where(CallArea.call_id == call.id))
    session.execute(delete(CallPhase).where(CallPhase.call_id == call.id))
    session.add_all(CallTheme(call_id=call.id, theme_id=t) for t in sorted(set(data.theme_ids)))
    session.add_all(
        CallArea(call_id=call.id, area_id=a, budget_cents=b)
        for a, b in sorted(data.area_budgets.items())
    )
    session.add_all(
        CallPhase(call_id=call.id, kind=w.kind.value, starts_at=w.starts_at, ends_at=w.ends_at)
        for w in data.windows
    )
    session.flush()
    session.expire(call, ["themes", "areas", "phases"])


def _check(data: CallData, *, now: datetime | None = None) -> None:
    """Refuse settings that cannot work, each beside its field. ``now`` (at creation): no
    phase may start before today, in Rome, nor end more than ten years ahead."""
    try:
        if now is None:
            check_timeline(data.windows)
        else:
            today = to_rome(now).replace(hour=0, minute=0, second=0, microsecond=0)
            check_new_timeline(data.windows, today, now + timedelta(days=365 * YEARS_AHEAD))
    except TimelineError as error:
        field = f"{error.kind.value}_start" if error.kind else "title_it"
        raise CallRefused(f"timeline_{error.code}", field=field) from None
    if data.kind is CallKind.PARTICIPATORY_BUDGET:
        if not data.area_budgets:
            raise CallRefused("areas_needed", field="kind")
        if data.total_budget_cents <= 0:
            raise CallRefused("budget_needed", field="total_budget")
    for area_id, cents in sorted(data.area_budgets.items()):
        if data.total_budget_cents and cents > data.total_budget_cents:
            raise CallRefused("area_above_total", field=f"budget_{area_id}")


def _reload(session: Session, call: Call) -> Call:
    from .queries import get_call

    loaded = get_call(session, call.id)
    assert loaded is not None
    return loaded


def create_call(session: Session, actor: User, data: CallData, *, now: datetime) -> Call:
    """Create a draft call."""
    if not can_manage_calls(actor):
        raise PermissionDenied
    _check(data, now=now)
    call = Call(
        slug=_unique_slug(session, data.title_it),
        kind=data.kind.value,
        title_it=data.title_it,
        title_en=data.title_en,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(call)
    session.flush()
    _write(session, call, data, now)
    call = _reload(session, call)
    audit.record(
        session,
        actor_id=actor.id,
        action="call.create",
        target_type="call",
        target_id=call.id,
        after=_snapshot(call),
        now=now,
    )
    return call


def update_call(
    session: Session,
    actor: User,
    call: Call,
    data: CallData,
    *,
    now: datetime,
    override_reason: str | None = None,
) -> Call:
    """Edit a call. Once it is in use, touching its rules needs an admin and a reason."""
    if not can_manage_calls(actor):
        raise PermissionDenied
    _check(data)
    data = replace(data, windows=unmoved_kept(windows_of(call), data.windows))
    touched = frozen_changes(
        call_in_use(session, call.id), _rules_of(call), _rules(data), windows_of(call), now
    )
    reason = (override_reason or "").strip()
    if touched and not (reason and can_override_frozen_rules(actor)):
        raise RulesFrozen(touched)
    before = _snapshot(call)
    _write(session, call, data, now)
    call = _reload(session, call)
    audit.record(
        session,
        actor_id=actor.id,
        action="call.rules_override" if touched else "call.update",
        target_type="call",
        target_id=call.id,
        before=before,
        after=_snapshot(call),
        reason=reason if touched else None,
        now=now,
    )
    return call


def publish_call(session: Session, actor: User, call: Call, *, now: datetime) -> None:
    """Make a draft call public."""
    if not can_manage_calls(actor):
        raise PermissionDenied
    if call.published_at is not None:
        return
    call.published_at = now
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="call.publish",
        target_type="call",
        target_id=call.id,
        now=now,
    )


def add_document(
    session: Session,
    actor: User,
    call: Call,
    *,
    title: str,
    filename: str,
    stream: IO[bytes],
    folder: Path,
    now: datetime,
) -> CallDocument:
    """Attach a PDF (checked by content) to a call."""
    if not can_manage_calls(actor):
        raise PermissionDenied
    stored = store_pdf(stream, folder)
    document = CallDocument(
        call_id=call.id,
        title=title.strip() or filename,
        filename=filename[:200],
        stored_name=stored.stored_name,
        size_bytes=stored.size_bytes,
        uploaded_at=now,
    )
    session.add(document)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="call.document_add",
        target_type="call",
        target_id=call.id,
        after={"document": document.id, "title": document.title},
        now=now,
    )
    return document


def remove_document(
    session: Session, actor: User, document: CallDocument, *, now: datetime
) -> None:
    """Detach a document (the file stays on disk for the record)."""
    if not can_manage_calls(actor):
        raise PermissionDenied
    audit.record(
        session,
        actor_id=actor.id,
        action="call.document_remove",
        target_type="call",
        target_id=document.call_id,
        before={"document": document.id, "title": document.title},
        now=now,
    )
    session.delete(document)
    session.flush()
