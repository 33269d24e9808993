"""iCalendar (RFC 5545) for agendas: a participant's download and subscription feed, one meeting,
the organizer's whole event and one table, and the attachment of e-mails about changed meetings.

What keeps Google Calendar, Outlook, Apple Calendar and Thunderbird right when meetings move or
are cancelled:
- each meeting has one opaque UID for life (`Meeting.calendar_uid`), without personal data;
- SEQUENCE rises whenever a meeting's slot, table or status changes — counted once for every code
  path by the `before_flush` listener below — and DTSTAMP and LAST-MODIFIED are the stored change
  time, so an unchanged agenda gives identical bytes (the same ETag, hence 304 answers);
- a cancelled meeting stays in downloads, and in the feed for `CALENDAR_CANCELLED_RETENTION` days
  after the change, as STATUS:CANCELLED with its higher SEQUENCE: clients that keep events (an
  imported file, Outlook's and Apple's caches) learn of it instead of keeping a ghost;
- so does a meeting a publication took off the schedule (left unplaced by a re-run or by the
  organizer): the listener remembers its last slot (`Meeting.withdrawn_slot`), its entry is
  cancelled there, and the "agenda changed" e-mail attaches that entry; placed again, it comes back
  CONFIRMED at the new time with a still higher SEQUENCE. Deleting that slot forgets it;
- organizers' calendars (the event, a table) show only the current schedule: placed meetings;
- times are UTC instants (no VTIMEZONE for Outlook to reject); X-WR-TIMEZONE names the event's zone;
- there is no METHOD: a download or a feed publishes a calendar, it is not an iTIP invitation
  (with METHOD, Outlook and Gmail treat the file as a meeting request to answer).
The icalendar library escapes text, folds lines at 75 octets between UTF-8 characters and ends
every line with CRLF.
"""

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from itertools import groupby

import icalendar
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, func, inspect, or_, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, joinedload, selectinload

from ..extensions import db
from ..models import (
    Event,
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    Opportunity,
    Organisation,
    Participant,
    Slot,
    Table,
    User,
    utcnow,
)

CALENDAR_MIME_TYPE = "text/calendar"
PUBLISHED_EVENT_STATUSES = ("published", "closed")
PRODID = "-//Forum//Partnering agenda//EN"
REFRESH_INTERVAL = timedelta(hours=1)
FEED_TOKEN_BYTES = 32
FEED_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what secrets.token_urlsafe writes


# --- SEQUENCE bookkeeping --------------------------------------------------------------------

# (column, relationship): a placement can be changed through either; the relationship's key is
# only copied to the column later in the flush.
_PLACEMENT = (("slot_id", "slot"), ("table_id", "table"), ("status", None))
_NEW_TARGET = object()  # a slot or table not yet in the database: always a change


@sa_event.listens_for(Session, "before_flush")
def _count_calendar_changes(session: Session, flush_context, instances) -> None:
    """A meeting whose slot, table or status really changes gets SEQUENCE + 1 and a new change
    time, whichever code changed it (cancellation, publishing a schedule, a move); code that
    already raised SEQUENCE in this flush is not counted twice. A meeting taken off its slot
    remembers it as `withdrawn_slot`, and forgets it once it has a slot again."""
    touched = [obj for obj in session.dirty if isinstance(obj, Meeting) and _placement_touched(obj)]
    if not touched:
        return
    with session.no_autoflush:
        stored = {
            row.id: row
            for row in session.execute(
                select(
                    Meeting.id, Meeting.slot_id, Meeting.table_id, Meeting.status, Meeting.sequence
                ).where(Meeting.id.in_([meeting.id for meeting in touched]))
            )
        }
        now = utcnow()
        for meeting in touched:
            row = stored.get(meeting.id)
            placement = _placement(meeting)
            if row is None or placement == (row.slot_id, row.table_id, row.status):
                continue
            _remember_withdrawal(session, meeting, row.slot_id, placement[0])
            if not inspect(meeting).attrs.sequence.history.has_changes():
                meeting.sequence = row.sequence + 1
            meeting.updated_at = now


def _remember_withdrawal(
    session: Session, meeting: Meeting, stored_slot_id: int | None, new_slot
) -> None:
    if new_slot is not None:
        meeting.withdrawn_slot = None
    elif stored_slot_id is not None:
        meeting.withdrawn_slot = session.get(Slot, stored_slot_id)


def _placement_touched(meeting: Meeting) -> bool:
    attributes = inspect(meeting).attrs
    return any(
        attributes[name].history.has_changes()
        for pair in _PLACEMENT
        for name in pair
        if name is not None
    )


def _placement(meeting: Meeting) -> tuple:
    """(slot id, table id, status) as this flush will write them."""
    attributes = inspect(meeting).attrs
    values = []
    for column, relationship in _PLACEMENT:
        assigned = attributes[relationship].history.added if relationship else ()
        if assigned:
            target = assigned[0]
            values.append(
                None if target is None else (target.id if target.id is not None else _NEW_TARGET)
            )
        else:
            values.append(getattr(meeting, column))
    return tuple(values)


# --- which meetings ----------------------------------------------------------------------------


def cancelled_retention() -> timedelta:
    return timedelta(days=current_app.config["CALENDAR_CANCELLED_RETENTION"])


def _placed_meetings(with_withdrawn: bool = False):
    """Meetings with a published slot (the inner join) — or, `with_withdrawn`, the slot a
    publication took them off — in time order, with what their entries show."""
    shown_slot_id = (
        func.coalesce(Meeting.slot_id, Meeting.withdrawn_slot_id)
        if with_withdrawn
        else Meeting.slot_id
    )
    return (
        select(Meeting)
        .join(Slot, Slot.id == shown_slot_id)
        .options(  # each meeting's own rows joined; its attendees with their names in one more
            joinedload(Meeting.slot),
            joinedload(Meeting.withdrawn_slot),
            joinedload(Meeting.table),
            joinedload(Meeting.request).joinedload(MeetingRequest.opportunity),
            selectinload(Meeting.attendees)
            .joinedload(MeetingAttendee.participant)
            .joinedload(Participant.user),
            selectinload(Meeting.attendees)
            .joinedload(MeetingAttendee.participant)
            .joinedload(Participant.organisation),
        )
        .order_by(Slot.starts_at, Meeting.id)
    )


def is_published(event: Event) -> bool:
    return event.status in PUBLISHED_EVENT_STATUSES


def published_agenda(
    participant: Participant, cancelled_since: datetime | None = None
) -> list[Meeting]:
    """The participant's meetings on the published schedule (none before it is published);
    cancelled and withdrawn ones only if last changed at or after `cancelled_since`, all when None."""
    if not is_published(participant.event):
        return []
    query = _on_agenda(_placed_meetings(with_withdrawn=True), participant, cancelled_since)
    return list(db.session.scalars(query).unique())


def _on_agenda(query, participant: Participant, cancelled_since: datetime | None):
    """`query` over meetings narrowed to the participant's agenda (see `published_agenda`)."""
    query = query.join(Meeting.attendees).where(MeetingAttendee.participant_id == participant.id)
    if cancelled_since is not None:
        query = query.where(
            or_(
                and_(Meeting.status != "cancelled", Meeting.slot_id.is_not(None)),
                Meeting.updated_at >= cancelled_since,
            )
        )
    return query


def current_agenda(participant: Participant, now: datetime | None = None) -> list[Meeting]:
    """What the agenda page and the feed show: the published meetings and the recent cancellations
    (withdrawn meetings among them)."""
    return published_agenda(participant, cancelled_since=(now or utcnow()) - cancelled_retention())


def on_published_agenda(meeting: Meeting, participant: Participant) -> bool:
    """Whether the participant's calendars show `meeting` (placed, cancelled or withdrawn)."""
    return (
        meeting.calendar_slot is not None
        and is_published(meeting.event)
        and any(attendee.participant_id == participant.id for attendee in meeting.attendees)
    )


def last_change(event: Event) -> datetime | None:
    """The newest change among what the event's calendars show, for HTTP Last-Modified: any
    meeting of the event (a meeting leaving a feed changes it too) and any offer or need. Renamed
    people, organisations or tables change the bytes and the ETag, not this time."""
    times = [
        db.session.scalar(select(func.max(Meeting.updated_at)).where(Meeting.event_id == event.id)),
        db.session.scalar(
            select(func.max(Opportunity.updated_at)).where(Opportunity.event_id == event.id)
        ),
    ]
    return max((time for time in times if time is not None), default=None)


# Raise when what a feed shows changes with the code (a new line, a reworded text): every
# subscriber's client then fetches the new calendar once.
FEED_LAYOUT = "1"


def feed_etag(participant: Participant, now: datetime | None = None) -> str:
    """The ETag of the participant's feed, from a few narrow queries instead of the calendar, so
    that the hourly polls of thousands of subscribed clients are answered with 304 cheaply.

    It covers everything the feed shows: the event's name, venue, zone and status, the reader's
    language and organisation; each meeting on the agenda (which ones, so also a cancellation
    leaving it after the retention, its sequence and change time — every move, cancellation and
    withdrawal raises both — its slot's times, its table's name and room, its request's topic);
    its attendees, their names and organisations; and the offers and needs they show (count and
    newest change, which a withdrawal or an edit moves)."""
    event = participant.event
    parts: list[object] = [
        FEED_LAYOUT,
        current_app.config.get("BASE_URL"),
        participant.id,
        participant.organisation_id,
        participant.user.locale,
        event.slug,
        event.name,
        event.venue,
        event.timezone,
        event.status,
    ]
    if is_published(event):
        since = (now or utcnow()) - cancelled_retention()
        meetings = _agenda_fingerprint(participant, since)
        attendees = _attendee_fingerprint([row[0] for row in meetings])
        parts += [meetings, attendees, _opportunity_fingerprint({row[0] for row in attendees})]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _agenda_fingerprint(participant: Participant, since: datetime) -> list[tuple]:
    shown_slot_id = func.coalesce(Meeting.slot_id, Meeting.withdrawn_slot_id)
    query = (
        select(
            Meeting.id,
            Meeting.sequence,
            Meeting.updated_at,
            Meeting.status,
            Meeting.slot_id,
            Slot.starts_at,
            Slot.ends_at,
            Table.name,
            Table.room,
            MeetingRequest.opportunity_id,
        )
        .join(Slot, Slot.id == shown_slot_id)
        .outerjoin(Table, Table.id == Meeting.table_id)
        .outerjoin(MeetingRequest, MeetingRequest.id == Meeting.request_id)
        .order_by(Meeting.id)
    )
    return [tuple(row) for row in db.session.execute(_on_agenda(query, participant, since))]


def _attendee_fingerprint(meeting_ids: list[int]) -> list[tuple]:
    if not meeting_ids:
        return []
    rows = db.session.execute(
        select(
            MeetingAttendee.participant_id,
            MeetingAttendee.meeting_id,
            Participant.organisation_id,
            User.name,
            Organisation.name,
        )
        .join(Participant, Participant.id == MeetingAttendee.participant_id)
        .join(User, User.id == Participant.user_id)
        .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        .where(MeetingAttendee.meeting_id.in_(meeting_ids))
        .order_by(MeetingAttendee.meeting_id, MeetingAttendee.participant_id)
    )
    return [tuple(row) for row in rows]


def _opportunity_fingerprint(participant_ids: set[int]) -> list[tuple]:
    if not participant_ids:
        return []
    rows = db.session.execute(
        select(
            Opportunity.participant_id,
            func.count(Opportunity.id),
            func.max(Opportunity.updated_at),
            func.sum(Opportunity.id),
        )
        .where(Opportunity.participant_id.in_(participant_ids))
        .group_by(Opportunity.participant_id)
        .order_by(Opportunity.participant_id)
    )
    return [tuple(row) for row in rows]


def other_side(meeting: Meeting, viewer: Participant | None) -> list[Participant]:
    """Whom `viewer` meets: the attendees of other organisations (every attendee for organizers)."""
    people = sorted(
        (attendee.participant for attendee in meeting.attendees), key=lambda person: person.id
    )
    if viewer is None:
        return people
    others = [person for person in people if person.id != viewer.id]
    return [
        person for person in others if person.organisation_id != viewer.organisation_id
    ] or others


# --- feed token --------------------------------------------------------------------------------


def _token_for(participant_id: int, key: str) -> str:
    """The feed URL's secret: an HMAC of the participant's stored key under SECRET_KEY, so that
    the database alone (a backup, a dump) gives no working link."""
    digest = hmac.new(
        current_app.config["SECRET_KEY"].encode(),
        f"calendar-feed:{participant_id}:{key}".encode(),
        hashlib.sha256,
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def made_feed_token(participant: Participant) -> str | None:
    """The feed's secret when it is made and current (nothing to write), else None."""
    if participant.calendar_feed_key is None:
        return None
    token = _token_for(participant.id, participant.calendar_feed_key)
    return token if participant.calendar_feed_hash == _hash(token) else None


def feed_token(participant: Participant) -> str:
    """The secret of the participant's feed URL, created on first use (two first visits at once
    agree on one key). After SECRET_KEY changed, the link is made anew (the old one is dead)."""
    if participant.calendar_feed_key is None:
        key = secrets.token_urlsafe(FEED_TOKEN_BYTES)
        db.session.execute(
            update(Participant)
            .where(Participant.id == participant.id, Participant.calendar_feed_key.is_(None))
            .values(
                calendar_feed_key=key, calendar_feed_hash=_hash(_token_for(participant.id, key))
            )
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(participant, ["calendar_feed_key", "calendar_feed_hash"])
    # Set by the update above or by a first visit that won the race.
    assert participant.calendar_feed_key is not None
    token = _token_for(participant.id, participant.calendar_feed_key)
    if participant.calendar_feed_hash != _hash(token):
        participant.calendar_feed_hash = _hash(token)
        db.session.flush()
    return token


def reset_feed_token(participant: Participant) -> str:
    """A new feed URL; the old one answers 404 from now on."""
    key = secrets.token_urlsafe(FEED_TOKEN_BYTES)
    participant.calendar_feed_key = key
    participant.calendar_feed_hash = _hash(_token_for(participant.id, key))
    db.session.flush()
    return _token_for(participant.id, key)


def revoke_feed_token(participant: Participant) -> None:
    """No feed URL any more (a rejected registration): approved again, the participant gets a
    new one, never the old."""
    participant.calendar_feed_key = None
    participant.calendar_feed_hash = None
    db.session.flush()


def participant_for_feed(token: str) -> Participant | None:
    """The approved participant whose feed `token` opens, or None (unknown, reset or revoked)."""
    if not FEED_TOKEN_PATTERN.fullmatch(token):  # also keeps NUL and other junk away
        return None
    participant = db.session.scalar(
        select(Participant)
        .where(Participant.calendar_feed_hash == _hash(token))
        .options(joinedload(Participant.event), joinedload(Participant.user))
    )
    if participant is None or participant.status != "approved":
        return None
    # a link made under an earlier SECRET_KEY is dead even before its page shows the new one
    expected = _token_for(participant.id, participant.calendar_feed_key or "")
    return participant if hmac.compare_digest(expected, token) else None


# --- building the calendars --------------------------------------------------------------------


def agenda_download(participant: Participant) -> bytes:
    """The participant's published agenda with every cancellation and withdrawal, in their language."""
    return _participant_calendar(participant, published_agenda(participant))


def agenda_feed(participant: Participant, now: datetime | None = None) -> bytes:
    """The subscription feed: the current published agenda and the recent cancellations and withdrawals."""
    return _participant_calendar(participant, current_agenda(participant, now))


def meeting_download(meeting: Meeting, viewer: Participant | None) -> bytes:
    """One meeting as `viewer` (an attendee) sees it, or as organizers do when `viewer` is None
    (organizers see the current schedule: nothing for a withdrawn meeting)."""
    if viewer is not None:
        return _participant_calendar(viewer, [meeting] if meeting.calendar_slot is not None else [])
    return _build(
        meeting.event,
        meeting.event.name,
        [meeting] if meeting.slot_id is not None else [],
        viewer=None,
    )


def event_download(event: Event) -> bytes:
    """Every placed meeting of the event, for the organizers (summaries name all attendees)."""
    meetings = list(
        db.session.scalars(_placed_meetings().where(Meeting.event_id == event.id)).unique()
    )
    return _build(event, _("%(event)s: all meetings", event=event.name), meetings, viewer=None)


def table_download(table: Table) -> bytes:
    """The placed meetings at one table (a table sheet in a calendar)."""
    meetings = list(
        db.session.scalars(_placed_meetings().where(Meeting.table_id == table.id)).unique()
    )
    return _build(
        table.event,
        _("%(event)s: %(table)s", event=table.event.name, table=table.name),
        meetings,
        viewer=None,
    )


def meetings_attachment(participant: Participant, meetings: list[Meeting]) -> tuple[str, str, str]:
    """(file name, MIME type, text) of the meetings an e-mail to `participant` is about, for
    `send_mail(..., attachment=...)`; withdrawn meetings come as cancellations, meetings that were
    never on the published schedule are left out."""
    placed = sorted(
        (meeting for meeting in meetings if meeting.calendar_slot is not None),
        key=lambda meeting: (meeting.calendar_slot.starts_at, meeting.id),
    )
    data = _participant_calendar(participant, placed)
    return f"{participant.event.slug}-meetings.ics", CALENDAR_MIME_TYPE, data.decode("utf-8")


def _participant_calendar(participant: Participant, meetings: list[Meeting]) -> bytes:
    event = participant.event
    with force_locale(participant.user.locale or "en"):
        return _build(
            event, _("%(event)s: my meetings", event=event.name), meetings, viewer=participant
        )


def _build(event: Event, name: str, meetings: list[Meeting], viewer: Participant | None) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", icalendar.vText(name))
    calendar.add("x-wr-timezone", icalendar.vText(event.timezone))
    calendar.add(
        "refresh-interval", icalendar.vDuration(REFRESH_INTERVAL), parameters={"VALUE": "DURATION"}
    )
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL))
    shown = {meeting.id: other_side(meeting, viewer) for meeting in meetings}
    opportunities = _opportunities_of({person.id for people in shown.values() for person in people})
    for meeting in meetings:
        calendar.add_component(
            _entry(event, meeting, shown[meeting.id], opportunities, with_agenda=viewer is not None)
        )
    return calendar.to_ical()


def _entry(
    event: Event,
    meeting: Meeting,
    people: list[Participant],
    opportunities: dict[int, list[Opportunity]],
    with_agenda: bool,
) -> icalendar.Event:
    entry = icalendar.Event()
    entry.add("uid", meeting.calendar_uid)
    entry.add("dtstamp", meeting.updated_at)
    entry.add("last-modified", meeting.updated_at)
    entry.add("sequence", meeting.sequence)
    entry.add("dtstart", meeting.calendar_slot.starts_at)
    entry.add("dtend", meeting.calendar_slot.ends_at)
    entry.add(
        "status", "CANCELLED" if meeting.status == "cancelled" or meeting.withdrawn else "CONFIRMED"
    )
    entry.add("summary", _summary(meeting, people, with_agenda))
    entry.add("location", _location(event, meeting.table))
    entry.add("description", _description(event, meeting, people, opportunities, with_agenda))
    entry.add(
        "url",
        url_for("meetings.show_meeting", slug=event.slug, meeting_id=meeting.id, _external=True),
    )
    return entry


def _names(people: list[Participant]) -> str:
    """ "Kim, Lee (Org A); Park (Org B)": the people grouped by organisation."""

    def organisation(person):
        return person.organisation.name if person.organisation else ""

    groups = []
    for name, members in groupby(sorted(people, key=organisation), key=organisation):
        names = ", ".join(person.user.name for person in members)
        groups.append(f"{names} ({name})" if name else names)
    return "; ".join(groups)


def _summary(meeting: Meeting, people: list[Participant], for_attendee: bool) -> str:
    summary = (
        _("Meeting with %(people)s", people=_names(people))
        if for_attendee
        else _("Meeting: %(people)s", people=_names(people))
    )
    # Clients that ignore STATUS (or show it faintly) still say it is off.
    if meeting.status == "cancelled":
        return _("Cancelled: %(summary)s", summary=summary)
    if meeting.withdrawn:
        return _("Off the schedule: %(summary)s", summary=summary)
    return summary


def _location(event: Event, table: Table | None) -> str:
    parts = [table.name, table.room] if table is not None else []
    return ", ".join(part for part in (*parts, event.venue) if part)


def _opportunities_of(participant_ids: set[int]) -> dict[int, list[Opportunity]]:
    """The offers and needs each person shows in the marketplace (not withdrawn, not hidden)."""
    found: dict[int, list[Opportunity]] = {participant_id: [] for participant_id in participant_ids}
    if participant_ids:
        for opportunity in db.session.scalars(
            select(Opportunity)
            .where(
                Opportunity.participant_id.in_(participant_ids),
                Opportunity.withdrawn.is_(False),
                Opportunity.hidden.is_(False),
            )
            .order_by(Opportunity.created_at, Opportunity.id)
        ):
            found[opportunity.participant_id].append(opportunity)
    return found


def _description(
    event: Event,
    meeting: Meeting,
    people: list[Participant],
    opportunities: dict[int, list[Opportunity]],
    with_agenda: bool,
) -> str:
    lines = []
    for person in people:
        organisation = f" ({person.organisation.name})" if person.organisation else ""
        lines.append(f"{person.user.name}{organisation}")
        for kind, label in (("offer", _("Offers")), ("need", _("Needs"))):
            titles = [item.title for item in opportunities[person.id] if item.kind == kind]
            if titles:
                lines.append(f"{label}: {'; '.join(titles)}")
    topic = meeting.request.opportunity if meeting.request else None
    if topic is not None and not topic.hidden:
        lines.append(_("Requested about: %(title)s", title=topic.title))
    if with_agenda:
        lines.append(
            _(
                "Your agenda: %(url)s",
                url=url_for(
                    "calendars.agenda",
                    slug=event.slug,
                    _external=True,
                    _anchor=f"meeting-{meeting.id}",
                ),
            )
        )
    if meeting.table is not None and meeting.table.video_url:
        lines.append(_("Video: %(url)s", url=meeting.table.video_url))
    return "\n".join(lines)
