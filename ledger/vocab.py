"""Closed vocabularies (statuses, roles, kinds): plain enums shared by every layer."""

from __future__ import annotations

from enum import StrEnum


class UnitKind(StrEnum):
    DEPARTMENT = "department"
    COUNTY = "county"
    ZONE = "zone"
    WORKING_GROUP = "working_group"
    COLLECTIVE = "collective"
    CITY = "city"


class UnitRole(StrEnum):
    """A unit's role on a task: 牵头 (lead), 配合 (support), 数据提供 (data)."""

    LEAD = "lead"
    SUPPORT = "support"
    DATA = "data"


class ContactRole(StrEnum):
    CONTACT = "contact"  # 填报人
    PRINCIPAL = "principal"  # 主要负责同志


class EntryStatus(StrEnum):
    DONE = "done"  # 已完成
    ON_TRACK = "on_track"  # 序时推进
    BEHIND = "behind"  # 滞后
    NOT_STARTED = "not_started"  # 未启动


class EntryState(StrEnum):
    """Where a progress entry version stands in the 审定 workflow."""

    DRAFT = "draft"
    SUBMITTED = "submitted"  # waiting for the principal
    APPROVED = "approved"  # approved by the unit's principal: counts as submitted
    ACCEPTED = "accepted"  # counts without 审定: the unit had no bound principal
    RETURNED = "returned"  # 退回修改
    SUPERSEDED = "superseded"  # replaced by a newer version


class MilestoneOutcome(StrEnum):
    MET = "met"  # 已完成
    PARTLY = "partly"  # 部分完成
    NOT_MET = "not_met"  # 未完成


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"  # timed out after the request left: outcome not known
    CANCELLED = "cancelled"


class ChatType(StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    SUPERGROUP = "supergroup"
    CHANNEL = "channel"


class InboxState(StrEnum):
    """Where an incoming update stands: stored before it is acknowledged, then handled."""

    PENDING = "pending"  # stored, waiting for (another) attempt
    PROCESSING = "processing"  # claimed by a worker (a lease: reclaimed if the worker dies)
    DONE = "done"
    FAILED = "failed"  # its handler kept failing: parked for `ledgerbot inbox retry`


class RequestState(StrEnum):
    """Where a 督办 request (延期申请) stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ClosureState(StrEnum):
    """Where a 销号 (closing a finished task for a unit) stands."""

    AWAITING_PRINCIPAL = "awaiting_principal"  # the lead unit asked; its principal approves
    AWAITING_STAFF = "awaiting_staff"  # the bureau confirms 确认销号
    CLOSED = "closed"  # 已销号: no longer owed from the next period on
    RETURNED = "returned"  # sent back (by the principal or the bureau)
    REOPENED = "reopened"  # closed, then reopened by staff
