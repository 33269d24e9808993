"""A message to the other side, an organizers' announcement, one's contact preferences. The forms
check the shape of the input; who may write to whom is the service's rule."""

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from ..models import MESSAGE_MAX, PHONE_MAX
from ..services.conversations import PHONE_PATTERN, SUBJECT_MAX
from . import strip


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("Your message"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Write a message first.")),
            Length(
                max=MESSAGE_MAX,
                message=_l("A message holds at most %(max)d characters."),
            ),
        ],
    )
    # The page to come back to (checked by safe_next_url); the thread's page otherwise.
    next = HiddenField()


class AnnouncementForm(FlaskForm):
    subject = StringField(
        _l("Subject"),
        filters=[strip],
        validators=[DataRequired(message=_l("Give a subject.")), Length(max=SUBJECT_MAX)],
    )
    body = TextAreaField(
        _l("Message to every participant"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Write a message first.")),
            Length(max=MESSAGE_MAX, message=_l("A message holds at most %(max)d characters.")),
        ],
    )
    # One key per page shown: posted twice (a double press, a resent POST), it sends once.
    key = HiddenField(default=lambda: uuid.uuid4().hex)


class ContactFields:
    """What a participant shares with the people they have an agreed meeting with."""

    contact_phone = StringField(
        _l("Phone"),
        filters=[strip],
        validators=[
            Length(max=PHONE_MAX),
            Regexp(
                PHONE_PATTERN.pattern + "$",
                message=_l("A phone number has digits, spaces and + ( ) - . / only."),
            ),
        ],
    )
    share_email = BooleanField(_l("Show my e-mail address to the people I have a meeting with"))
    share_phone = BooleanField(_l("Show my phone number to the people I have a meeting with"))


class ContactForm(FlaskForm, ContactFields):
    """The contact preferences on their own (on one's registration page)."""
