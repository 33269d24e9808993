"""Who the signed-in user is at an event: shared by the views and the templates, below both."""

from flask_login import current_user
from sqlalchemy import select

from .extensions import db
from .models import Event, Participant


def current_participant(event: Event) -> Participant | None:
    if not current_user.is_authenticated:
        return None
    return db.session.scalar(
        select(Participant).where(
            Participant.event_id == event.id, Participant.user_id == current_user.id
        )
    )


def can_organize(event: Event) -> bool:
    if not current_user.is_authenticated:
        return False
    if current_user.is_admin:
        return True
    participant = current_participant(event)
    return participant is not None and participant.is_organizer
