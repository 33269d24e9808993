"""Event set-up: the event, its status, its meeting sessions (which generate the slots), its tables.

Sessions are kept in the event's local wall-clock time and slots as UTC instants, so a day with a
DST change keeps slots of one real length. A slot or table that any other row refers to (an
unavailability today, a meeting later) is never deleted: the change is refused and the message
names what it would affect.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString
from sqlalchemy import Column, delete, func, select

from ..extensions import db
from ..models import (
    EVENT_STATUSES,
    Event,
    MeetingSession,
    Participant,
    ScheduleRun,
    SessionPause,
    Slot,
    Table,
    Unavailability,
    utcnow,
)
from ..templating import event_time, local_date, local_time, short_day
from . import ServiceError, meeting_life
from .notifications import notify

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLOT_MINUTES_MIN, SLOT_MINUTES_MAX = 5, 240
STATUS_LABELS = {
    "draft": _l("draft"),
    "registration": _l("registration"),
    "requests": _l("meeting requests"),
    "scheduling": _l("scheduling"),
    "published": _l("published"),
    "closed": _l("closed"),
}
_SLOTS_NAMED_IN_MESSAGES = 6

Pause = tuple[time, time]


# --- local time ------------------------------------------------------------------------------


def to_utc(wall: datetime, timezone: str, field: str | None = None) -> datetime:
    """A local wall-clock time as a UTC instant; a time the clocks skip or repeat is refused."""
    zone = ZoneInfo(timezone)
    earlier, later = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() != later.utcoffset():
        names = {
            "time": wall.strftime("%H:%M"),
            "day": local_date(wall.date(), "full"),
            "timezone": timezone,
        }
        if earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
            raise ServiceError(
                _(
                    "%(time)s does not exist on %(day)s in %(timezone)s: the clocks move forward then. "
                    "Choose another time.",
                    **names,
                ),
                field,
            )
        raise ServiceError(
            _(
                "%(time)s happens twice on %(day)s in %(timezone)s: the clocks move back then. "
                "Choose another time.",
                **names,
            ),
            field,
        )
    return earlier.astimezone(UTC)


def to_local(instant: datetime, timezone: str) -> datetime:
    """A UTC instant as the naive wall-clock time of the event, as people type it in forms."""
    return instant.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def generate_slot_times(
    timezone: str,
    day: date,
    starts_at: time,
    ends_at: time,
    slot_minutes: int,
    pauses: list[Pause] = (),
) -> list[tuple[datetime, datetime]]:
    """The (start, end) UTC instants of a session's slots; pure, so it is tested on its own.

    Slots follow each other in real elapsed time; one that would overlap a pause starts again at
    the pause's end; one that would end after the session is not made.
    """
    start = to_utc(datetime.combine(day, starts_at), timezone, "starts_at")
    end = to_utc(datetime.combine(day, ends_at), timezone, "ends_at")
    breaks = [
        (
            to_utc(datetime.combine(day, pause_start), timezone, "pauses"),
            to_utc(datetime.combine(day, pause_end), timezone, "pauses"),
        )
        for pause_start, pause_end in pauses
    ]
    length = timedelta(minutes=slot_minutes)
    times, cursor = [], start
    while cursor + length <= end:
        slot_end = cursor + length
        overlapped_ends = [
            break_end
            for break_start, break_end in breaks
            if cursor < break_end and break_start < slot_end
        ]
        if overlapped_ends:
            cursor = max(overlapped_ends)
            continue
        times.append((cursor, slot_end))
        cursor = slot_end
    return times


# --- references from other tables ------------------------------------------------------------


def referencing_columns(model) -> list[Column]:
    """Every column anywhere in the schema with a foreign key to `model`'s id.

    Found through the metadata rather than listed, so tables added by later work (meetings…)
    protect slots and tables without this module knowing them.
    """
    target = model.__table__.c.id
    return [
        foreign_key.parent
        for table in db.metadata.tables.values()
        for foreign_key in table.foreign_keys
        if foreign_key.column is target
    ]


def _only_remembers(column: Column) -> bool:
    """A reference marked `info={"only_remembers": True}` (a meeting's withdrawn slot) remembers
    a row without using it: deleting the row clears it (ON DELETE SET NULL, in the database)."""
    return bool(column.info.get("only_remembers"))


def _follows_session_edits(column: Column) -> bool:
    """A reference marked `info={"follows_session_edits": True}` (a participant's unavailability)
    moves to the new slots when a change drops its slot (`_move_marks`) instead of blocking it."""
    return bool(column.info.get("follows_session_edits"))


def using_columns(model) -> list[Column]:
    """The columns whose references keep a row of `model` from being deleted."""
    return [
        column
        for column in referencing_columns(model)
        if not _only_remembers(column) and not _follows_session_edits(column)
    ]


def ids_in_use(model, ids) -> set[int]:
    """Which of these ids of `model` some other row uses."""
    ids = list(ids)
    used: set[int] = set()
    if not ids:
        return used
    for column in using_columns(model):
        used.update(db.session.scalars(select(column).where(column.in_(ids)).distinct()))
    return used


def _describe_slots(slots: list[Slot], timezone: str) -> str:
    """ "Tue, May 11 10:00, 10:30, Wed, May 12 09:00 …": the day is named only when it changes."""
    parts, previous_day = [], None
    for slot in sorted(slots, key=lambda slot: slot.starts_at)[:_SLOTS_NAMED_IN_MESSAGES]:
        day = slot.starts_at.astimezone(ZoneInfo(timezone)).date()
        clock = event_time(slot.starts_at, timezone, "HH:mm")
        parts.append(clock if day == previous_day else f"{short_day(day)} {clock}")
        previous_day = day
    return ", ".join(parts) + (" …" if len(slots) > _SLOTS_NAMED_IN_MESSAGES else "")


def refuse_if_slots_in_use(event: Event, slots: list[Slot], field: str | None = None) -> None:
    """Refuse a change that would delete slots other rows refer to, naming those slots."""
    used_ids = ids_in_use(Slot, [slot.id for slot in slots if slot.id is not None])
    if used_ids:
        used = [slot for slot in slots if slot.id in used_ids]
        raise ServiceError(
            ngettext(
                "%(num)d slot that would disappear is in use: %(slots)s. "
                "Move or cancel what uses it first.",
                "%(num)d slots that would disappear are in use: %(slots)s. "
                "Move or cancel what uses them first.",
                len(used),
                slots=_describe_slots(used, event.timezone),
            ),
            field,
        )


# --- the event -------------------------------------------------------------------------------


# Where an organizer with no event yet most likely meets, by the language they read.
_ZONE_OF_LANGUAGE = {"ko": "Asia/Seoul"}


@cache
def canonical_timezones() -> list[str]:
    """The zones a new event may choose: the IANA names of tzdata's zone1970.tab and zone.tab
    (one per region, never a deprecated alias such as Asia/Calcutta or US/Eastern), and UTC."""
    folder = resources.files("tzdata") / "zoneinfo"
    names = set()
    for table in ("zone1970.tab", "zone.tab"):
        for line in (folder / table).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                names.add(line.split("\t")[2])
    return [*sorted(names), "UTC"]


def usual_timezone(user, language: str) -> tuple[str, bool]:
    """The zone a new event of `user` starts in, and whether it is known (their last event's)
    rather than guessed from their language (the browser may then guess better)."""
    last = db.session.scalar(
        select(Event.timezone)
        .join(Participant, Participant.event_id == Event.id)
        .where(Participant.user_id == user.id, Participant.role == "organizer")
        .order_by(Event.created_at.desc(), Event.id.desc())
        .limit(1)
    )
    if last is not None:
        return last, True
    return _ZONE_OF_LANGUAGE.get(language, "UTC"), False


def _check_timezone(timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ServiceError(_("Choose a time zone from the list."), "timezone") from None


def _deadline(wall: datetime | None, timezone: str, field: str) -> datetime | None:
    return None if wall is None else to_utc(wall, timezone, field)


def create_event(
    creator,
    *,
    slug: str,
    name: str,
    venue: str,
    description: str,
    timezone: str,
    start_date: date,
    end_date: date,
    registration_deadline: datetime | None,
    request_deadline: datetime | None,
    approval_mode: str,
    max_requests: int | None,
) -> Event:
    """A new draft event; its creator becomes its first organizer. Deadlines are local wall times."""
    if not SLUG_PATTERN.match(slug):
        raise ServiceError(_("Use lowercase letters, digits and single hyphens."), "slug")
    if db.session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        raise ServiceError(
            _("Another event uses this address already. Choose another one."), "slug"
        )
    _check_timezone(timezone)
    if end_date < start_date:
        raise ServiceError(_("The event cannot end before it starts."), "end_date")
    event = Event(
        slug=slug,
        name=name,
        venue=venue,
        description=description,
        timezone=timezone,
        start_date=start_date,
        end_date=end_date,
        status="draft",
        registration_deadline=_deadline(registration_deadline, timezone, "registration_deadline"),
        request_deadline=_deadline(request_deadline, timezone, "request_deadline"),
        approval_mode=approval_mode,
        max_requests=max_requests,
    )
    db.session.add(event)
    db.session.add(Participant(event=event, user=creator, role="organizer", status="approved"))
    db.session.flush()
    return event


def update_event(
    event: Event,
    *,
    name: str,
    venue: str,
    description: str,
    timezone: str,
    start_date: date,
    end_date: date,
    registration_deadline: datetime | None,
    request_deadline: datetime | None,
    approval_mode: str,
    max_requests: int | None,
) -> None:
    """Change the event's settings. A new time zone moves every slot (sessions keep their local
    times), so it is refused when slots with meetings (or draft placements) would move;
    participants' unavailability moves along (`_replace_slots`)."""
    _check_timezone(timezone)
    if timezone != event.timezone:
        meeting_life.lock_event_for_meetings(event)  # and availability saves (`_move_marks`)
    if end_date < start_date:
        raise ServiceError(_("The event cannot end before it starts."), "end_date")
    for session in event.sessions:
        if not start_date <= session.day <= end_date:
            raise ServiceError(
                _(
                    "The session “%(session)s” on %(day)s is outside these dates. Move or delete it first.",
                    session=session_label(session),
                    day=local_date(session.day),
                ),
                "start_date",
            )
    new_slot_times = {}
    if timezone != event.timezone:
        for session in event.sessions:
            try:
                new_slot_times[session] = _slot_times(
                    timezone,
                    session.day,
                    session.starts_at,
                    session.ends_at,
                    session.slot_minutes,
                    _pauses_of(session),
                )
            except ServiceError as error:
                raise ServiceError(
                    _(
                        "Session “%(session)s”: %(problem)s",
                        session=session_label(session),
                        problem=error.message,
                    ),
                    "timezone",
                ) from None
        moved = [
            slot
            for session, times in new_slot_times.items()
            for slot in _slots_not_in(session, times)
        ]
        refuse_if_slots_in_use(event, moved, "timezone")
    registration_deadline = _deadline(registration_deadline, timezone, "registration_deadline")
    request_deadline = _deadline(request_deadline, timezone, "request_deadline")
    for session, times in new_slot_times.items():
        _replace_slots(session, times, event.timezone, timezone)
    event.name, event.venue, event.description, event.timezone = name, venue, description, timezone
    event.start_date, event.end_date = start_date, end_date
    event.registration_deadline, event.request_deadline = registration_deadline, request_deadline
    event.approval_mode, event.max_requests = approval_mode, max_requests
    db.session.flush()


# --- status ----------------------------------------------------------------------------------


def _count(statement) -> int:
    return db.session.scalar(statement) or 0


def _slot_count(event: Event) -> int:
    return _count(
        select(func.count(Slot.id)).join(MeetingSession).where(MeetingSession.event_id == event.id)
    )


def _table_count(event: Event) -> int:
    return _count(select(func.count(Table.id)).where(Table.event_id == event.id))


def _has_published_run(event: Event) -> bool:
    published = select(ScheduleRun.id).where(
        ScheduleRun.event_id == event.id, ScheduleRun.published_at.is_not(None)
    )
    return db.session.scalar(published.limit(1)) is not None


def _deadline_passed(deadline: datetime | None) -> bool:
    return deadline is not None and deadline <= utcnow()


def _problems_moving_to(event: Event, target: str) -> list[str]:
    """Why the event cannot move to `target` (nothing when it can)."""
    problems = []
    if target == "registration":
        if not event.sessions:
            problems.append(
                _(
                    "Add at least one meeting session first: participants mark when they are "
                    "not available when they register."
                )
            )
        if _deadline_passed(event.registration_deadline):
            problems.append(
                _("The registration deadline has passed; change it in the settings first.")
            )
    if target in ("requests", "scheduling", "published") and _slot_count(event) == 0:
        problems.append(_("Add a meeting session with at least one slot first."))
    if target == "requests" and _deadline_passed(event.request_deadline):
        problems.append(
            _("The deadline for meeting requests has passed; change it in the settings first.")
        )
    if target in ("scheduling", "published") and _table_count(event) == 0:
        problems.append(_("Add tables first: meetings are placed at tables."))
    if target == "published" and not _has_published_run(event):
        problems.append(
            _(
                "Publish a schedule from the scheduler first: until then participants would "
                "see an empty agenda."
            )
        )
    if target == "draft":
        registered = _count(
            select(func.count(Participant.id)).where(
                Participant.event_id == event.id, Participant.role != "organizer"
            )
        )
        if registered:
            problems.append(
                ngettext(
                    "%(num)d person has registered already; a draft event is hidden from them.",
                    "%(num)d people have registered already; a draft event is hidden from them.",
                    registered,
                )
            )
    return problems


def status_problems(event: Event) -> dict[str, list[str]]:
    """For each neighbouring status, what stops the event from moving there (for the dashboard)."""
    index = EVENT_STATUSES.index(event.status)
    neighbours = [EVENT_STATUSES[i] for i in (index - 1, index + 1) if 0 <= i < len(EVENT_STATUSES)]
    return {status: _problems_moving_to(event, status) for status in neighbours}


def change_status(event: Event, target: str) -> None:
    """Move the event one step forward or back; the target is named so a stale page cannot jump two steps."""
    if target not in EVENT_STATUSES:
        raise ServiceError(_("This status does not exist."))
    if target == event.status:
        raise ServiceError(_("The event is in %(status)s already.", status=STATUS_LABELS[target]))
    if abs(EVENT_STATUSES.index(target) - EVENT_STATUSES.index(event.status)) != 1:
        raise ServiceError(
            _(
                "The event is in %(status)s; it moves one step at a time.",
                status=STATUS_LABELS[event.status],
            )
        )
    problems = _problems_moving_to(event, target)
    if problems:
        raise ServiceError(
            _(
                "The event cannot move to %(status)s: %(problems)s",
                status=STATUS_LABELS[target],
                problems=" ".join(problems),
            )
        )
    event.status = target
    db.session.flush()


# --- meeting sessions ------------------------------------------------------------------------


def session_label(session: MeetingSession) -> str:
    return session.name or _(
        "%(start)s–%(end)s", start=local_time(session.starts_at), end=local_time(session.ends_at)
    )


def clock_changes_during(session: MeetingSession, timezone: str) -> bool:
    """Whether the clocks move during the session, so its slot times need their zone to be told apart."""
    zone = ZoneInfo(timezone)
    return len({slot.starts_at.astimezone(zone).utcoffset() for slot in session.slots}) > 1


def _pauses_of(session: MeetingSession) -> list[Pause]:
    return [(pause.starts_at, pause.ends_at) for pause in session.pauses]


def _slot_times(
    timezone: str, day: date, starts_at: time, ends_at: time, slot_minutes: int, pauses: list[Pause]
) -> list[tuple[datetime, datetime]]:
    times = generate_slot_times(timezone, day, starts_at, ends_at, slot_minutes, pauses)
    if not times:
        raise ServiceError(
            _("Not one slot of %(minutes)d minutes fits in this session.", minutes=slot_minutes),
            "slot_minutes",
        )
    return times


def _check_session(
    event: Event,
    session: MeetingSession | None,
    day: date,
    starts_at: time,
    ends_at: time,
    slot_minutes: int,
    pauses: list[Pause],
) -> list[tuple[datetime, datetime]]:
    """The slot times of a valid session; anything wrong is refused at the field it concerns."""
    if not event.start_date <= day <= event.end_date:
        raise ServiceError(
            _(
                "Choose a day between %(start)s and %(end)s.",
                start=local_date(event.start_date),
                end=local_date(event.end_date),
            ),
            "day",
        )
    if ends_at <= starts_at:
        raise ServiceError(_("The session must end after it starts."), "ends_at")
    if not SLOT_MINUTES_MIN <= slot_minutes <= SLOT_MINUTES_MAX:
        raise ServiceError(
            _(
                "Slots last between %(min)d and %(max)d minutes.",
                min=SLOT_MINUTES_MIN,
                max=SLOT_MINUTES_MAX,
            ),
            "slot_minutes",
        )
    previous_end = None
    for pause_start, pause_end in sorted(pauses):
        if pause_end <= pause_start:
            raise ServiceError(
                _(
                    "The break %(start)s–%(end)s ends before it starts.",
                    start=local_time(pause_start),
                    end=local_time(pause_end),
                ),
                "pauses",
            )
        if pause_start < starts_at or pause_end > ends_at:
            raise ServiceError(
                _(
                    "The break %(start)s–%(end)s is not inside the session.",
                    start=local_time(pause_start),
                    end=local_time(pause_end),
                ),
                "pauses",
            )
        if previous_end is not None and pause_start < previous_end:
            raise ServiceError(
                _(
                    "The break %(start)s–%(end)s overlaps the one before it.",
                    start=local_time(pause_start),
                    end=local_time(pause_end),
                ),
                "pauses",
            )
        previous_end = pause_end
    other = db.session.scalar(
        select(MeetingSession)
        .where(
            MeetingSession.event_id == event.id,
            MeetingSession.day == day,
            MeetingSession.starts_at < ends_at,
            MeetingSession.ends_at > starts_at,
            MeetingSession.id != (session.id if session is not None else -1),
        )
        .order_by(MeetingSession.starts_at, MeetingSession.id)  # the first one it overlaps
        .limit(1)
    )
    if other is not None:
        raise ServiceError(
            _(
                "This overlaps the session “%(session)s” (%(day)s, %(start)s–%(end)s).",
                session=session_label(other),
                day=local_date(other.day),
                start=local_time(other.starts_at),
                end=local_time(other.ends_at),
            ),
            "starts_at",
        )
    return _slot_times(event.timezone, day, starts_at, ends_at, slot_minutes, pauses)


def _slots_not_in(session: MeetingSession, times) -> list[Slot]:
    wanted = set(times)
    return [slot for slot in session.slots if (slot.starts_at, slot.ends_at) not in wanted]


def _replace_slots(
    session: MeetingSession, times, timezone: str, new_timezone: str | None = None
) -> None:
    """Keep the slots whose start and end stay (same id), delete the others, add the new ones;
    participants' unavailability in a deleted slot moves to the new slots at the same local time."""
    dropped = _slots_not_in(session, times)
    marks = _take_marks(dropped, timezone)
    for slot in dropped:
        session.slots.remove(slot)
    # Deleted first: a new slot may start when a dropped one did (unique per session).
    db.session.flush()
    kept = {(slot.starts_at, slot.ends_at) for slot in session.slots}
    session.slots.extend(
        Slot(starts_at=start, ends_at=end) for start, end in times if (start, end) not in kept
    )
    db.session.flush()
    cleared = _move_marks(session, new_timezone or timezone, marks)
    _tell_moved(session, marks, cleared)


def create_session(
    event: Event,
    *,
    name: str,
    day: date,
    starts_at: time,
    ends_at: time,
    slot_minutes: int,
    pauses: list[Pause],
) -> MeetingSession:
    times = _check_session(event, None, day, starts_at, ends_at, slot_minutes, pauses)
    session = MeetingSession(
        event=event,
        name=name,
        day=day,
        starts_at=starts_at,
        ends_at=ends_at,
        slot_minutes=slot_minutes,
        pauses=[SessionPause(starts_at=start, ends_at=end) for start, end in sorted(pauses)],
        slots=[Slot(starts_at=start, ends_at=end) for start, end in times],
    )
    db.session.add(session)
    db.session.flush()
    return session


def update_session(
    session: MeetingSession,
    *,
    name: str,
    day: date,
    starts_at: time,
    ends_at: time,
    slot_minutes: int,
    pauses: list[Pause],
) -> None:
    """Change a session and regenerate its slots; refused when a slot with a meeting would
    disappear. Participants' unavailability follows the new slots (`_replace_slots`)."""
    meeting_life.lock_event_for_meetings(session.event)  # and availability saves (`_move_marks`)
    times = _check_session(session.event, session, day, starts_at, ends_at, slot_minutes, pauses)
    refuse_if_slots_in_use(session.event, _slots_not_in(session, times))
    session.name, session.day, session.starts_at, session.ends_at = name, day, starts_at, ends_at
    session.slot_minutes = slot_minutes
    if sorted(pauses) != _pauses_of(session):
        session.pauses = [
            SessionPause(starts_at=start, ends_at=end) for start, end in sorted(pauses)
        ]
    _replace_slots(session, times, session.event.timezone)


def session_deletion_refusal(session: MeetingSession) -> str | None:
    """Why the session cannot be deleted (slots in use), or None."""
    try:
        refuse_if_slots_in_use(session.event, list(session.slots))
    except ServiceError as error:
        return error.message
    return None


def delete_session(session: MeetingSession) -> None:
    """Delete a session without meetings; its participants' unavailability goes with it, and
    they are told."""
    meeting_life.lock_event_for_meetings(session.event)
    refuse_if_slots_in_use(session.event, list(session.slots))
    marks = _take_marks(list(session.slots), session.event.timezone)
    _tell_moved(session, marks, marks)
    db.session.delete(session)
    db.session.flush()


# --- unavailability through slot changes -----------------------------------------------------

# participant id → the local wall-clock (start, end) of the marked slots a change deletes
Marks = dict[int, list[tuple[datetime, datetime]]]


def _local_span(slot: Slot, timezone: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(timezone)
    return (
        slot.starts_at.astimezone(zone).replace(tzinfo=None),
        slot.ends_at.astimezone(zone).replace(tzinfo=None),
    )


def _take_marks(slots: list[Slot], timezone: str) -> Marks:
    """Delete the unavailability marks in `slots` (about to be deleted, which the database would
    refuse while marks point at them) and return them in local time."""
    by_id = {slot.id: slot for slot in slots if slot.id is not None}
    marks: Marks = {}
    if not by_id:
        return marks
    rows = db.session.execute(
        select(Unavailability.participant_id, Unavailability.slot_id)
        .where(Unavailability.slot_id.in_(by_id))
        .order_by(Unavailability.participant_id, Unavailability.slot_id)
    ).all()
    for participant_id, slot_id in rows:
        marks.setdefault(participant_id, []).append(_local_span(by_id[slot_id], timezone))
    db.session.execute(
        delete(Unavailability)
        .where(Unavailability.slot_id.in_(by_id))
        .execution_options(synchronize_session=False)
    )
    return marks


def _move_marks(session: MeetingSession, timezone: str, marks: Marks) -> Marks:
    """Mark each participant unavailable in the session's slots that overlap (in local time) a
    deleted slot they had marked; return the marks no slot overlaps any more (cleared)."""
    spans = {slot.id: _local_span(slot, timezone) for slot in session.slots}
    cleared: Marks = {}
    for participant_id, deleted in marks.items():
        taken = set(
            db.session.scalars(
                select(Unavailability.slot_id).where(
                    Unavailability.participant_id == participant_id,
                    Unavailability.slot_id.in_(spans),
                )
            )
        )
        for start, end in deleted:
            overlapping = {key for key, (low, high) in spans.items() if low < end and start < high}
            if not overlapping:
                cleared.setdefault(participant_id, []).append((start, end))
            db.session.add_all(
                Unavailability(participant_id=participant_id, slot_id=slot_id)
                for slot_id in sorted(overlapping - taken)
            )
            taken |= overlapping
    db.session.flush()
    return cleared


def _tell_moved(session: MeetingSession, marks: Marks, cleared: Marks) -> None:
    """Tell each participant whose unavailability a change moved or cleared, in their language."""
    event = session.event
    link = url_for("availability.edit", slug=event.slug)
    name = session.name or f"{session.starts_at:%H:%M}–{session.ends_at:%H:%M}"
    subject = LazyString(_moved_marks_subject, event.name, name)
    for participant_id in marks:
        body = LazyString(_moved_marks_message, cleared.get(participant_id, []))
        notify(db.session.get_one(Participant, participant_id), subject, body, link=link)


def _moved_marks_subject(event_name: str, session_name: str) -> str:
    return str(
        _(
            "%(event)s: the times of the session “%(session)s” changed",
            event=event_name,
            session=session_name,
        )
    )


def _moved_marks_message(gone: list[tuple[datetime, datetime]]) -> str:
    if not gone:
        return str(
            _(
                "The organizers changed the slots of this session. The times you had marked as "
                "not available now cover the new slots that overlap them. Please check when you "
                "are not available."
            )
        )
    times = ", ".join(
        f"{short_day(start.date())} {start:%H:%M}–{end:%H:%M}" for start, end in sorted(gone)
    )
    return str(
        _(
            "The organizers changed the slots of this session. These times you had marked as not "
            "available no longer exist: %(times)s. Please check again when you are not "
            "available.",
            times=times,
        )
    )


# --- tables ----------------------------------------------------------------------------------


def add_tables(event: Event, count: int, prefix: str) -> list[Table]:
    """`count` tables numbered after the last one and named "<prefix> <number>"."""
    if count < 1:
        raise ServiceError(_("Add at least one table."), "count")
    first = _count(select(func.max(Table.number)).where(Table.event_id == event.id)) + 1
    tables = [
        Table(number=number, name=f"{prefix} {number}") for number in range(first, first + count)
    ]
    taken = db.session.scalar(
        select(Table.name)
        .where(Table.event_id == event.id, Table.name.in_([table.name for table in tables]))
        .limit(1)
    )
    if taken is not None:
        raise ServiceError(
            _("A table is called “%(name)s” already. Choose another prefix.", name=taken), "prefix"
        )
    event.tables.extend(tables)
    db.session.flush()
    return tables


def booth_candidates(event: Event) -> list[Participant]:
    """Who may own a table as a booth: the approved participants (not organizers) of the event."""
    return db.session.scalars(
        select(Participant)
        .where(
            Participant.event_id == event.id,
            Participant.status == "approved",
            Participant.role == "participant",
        )
        .order_by(Participant.id)
    ).all()


def update_table(
    table: Table,
    *,
    number: int,
    name: str,
    room: str,
    video_url: str | None,
    owner: Participant | None,
) -> None:
    others = select(Table).where(Table.event_id == table.event_id, Table.id != table.id)
    if db.session.scalar(others.where(Table.number == number).limit(1)) is not None:
        raise ServiceError(_("Another table has number %(number)d.", number=number), "number")
    if db.session.scalar(others.where(Table.name == name).limit(1)) is not None:
        raise ServiceError(_("Another table is called “%(name)s”.", name=name), "name")
    if owner is not None:
        if owner not in booth_candidates(table.event):
            raise ServiceError(
                _("A booth belongs to an approved participant of this event."), "owner"
            )
        booth = db.session.scalar(others.where(Table.owner_id == owner.id).limit(1))
        if booth is not None:
            raise ServiceError(
                _("This participant has a booth at “%(table)s” already.", table=booth.name), "owner"
            )
    table.number, table.name, table.room, table.video_url, table.owner = (
        number,
        name,
        room,
        video_url,
        owner,
    )
    db.session.flush()


# What a row of these tables is, in the organizer's words (a table added later reads "other records").
_USER_WORDS = {"meeting": _l("a meeting"), "draft_placement": _l("a draft schedule")}


def table_deletion_refusal(table: Table) -> str | None:
    """Why the table cannot be deleted (meetings or anything else refer to it), or None."""
    users = sorted(
        {
            str(_USER_WORDS.get(column.table.name, _l("other records")))
            for column in using_columns(Table)
            if db.session.scalar(select(column).where(column == table.id).limit(1)) is not None
        }
    )
    if not users:
        return None
    refusal: str = _(
        "“%(table)s” is in use (%(where)s) and cannot be deleted.",
        table=table.name,
        where=", ".join(users),
    )
    return refusal


def delete_table(table: Table) -> None:
    """Delete a table nothing refers to; a table with meetings (or anything else) is refused."""
    refusal = table_deletion_refusal(table)
    if refusal:
        raise ServiceError(refusal)
    db.session.delete(table)
    db.session.flush()
