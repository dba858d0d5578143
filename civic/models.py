"""Every model, imported so the metadata is complete (for Alembic and the tests)."""

from .accounts.models import RoleGrant, SignInThrottle, User
from .core.audit import AuditEntry
from .core.db import Base
from .places.models import Area

metadata = Base.metadata

__all__ = ["Area", "AuditEntry", "RoleGrant", "SignInThrottle", "User", "metadata"]
