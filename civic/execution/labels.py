"""Words for the states and sources, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..admin.audit_labels import register_values
from .domain import Source, Status

STATUS_LABELS = {
    Status.PLANNED.value: _l("Planned"),
    Status.IN_PROGRESS.value: _l("In progress"),
    Status.COMPLETED.value: _l("Completed"),
    Status.CANCELLED.value: _l("Cancelled"),
}
register_values("status", STATUS_LABELS)
SOURCE_LABELS = {
    Source.BUDGET.value: _l("Participatory budget"),
    Source.CAMPAIGN.value: _l("Civic crowdfunding"),
    Source.GRANT.value: _l("Grant awarded"),
}
register_values("source", SOURCE_LABELS)
