"""SQLAlchemy tables of the registry, the ledger, the inbox, the outbox and the audit log."""

from models.api_tokens import ApiToken
from models.audit import AuditLog
from models.base import Base
from models.duban import Assignment, Closure, ExtensionRequest, Urge
from models.form_drafts import FormDraft
from models.inbox import InboxUpdate
from models.outbox import JobRun, OutboxMessage
from models.people import Chat, Contact, ConversationState, Invite, Staff, TelegramUser
from models.progress import (
    Evidence,
    LedgerPeriod,
    MilestoneResult,
    Obligation,
    ProgressEntry,
    StatusMark,
    StatusRevision,
)
from models.registry import (
    Milestone,
    Plan,
    Section,
    Task,
    TaskUnit,
    Unit,
    UnitAlias,
    UnitMember,
    UnitPause,
)

__all__ = [
    "ApiToken",
    "Assignment",
    "AuditLog",
    "Base",
    "Chat",
    "Closure",
    "Contact",
    "ConversationState",
    "Evidence",
    "ExtensionRequest",
    "FormDraft",
    "InboxUpdate",
    "Invite",
    "JobRun",
    "LedgerPeriod",
    "Milestone",
    "MilestoneResult",
    "Obligation",
    "OutboxMessage",
    "Plan",
    "ProgressEntry",
    "Section",
    "Staff",
    "StatusMark",
    "StatusRevision",
    "Task",
    "TaskUnit",
    "TelegramUser",
    "Unit",
    "UnitAlias",
    "UnitMember",
    "UnitPause",
    "Urge",
]
