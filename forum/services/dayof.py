"""On the day: marking meetings held, cancelled or no-show; booking meetings into the free slots
of the published schedule; the organizer's table sheets, printable agendas and live board.

A meeting is on the published schedule when it has a slot and the event is published or
closed (`Meeting.slot`/`table` are the published placement). Booking takes a slot that every
attendee has free (not marked unavailable, no other meeting of theirs) with a table free: the
booth of an attendee who owns one, else a shared table (one without an owner). The event's row is
locked before anything is checked, so two bookings at once cannot take the same table or
double-book someone. Calendar sequences are bumped by the listener on `Meeting`, not here.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from ..extensions import db
from ..models import (
    Event,
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    MeetingSession,
    Organisation,
    Participant,
    Slot,
    Table,
    User,
    parse_id,
    utcnow,
)
from . import ServiceError, meeting_life
from .availability import event_slots
from .meeting_life import Occupancy, lock_event_for_meetings
from .notifications import notify
from .paging import FURTHEST_PAGE, Page, count_and_clamp, paginate
from .requests import MEETING_STATUS_LABELS, can_meet, meeting_weight, open_request_between
from .schedule_problem import attendee_ids
from .search import like_pattern

SCHEDULE_VISIBLE = ("published", "closed")
MARKABLE_STATUSES = ("held", "cancelled", "no_show")
MARK_LABELS = {status: MEETING_STATUS_LABELS[status] for status in MARKABLE_STATUSES}
BOOKING_PRIORITY = 2  # "would like to meet": a booking on the day states no priority
NEW_MEETING = 0  # the placement rules check a meeting not yet written under this id


def schedule_is_published(event: Event) -> bool:
    return event.status in SCHEDULE_VISIBLE


def _lock_event(event: Event, meeting_ids=()) -> None:
    """Serialise every booking and marking of one event: the one lock of `meeting_life`."""
    lock_event_for_meetings(event.id, meeting_ids)


def _check_on_the_day(event: Event) -> None:
    if event.status != "published":
        raise ServiceError(
            _("This can be done only while the schedule is published, until the event closes.")
        )


def _with_people(query):
    return query.options(
        selectinload(Meeting.attendees)
        .selectinload(MeetingAttendee.participant)
        .selectinload(Participant.user),
        selectinload(Meeting.attendees)
        .selectinload(MeetingAttendee.participant)
        .selectinload(Participant.organisation),
        selectinload(Meeting.slot),
        selectinload(Meeting.table),
    )


# --- marking ---------------------------------------------------------------------------------


def is_attendee(meeting: Meeting, participant: Participant | None) -> bool:
    return participant is not None and any(
        a.participant_id == participant.id for a in meeting.attendees
    )


def mark_meeting(
    meeting: Meeting, status: str, by: Participant | None = None, now: datetime | None = None
) -> None:
    """An attendee (`by`) or an organizer (`by` None) records what became of a published meeting.

    A scheduled meeting may become held, cancelled or no-show; held and no-show may be corrected
    into each other; a cancelled meeting stays cancelled (its table may be booked by others).
    Held and no-show are recorded once the meeting has started: an attendee's record is their own
    (`meeting_life.record_attendance`), the organizer's is the meeting's. Cancelling tells the others.
    """
    if status not in MARKABLE_STATUSES:
        raise ServiceError(_("Choose held, cancelled or no-show."), "status")
    _check_on_the_day(meeting.event)
    _lock_event(meeting.event, [meeting.id])
    db.session.refresh(meeting)
    _check_markable(meeting, status, now or utcnow())
    if status == "cancelled":
        # Refuses, saying so, a meeting cancelled already (by an attendee just before, say).
        meeting_life.cancel(meeting)  # the pair may ask again, as after any cancellation
        _tell_cancelled(meeting, by)
    elif by is not None and is_attendee(meeting, by):
        meeting_life.record_attendance(meeting, by.id, status, now or utcnow())
    else:
        meeting_life.mark(meeting, status)


def _check_markable(meeting: Meeting, status: str, now: datetime) -> None:
    if meeting.slot is None:
        raise ServiceError(_("This meeting is not on the schedule; book a time for it first."))
    if meeting.status == "cancelled" and status != "cancelled":
        raise ServiceError(_("This meeting is cancelled; it can no longer be marked."))
    if meeting.status not in ("scheduled", "cancelled") and status == "cancelled":
        raise ServiceError(
            _("This meeting took place (or was missed); it can no longer be cancelled.")
        )
    if status != "cancelled" and meeting.slot.starts_at > now:
        raise ServiceError(_("A meeting can be marked held or no-show once it has started."))


def _tell_cancelled(meeting: Meeting, by: Participant | None) -> None:
    event = meeting.event
    link = url_for("dayof.my_day", slug=event.slug)
    for attendee in meeting.attendees:
        if by is not None and attendee.participant_id == by.id:
            continue
        if by is None:
            notify(
                attendee.participant,
                _l("The organizers cancelled one of your meetings"),
                _l(
                    "The organizers of %(event)s cancelled your meeting at %(time)s.",
                    event=event.name,
                    time=_slot_label(meeting.slot, event),
                ),
                link,
                [meeting],
            )
        else:
            notify(
                attendee.participant,
                _l("%(name)s cancelled your meeting", name=by.user.name),
                _l(
                    "%(name)s (%(organisation)s) cancelled your meeting at %(time)s at %(event)s.",
                    name=by.user.name,
                    organisation=by.organisation.name,
                    time=_slot_label(meeting.slot, event),
                    event=event.name,
                ),
                link,
                [meeting],
            )


def _slot_label(slot: Slot, event: Event) -> LazyString:
    """The slot's time, written when the message is: in the language of whoever reads it."""
    from ..templating import event_time

    return LazyString(event_time, slot.starts_at, event.timezone)


# --- free slots ------------------------------------------------------------------------------


@dataclass
class Placement:
    slot: Slot
    table: Table


def _occupancy(
    event: Event, meeting_id: int, people: list[Participant], now: datetime
) -> tuple[list[Slot], Occupancy]:
    """The event's slots still to come, and the published schedule as the one set of placement
    rules sees it (`meeting_life.Occupancy`), with `people` attending meeting `meeting_id`."""
    slots = list(
        db.session.scalars(
            select(Slot)
            .join(MeetingSession)
            .where(MeetingSession.event_id == event.id, Slot.starts_at > now)
            .order_by(Slot.starts_at, Slot.id)
        )
    )
    placements = {
        row.id: (row.slot_id, row.table_id)
        for row in db.session.execute(
            select(Meeting.id, Meeting.slot_id, Meeting.table_id).where(
                Meeting.event_id == event.id,
                Meeting.slot_id.is_not(None),
                Meeting.status != "cancelled",
            )
        )
    }
    people_of = attendee_ids(placements)
    people_of[meeting_id] = [person.id for person in people]
    return slots, Occupancy(event, placements, people_of, public=True)


def _refusal_at(slot: Slot, meeting_id: int, occupancy: Occupancy) -> str | None:
    """Why the meeting cannot take `slot` (with any table), or None."""
    reason = occupancy.people_refusal(meeting_id, slot.id)
    if reason:
        return reason
    if occupancy.free_table(meeting_id, slot.id) is None:
        return _("No table is free at that time.")
    return None


def common_free_slots(
    event: Event, people: list[Participant], now: datetime | None = None
) -> list[Placement]:
    """The future slots that all `people` have free and where a table is free, with that table."""
    slots, occupancy = _occupancy(event, NEW_MEETING, people, now or utcnow())
    return [
        Placement(slot, occupancy.free_table(NEW_MEETING, slot.id))
        for slot in slots
        if _refusal_at(slot, NEW_MEETING, occupancy) is None
    ]


def _placement(
    event: Event, meeting_id: int, people: list[Participant], slot_id: int | None, now: datetime
) -> Placement:
    """The chosen slot (or the first free one when `slot_id` is None) with its table, or a refusal."""
    slots, occupancy = _occupancy(event, meeting_id, people, now)
    if slot_id is None:
        for slot in slots:
            if _refusal_at(slot, meeting_id, occupancy) is None:
                return Placement(slot, occupancy.free_table(meeting_id, slot.id))
        raise ServiceError(
            _("No time is left that suits everyone attending, with a table free."), "slot"
        )
    slot = next((slot for slot in slots if slot.id == slot_id), None)
    if slot is None:
        raise ServiceError(
            _("Choose one of the times in the list; past times cannot be booked."), "slot"
        )
    reason = _refusal_at(slot, meeting_id, occupancy)
    if reason:
        raise ServiceError(reason, "slot")
    return Placement(slot, occupancy.free_table(meeting_id, slot.id))


# --- booking ---------------------------------------------------------------------------------


BOOKABLE_SHOWN = 50  # agreed meetings without a time listed on the day page at once


def bookable_meetings(participant: Participant) -> list[Meeting]:
    """The participant's agreed meetings that the schedule left without a time, the first
    `BOOKABLE_SHOWN` of them (the page says how many in all: `count_bookable_meetings`)."""
    return list(
        db.session.scalars(
            _with_people(select(Meeting))
            .join(MeetingAttendee)
            .where(*_bookable_conditions(participant))
            .order_by(Meeting.created_at, Meeting.id)
            .limit(BOOKABLE_SHOWN)
        )
    )


def count_bookable_meetings(participant: Participant) -> int:
    return (
        db.session.scalar(
            select(func.count(Meeting.id))
            .join(MeetingAttendee)
            .where(*_bookable_conditions(participant))
        )
        or 0
    )


def _bookable_conditions(participant: Participant) -> list[ColumnElement[bool]]:
    return [
        MeetingAttendee.participant_id == participant.id,
        Meeting.status == "scheduled",
        Meeting.slot_id.is_(None),
    ]


PARTNERS_SHOWN = 10  # people a search for whom to book shows at once
PARTNER_SEARCH_LENGTH = 100  # characters of that search kept: a name and an organisation
PARTNER_SEARCH_WORDS = 5  # words of it that must each match


def _partners(participant: Participant) -> Select[Participant]:
    """Approved participants of other organisations one may book a new meeting with, by name."""
    return (
        select(Participant)
        .join(User, User.id == Participant.user_id)
        .join(Organisation, Organisation.id == Participant.organisation_id)
        .options(selectinload(Participant.user), selectinload(Participant.organisation))
        .where(
            Participant.event_id == participant.event_id,
            Participant.status == "approved",
            Participant.organisation_id != participant.organisation_id,
        )
        .order_by(func.lower(User.name), func.lower(Organisation.name), Participant.id)
    )


def find_booking_partners(
    participant: Participant, words: str, limit: int = PARTNERS_SHOWN
) -> list[Participant]:
    """The first `limit` people one may book whose name or organisation holds every word of
    `words` (an event of thousands cannot list them all in a form); none for no words."""
    terms = words[:PARTNER_SEARCH_LENGTH].lower().split()[:PARTNER_SEARCH_WORDS]
    if not terms:
        return []
    statement = _partners(participant)
    for term in terms:
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            or_(
                func.lower(User.name).like(pattern, escape="\\"),
                func.lower(Organisation.name).like(pattern, escape="\\"),
            )
        )
    return list(db.session.scalars(statement.limit(limit)))


def booking_partner(participant: Participant, partner_id: int | None) -> Participant | None:
    """The participant of this number if `participant` may book a meeting with them, else None
    (someone of another event, a colleague, anyone not approved, no one)."""
    if partner_id is None:
        return None
    return db.session.scalar(_partners(participant).where(Participant.id == partner_id))


def book_meeting(
    meeting: Meeting, by: Participant, slot_id: int | None = None, now: datetime | None = None
) -> Placement:
    """Give an agreed, unscheduled meeting of `by` the chosen (or first) common free slot."""
    event = meeting.event
    _check_on_the_day(event)
    if not can_meet(by):
        raise ServiceError(_("Only approved participants can book meetings."))
    _lock_event(event, [meeting.id])
    db.session.refresh(meeting)
    if not is_attendee(meeting, by):
        raise ServiceError(_("You can book your own meetings only."))
    if meeting.status != "scheduled":
        raise ServiceError(_("This meeting is cancelled or over; it can no longer be booked."))
    if meeting.slot_id is not None:
        raise ServiceError(_("This meeting has a time already."))
    people = [attendee.participant for attendee in meeting.attendees]
    placement = _placement(event, meeting.id, people, slot_id, now or utcnow())
    meeting_life.place(meeting, placement.slot, placement.table)
    for other in people:
        if other.id != by.id:
            _tell_booked(other, by, meeting)
    return placement


def book_new_meeting(
    by: Participant, other: Participant, slot_id: int | None = None, now: datetime | None = None
) -> Meeting:
    """Book a meeting with another approved participant straight into a common free slot: the
    meeting counts as agreed (a request waiting between the two becomes accepted); they are told."""
    event = by.event
    _check_on_the_day(event)
    if not can_meet(by):
        raise ServiceError(_("Only approved participants can book meetings."))
    if other.event_id != event.id or not can_meet(other):
        raise ServiceError(
            _("%(name)s is not an approved participant of this event.", name=other.user.name),
            "participant",
        )
    if other.organisation_id == by.organisation_id:
        raise ServiceError(
            _(
                "%(name)s is a colleague of your organisation; book a meeting with another "
                "organisation.",
                name=other.user.name,
            ),
            "participant",
        )
    _lock_event(event)
    existing = open_request_between(by, other)
    if existing is not None and existing.status == "accepted":
        if (
            existing.meeting is not None
            and existing.meeting.status == "scheduled"
            and existing.meeting.slot_id is None
        ):
            raise ServiceError(
                _(
                    "You already have a meeting with %(name)s without a time; book it in your list.",
                    name=other.user.name,
                ),
                "participant",
            )
        raise ServiceError(
            _("You already have a meeting with %(name)s.", name=other.user.name), "participant"
        )
    placement = _placement(event, NEW_MEETING, [by, other], slot_id, now or utcnow())
    meeting_request = existing or MeetingRequest(
        event_id=event.id, requester=by, recipient=other, requester_priority=BOOKING_PRIORITY
    )
    priority = meeting_request.recipient_priority or BOOKING_PRIORITY
    meeting = meeting_life.agree(
        meeting_request,
        priority,
        meeting_weight(meeting_request.requester_priority, priority),
        placement.slot,
        placement.table,
    )
    _tell_booked(other, by, meeting)
    return meeting


def _tell_booked(recipient: Participant, by: Participant, meeting: Meeting) -> None:
    event = meeting.event
    notify(
        recipient,
        _l("%(name)s booked a meeting with you", name=by.user.name),
        _l(
            "%(name)s (%(organisation)s) booked a meeting with you at %(event)s: %(time)s at %(table)s.",
            name=by.user.name,
            organisation=by.organisation.name,
            event=event.name,
            time=_slot_label(meeting.slot, event),
            table=meeting.table.name,
        ),
        url_for("dayof.my_day", slug=event.slug),
        [meeting],
    )


# --- reading the published schedule ----------------------------------------------------------


def published_meetings_of(participant: Participant) -> list[Meeting]:
    """The participant's meetings on the published schedule (cancelled ones too), by time."""
    if not schedule_is_published(participant.event):
        return []
    return list(
        db.session.scalars(
            _with_people(select(Meeting))
            .join(MeetingAttendee)
            .join(Meeting.slot)
            .where(MeetingAttendee.participant_id == participant.id)
            .order_by(Slot.starts_at, Meeting.id)
        )
    )


def _published(event: Event, slot_ids=None, table_ids=None, people=None) -> list[Meeting]:
    query = _with_people(select(Meeting)).where(
        Meeting.event_id == event.id, Meeting.slot_id.is_not(None), Meeting.status != "cancelled"
    )
    if slot_ids is not None:
        query = query.where(Meeting.slot_id.in_(slot_ids))
    if table_ids is not None:
        query = query.where(Meeting.table_id.in_(table_ids))
    if people is not None:
        query = query.where(
            Meeting.id.in_(
                select(MeetingAttendee.meeting_id).where(MeetingAttendee.participant_id.in_(people))
            )
        )
    return list(db.session.scalars(query))


@dataclass
class SlotSheet:
    """One slot: every table of the event with its meeting (None: the table is free)."""

    slot: Slot
    rows: list[tuple[Table, Meeting | None]]


@dataclass
class SheetPerson:
    """Someone at a meeting of a table sheet, as the sheet prints them."""

    name: str
    organisation: str | None  # None: an organizer
    attendance: str | None  # their own record: held, no_show or None


@dataclass
class SheetMeeting:
    """A meeting on a table sheet: read as narrow rows, not as ORM objects with their people."""

    id: int
    status: str
    people: list[SheetPerson]

    @property
    def absent(self) -> list[str]:
        """Who did not come, as the attendees said (as `meeting_life.absentees`)."""
        if not any(person.attendance == "no_show" for person in self.people):
            return []
        return [person.name for person in self.people if person.attendance is None]


@dataclass
class TableSheet:
    """One table's printed page: every slot of the event with its meeting there (None: free)."""

    table: Table
    rows: list[tuple[Slot, SheetMeeting | None]]


SHEETS_PER_PAGE = 10  # tables a page of the table sheets shows (each 96 rows at BIO's size)
AGENDAS_PER_PAGE = 25  # participants a page of the organizer's agendas shows


def _tables_in_order(event: Event) -> Select[Table]:
    return select(Table).where(Table.event_id == event.id).order_by(Table.number, Table.id)


def table_sheets(event: Event, page: int = 1, per_page: int = SHEETS_PER_PAGE) -> Page:
    """A page of tables of the published schedule (by number), each with its slots and who
    meets there: the page its host keeps on the table all day. A venue of a thousand tables is
    a few dozen such pages, each read and rendered in bounded time."""
    if not schedule_is_published(event):
        return Page()
    slots = event_slots(event)
    if not slots:
        return Page()
    tables = paginate(_tables_in_order(event), page, per_page)
    by_place = _sheet_meetings(event, [table.id for table in tables.items])
    tables.items = [
        TableSheet(table, [(slot, by_place.get((slot.id, table.id))) for slot in slots])
        for table in tables.items
    ]
    return tables


def _sheet_meetings(event: Event, table_ids: list[int]) -> dict[tuple[int, int], SheetMeeting]:
    """The published meetings (not cancelled) at these tables by (slot, table), each with its
    people by name: two narrow queries."""
    placed = (
        Meeting.event_id == event.id,
        Meeting.slot_id.is_not(None),
        Meeting.status != "cancelled",
        Meeting.table_id.in_(table_ids),
    )
    meetings = {
        row.id: (row.slot_id, row.table_id, SheetMeeting(row.id, row.status, []))
        for row in db.session.execute(
            select(Meeting.id, Meeting.slot_id, Meeting.table_id, Meeting.status).where(*placed)
        )
    }
    # By the page's meeting ids (a bounded list): the attendees are found by their key rather
    # than by joining every attendee row of the event to the meetings.
    people = db.session.execute(
        select(MeetingAttendee.meeting_id, User.name, Organisation.name, MeetingAttendee.attendance)
        .join(Participant, Participant.id == MeetingAttendee.participant_id)
        .join(User, User.id == Participant.user_id)
        .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        .where(MeetingAttendee.meeting_id.in_(list(meetings) or [0]))
        .order_by(User.name, Participant.id)
    )
    for meeting_id, name, organisation, attendance in people:
        meetings[meeting_id][2].people.append(SheetPerson(name, organisation, attendance))
    return {(slot_id, table_id): meeting for slot_id, table_id, meeting in meetings.values()}


def find_table(event: Event, text: str) -> Table | None:
    """The event's table numbered or named `text` (a name in any case), or None."""
    text = text.strip()
    if not text:
        return None
    number = parse_id(text)
    matches = _tables_in_order(event).where(
        or_(func.lower(Table.name) == text.lower(), Table.number == number)
        if number is not None
        else func.lower(Table.name) == text.lower()
    )
    return db.session.scalars(matches.limit(1)).first()


def sheet_page_of(table: Table, per_page: int = SHEETS_PER_PAGE) -> int:
    """The page of the table sheets that shows `table`."""
    before = db.session.scalar(
        select(func.count(Table.id)).where(
            Table.event_id == table.event_id,
            or_(
                Table.number < table.number, and_(Table.number == table.number, Table.id < table.id)
            ),
        )
    )
    return (before or 0) // per_page + 1


@dataclass
class AgendaMeeting:
    """A meeting on a printed agenda: read as narrow rows, not as ORM objects with their people."""

    id: int
    slot_id: int
    starts_at: datetime
    table: str | None
    room: str | None
    others: list[SheetPerson]  # the other attendees, as `Meeting.attendees` orders them


@dataclass
class Agenda:
    participant: Participant
    meetings: list[AgendaMeeting]


def agendas(event: Event, page: int = 1, words: str = "", per_page: int = AGENDAS_PER_PAGE) -> Page:
    """A page of the agendas of the participants who have a published meeting (not cancelled),
    by name, those whose name contains `words` when given; each agenda by time."""
    if not schedule_is_published(event):
        return Page()
    # Counted by the participant's row (0052_kept_counts): neither the count nor the page's walk
    # reads the 110,000 attendee rows of a large event on each view.
    has_meeting = Participant.placed_meetings > 0
    # The page's ids first, as narrow rows: the offset walks the people before it without
    # their profiles; then the page's 25 people with their names and organisations.
    ordered = (
        select(Participant.id)
        .join(Participant.user)
        .where(Participant.event_id == event.id, has_meeting)
        .order_by(func.lower(User.name), Participant.id)  # read in ix_user_name_lower's order
    )
    counted = select(Participant.id).where(Participant.event_id == event.id, has_meeting)
    if words.strip():
        named = func.lower(User.name).like(like_pattern(words.strip().lower()), escape="\\")
        ordered = ordered.where(named)
        counted = counted.join(User).where(named)
    # Counted without the names (no join to every user) unless the search needs them.
    total, page, pages = count_and_clamp(counted, min(page, FURTHEST_PAGE), per_page)
    ids = list(db.session.scalars(ordered.limit(per_page).offset((page - 1) * per_page)))
    found = Page(_people_by_id(ids), total, page, pages)
    meetings = _agenda_meetings(event, [person.id for person in found.items])
    found.items = [Agenda(person, meetings.get(person.id, [])) for person in found.items]
    return found


def _people_by_id(ids: list[int]) -> list[Participant]:
    """These participants in this order, each with their user and organisation."""
    people = {
        person.id: person
        for person in db.session.scalars(
            select(Participant)
            .join(Participant.user)
            .outerjoin(Participant.organisation)
            .options(contains_eager(Participant.user), contains_eager(Participant.organisation))
            .where(Participant.id.in_(ids or [0]))
        )
    }
    return [people[person_id] for person_id in ids]


def _agenda_meetings(event: Event, people: list[int]) -> dict[int, list[AgendaMeeting]]:
    """The published meetings (not cancelled) of these participants by participant, each by
    time with its other attendees by name: two narrow queries by the page's keys."""
    own = db.session.execute(
        select(
            MeetingAttendee.participant_id,
            Meeting.id,
            Meeting.slot_id,
            Slot.starts_at,
            Table.name,
            Table.room,
        )
        .join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
        .join(Slot, Slot.id == Meeting.slot_id)
        .outerjoin(Table, Table.id == Meeting.table_id)
        .where(
            MeetingAttendee.participant_id.in_(people or [0]),
            Meeting.event_id == event.id,
            Meeting.status != "cancelled",
        )
        .order_by(MeetingAttendee.participant_id, Slot.starts_at, Meeting.id)
    ).all()
    attendees: dict[int, list[tuple[int, SheetPerson]]] = {}
    for meeting_id, participant_id, name, organisation in db.session.execute(
        select(
            MeetingAttendee.meeting_id, MeetingAttendee.participant_id, User.name, Organisation.name
        )
        .join(Participant, Participant.id == MeetingAttendee.participant_id)
        .join(User, User.id == Participant.user_id)
        .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        .where(MeetingAttendee.meeting_id.in_(sorted({row.id for row in own}) or [0]))
        .order_by(MeetingAttendee.meeting_id, MeetingAttendee.participant_id)
    ):
        attendees.setdefault(meeting_id, []).append(
            (participant_id, SheetPerson(name, organisation, None))
        )
    agendas: dict[int, list[AgendaMeeting]] = {}
    for participant_id, meeting_id, slot_id, starts_at, table, room in own:
        others = [person for who, person in attendees[meeting_id] if who != participant_id]
        agendas.setdefault(participant_id, []).append(
            AgendaMeeting(meeting_id, slot_id, starts_at, table, room, others)
        )
    return agendas


@dataclass
class Board:
    now: datetime
    current: SlotSheet | None
    upcoming: SlotSheet | None
    page: int = 1
    pages: int = 1


BOARD_TABLES = 30  # tables a screen of the live board shows; it turns to the next at each refresh


def live_board(
    event: Event, now: datetime | None = None, page: int = 1, per_page: int = BOARD_TABLES
) -> Board:
    """The slot running now and the next one, with the meeting and status of each table that
    has one in either: `per_page` tables at a time, by number (a large venue's board turns
    through its tables screen by screen)."""
    now = now or utcnow()
    if not schedule_is_published(event):
        return Board(now, None, None)
    of_event = select(Slot).join(MeetingSession).where(MeetingSession.event_id == event.id)
    current = db.session.scalar(
        of_event.where(Slot.starts_at <= now, Slot.ends_at > now)
        .order_by(Slot.starts_at, Slot.id)
        .limit(1)
    )
    upcoming = db.session.scalar(
        of_event.where(Slot.starts_at > now).order_by(Slot.starts_at, Slot.id).limit(1)
    )
    slots = [slot for slot in (current, upcoming) if slot]
    busy = _tables_in_order(event).where(
        select(Meeting.id)
        .where(
            Meeting.table_id == Table.id,
            Meeting.slot_id.in_([slot.id for slot in slots]),
            Meeting.status != "cancelled",
        )
        .exists()
    )
    tables = paginate(busy, page, per_page)
    by_place = {
        (meeting.slot_id, meeting.table_id): meeting
        for meeting in _published(
            event, [slot.id for slot in slots], [table.id for table in tables.items]
        )
    }
    sheets = {
        slot.id: SlotSheet(
            slot, [(table, by_place.get((slot.id, table.id))) for table in tables.items]
        )
        for slot in slots
    }
    return Board(
        now,
        sheets.get(current.id) if current else None,
        sheets.get(upcoming.id) if upcoming else None,
        tables.page,
        tables.pages,
    )


def attended_or_organized(
    meeting: Meeting, participant: Participant | None, organizer: bool
) -> bool:
    """Who may mark a meeting: its (approved) attendees and the event's organizers."""
    return organizer or (
        participant is not None and can_meet(participant) and is_attendee(meeting, participant)
    )
