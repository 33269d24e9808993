"""All models, importable from one place (Alembic and the app need every table registered)."""
from .accounts import ORGANISATION_KINDS, LoginAttempt, Organisation, OutboxMessage, User
from .base import MAX_ID, UTCDateTime, parse_id, utcnow
from .marketplace import (IP_STATUSES, MEETING_STATUSES, OPPORTUNITY_KINDS, OPPORTUNITY_TYPES, PARTNERSHIP_TYPES,
                          PRIORITIES, REQUEST_STATUSES, Bookmark, Meeting, MeetingAttendee, MeetingRequest,
                          Notification, Opportunity, Suggestion, TechnologyArea, opportunity_area)
from .scheduling import RUN_STATUSES, DraftPlacement, ScheduleRun
from .events import (APPROVAL_MODES, EVENT_STATUSES, Event, Invitation, MeetingSession, Participant,
                     SessionPause, Slot, Table, Unavailability)

__all__ = [
    "MAX_ID", "parse_id",
    "RUN_STATUSES", "DraftPlacement", "ScheduleRun",
    "IP_STATUSES", "MEETING_STATUSES", "OPPORTUNITY_KINDS", "OPPORTUNITY_TYPES", "PARTNERSHIP_TYPES", "PRIORITIES",
    "REQUEST_STATUSES", "Bookmark", "Meeting", "MeetingAttendee", "MeetingRequest", "Notification", "Opportunity",
    "Suggestion", "TechnologyArea", "opportunity_area",
    "APPROVAL_MODES", "EVENT_STATUSES", "ORGANISATION_KINDS", "Event", "Invitation", "LoginAttempt",
    "MeetingSession", "Organisation", "OutboxMessage", "Participant", "SessionPause", "Slot", "Table",
    "Unavailability", "UTCDateTime", "User", "utcnow",
]
