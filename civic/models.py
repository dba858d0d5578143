"""Every model, imported so the metadata is complete (for Alembic and the tests)."""

from .accounts.models import RoleGrant, SignInThrottle, User
from .calls.models import Call, CallArea, CallDocument, CallPhase, CallTheme, Theme
from .core.audit import AuditEntry
from .core.db import Base
from .core.mail import SpooledEmail
from .crowdfunding.models import (
    Application,
    Campaign,
    CampaignUpdate,
    CrowdfundingSettings,
    LedgerEntry,
    Pledge,
    RewardTier,
    StripeEvent,
)
from .execution.models import (
    Milestone,
    ProjectFollower,
    ProjectUpdate,
    TrackedProject,
    UpdatePhoto,
)
from .grants.models import (
    GrantApplication,
    GrantFile,
    GrantInstalment,
    GrantMember,
    GrantRanking,
    GrantSettings,
    JuryAssignment,
    JuryScore,
)
from .meetings.models import (
    AgendaItem,
    Contribution,
    Meeting,
    MeetingGroup,
    MeetingProposal,
    MinutesRevision,
    Registration,
    SpeakerRequest,
)
from .places.models import Area
from .proposals.models import (
    Appeal,
    Comment,
    FeasibilityReview,
    Flag,
    Follow,
    Notification,
    Proposal,
    ProposalFile,
    ProposalRevision,
    ReviewAssignment,
    Support,
)
from .residency.models import CensusRecord, Residency, SiteSetting
from .voting.models import Ballot, VoteResult, VoterRoll, VoteSettings

metadata = Base.metadata

__all__ = [
    "AgendaItem",
    "Appeal",
    "Application",
    "Area",
    "AuditEntry",
    "Ballot",
    "Call",
    "CallArea",
    "CallDocument",
    "CallPhase",
    "CallTheme",
    "Campaign",
    "CampaignUpdate",
    "CensusRecord",
    "Comment",
    "Contribution",
    "CrowdfundingSettings",
    "FeasibilityReview",
    "Flag",
    "Follow",
    "GrantApplication",
    "GrantFile",
    "GrantInstalment",
    "GrantMember",
    "GrantRanking",
    "GrantSettings",
    "JuryAssignment",
    "JuryScore",
    "LedgerEntry",
    "Meeting",
    "MeetingGroup",
    "MeetingProposal",
    "Milestone",
    "MinutesRevision",
    "Notification",
    "Pledge",
    "ProjectFollower",
    "ProjectUpdate",
    "Proposal",
    "ProposalFile",
    "ProposalRevision",
    "Registration",
    "Residency",
    "ReviewAssignment",
    "RewardTier",
    "RoleGrant",
    "SignInThrottle",
    "SiteSetting",
    "SpeakerRequest",
    "SpooledEmail",
    "StripeEvent",
    "Support",
    "Theme",
    "TrackedProject",
    "UpdatePhoto",
    "User",
    "VoteResult",
    "VoteSettings",
    "VoterRoll",
    "metadata",
]
