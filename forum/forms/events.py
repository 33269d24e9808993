"""Event set-up forms: the event, its status, meeting sessions and tables.

Forms check the shape of what was typed; rules that need the database or the event's time zone
(unique names, overlapping sessions, DST gaps) are the services' and come back as field errors.
"""

import re
from datetime import time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..models import EVENT_STATUSES, Event, MeetingSession, Table
from ..services.events import (
    SLOT_MINUTES_MAX,
    SLOT_MINUTES_MIN,
    SLUG_PATTERN,
    booth_candidates,
    canonical_timezones,
    to_local,
)
from ..services.web_addresses import web_address
from . import strip

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]
DEADLINE_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
APPROVAL_MODE_CHOICES = [
    SelectChoice("automatic", _l("Automatic: everyone who registers takes part")),
    SelectChoice("manual", _l("Manual: organizers approve each registration")),
]


class EventForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    venue = StringField(_l("Venue"), filters=[strip], validators=[Length(max=300)])
    description = TextAreaField(_l("Description"), filters=[strip], validators=[Length(max=20000)])
    timezone = SelectField(
        _l("Time zone"),
        choices=[SelectChoice(name) for name in canonical_timezones()],
        validators=[DataRequired()],
    )
    start_date = DateField(
        _l("First day"), validators=[DataRequired(message=_l("Give a date like 2027-05-11."))]
    )
    end_date = DateField(
        _l("Last day"), validators=[DataRequired(message=_l("Give a date like 2027-05-12."))]
    )
    registration_deadline = DateTimeLocalField(
        _l("Registration closes (local time)"), format=DEADLINE_FORMATS, validators=[Optional()]
    )
    request_deadline = DateTimeLocalField(
        _l("Meeting requests close (local time)"), format=DEADLINE_FORMATS, validators=[Optional()]
    )
    approval_mode = SelectField(
        _l("Registrations"), choices=APPROVAL_MODE_CHOICES, default="automatic"
    )
    max_requests = IntegerField(
        _l("Most meeting requests one participant may send"),
        validators=[Optional(), NumberRange(min=1, max=1000)],
    )

    DETAIL_FIELDS = (
        "name",
        "venue",
        "description",
        "timezone",
        "start_date",
        "end_date",
        "registration_deadline",
        "request_deadline",
        "approval_mode",
        "max_requests",
    )

    def keep_zone(self, timezone: str) -> None:
        """An event created under an old name of its zone (Asia/Calcutta) keeps it selectable."""
        if timezone not in canonical_timezones():
            self.timezone.choices = [*self.timezone.choices, SelectChoice(timezone)]

    @staticmethod
    def data_from(event: Event) -> dict:
        """The event as its organizer typed it: deadlines in the event's local time."""
        data = {name: getattr(event, name) for name in EventForm.DETAIL_FIELDS}
        for name in ("registration_deadline", "request_deadline"):
            if data[name] is not None:
                data[name] = to_local(data[name], event.timezone)
        return data

    def details(self) -> dict:
        return {name: self[name].data for name in self.DETAIL_FIELDS}

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError(_("The event cannot end before it starts."))


class NewEventForm(EventForm):
    slug = StringField(
        _l("Web address"), filters=[strip], validators=[DataRequired(), Length(min=3, max=80)]
    )

    def validate_slug(self, field):
        if not SLUG_PATTERN.match(field.data):
            raise ValidationError(
                _("Use lowercase letters, digits and single hyphens, like bio-2027.")
            )


class StatusForm(FlaskForm):
    target = HiddenField(validators=[AnyOf(EVENT_STATUSES)])


class PausesField(StringField):
    """Breaks typed as "10:30-10:45, 12:00-13:00"; its data is a list of (start, end) times."""

    BREAK = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$")
    MAX_LENGTH = 500

    def process_formdata(self, valuelist):
        self.data = []
        text = valuelist[0] if valuelist else ""
        if len(text) > self.MAX_LENGTH:
            raise ValueError(_("Keep this under %(max)d characters.", max=self.MAX_LENGTH))
        for part in filter(None, (part.strip() for part in re.split(r"[,;\n]", text))):
            match = self.BREAK.match(part)
            try:
                hours_from, minutes_from, hours_to, minutes_to = (
                    map(int, match.groups()) if match else (None,) * 4
                )
                self.data.append((time(hours_from, minutes_from), time(hours_to, minutes_to)))
            except (TypeError, ValueError):
                raise ValueError(
                    _("“%(part)s” is not a break like 10:30-10:45.", part=part[:40])
                ) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return ", ".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in self.data or [])


class SessionForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip], validators=[Length(max=120)])
    day = DateField(
        _l("Day"), validators=[DataRequired(message=_l("Give a date like 2027-05-11."))]
    )
    starts_at = TimeField(
        _l("Starts at"),
        format=TIME_FORMATS,
        validators=[DataRequired(message=_l("Give a time like 10:00."))],
    )
    ends_at = TimeField(
        _l("Ends at"),
        format=TIME_FORMATS,
        validators=[DataRequired(message=_l("Give a time like 12:30."))],
    )
    slot_minutes = IntegerField(
        _l("Slot length in minutes"),
        default=30,
        validators=[InputRequired(), NumberRange(min=SLOT_MINUTES_MIN, max=SLOT_MINUTES_MAX)],
    )
    pauses = PausesField(_l("Breaks"))

    DETAIL_FIELDS = ("name", "day", "starts_at", "ends_at", "slot_minutes", "pauses")

    @staticmethod
    def data_from(session: MeetingSession) -> dict:
        data = {
            name: getattr(session, name) for name in SessionForm.DETAIL_FIELDS if name != "pauses"
        }
        data["pauses"] = [(pause.starts_at, pause.ends_at) for pause in session.pauses]
        return data

    def details(self) -> dict:
        return {name: self[name].data for name in self.DETAIL_FIELDS}

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_("The session must end after it starts."))


class AddTablesForm(FlaskForm):
    count = IntegerField(
        _l("How many tables"), default=10, validators=[InputRequired(), NumberRange(min=1, max=200)]
    )
    prefix = StringField(
        _l("Name them"),
        default=_l("Table"),
        filters=[strip],
        validators=[DataRequired(), Length(max=60)],
    )


class TableForm(FlaskForm):
    """One table; `event` gives the participants who may own it as a booth."""

    number = IntegerField(
        _l("Number"), validators=[InputRequired(), NumberRange(min=1, max=100000)]
    )
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=80)])
    room = StringField(_l("Room"), filters=[strip], validators=[Length(max=120)])
    video_url = URLField(
        _l("Video meeting address"),
        filters=[strip],
        validators=[Optional(), Length(max=500)],
    )
    owner = SelectField(_l("Booth of"), coerce=int, default=0)

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {participant.id: participant for participant in booth_candidates(event)}
        self.owner.choices = [SelectChoice(0, _("— nobody (a shared table) —"))] + [
            SelectChoice(
                participant.id, f"{participant.user.name} ({participant.organisation.name})"
            )
            for participant in self.candidates.values()
        ]

    def validate_video_url(self, field):
        # the website check shared by every form and the imports (a typed scheme required here)
        if field.data and web_address(field.data, add_scheme=False) is None:
            raise ValidationError(_("Give an address like https://…"))

    @staticmethod
    def data_from(table: Table) -> dict:
        return {
            "number": table.number,
            "name": table.name,
            "room": table.room,
            "video_url": table.video_url,
            "owner": table.owner_id or 0,
        }

    def details(self) -> dict:
        return {
            "number": self.number.data,
            "name": self.name.data,
            "room": self.room.data,
            "video_url": self.video_url.data or None,
            "owner": self.candidates.get(self.owner.data),
        }
