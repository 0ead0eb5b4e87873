"""Models of the members app: people and enterprises, and the duty rota (轮周坐班)."""

from members.models.people import (
    Area,
    ChamberTitle,
    Enterprise,
    Industry,
    Member,
    MemberQuerySet,
    TitleTerm,
)
from members.models.rota import (
    CalendarFeed,
    DutyLogAttachment,
    DutyLogEntry,
    DutyShift,
    DutyStudio,
    ShiftChange,
    ShiftReminder,
    SwapRequest,
    Unavailability,
)

__all__ = [
    "Area",
    "CalendarFeed",
    "ChamberTitle",
    "DutyLogAttachment",
    "DutyLogEntry",
    "DutyShift",
    "DutyStudio",
    "Enterprise",
    "Industry",
    "Member",
    "MemberQuerySet",
    "ShiftChange",
    "ShiftReminder",
    "SwapRequest",
    "TitleTerm",
    "Unavailability",
]
