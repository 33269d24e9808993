"""The front page: events open to join and the user's own events."""

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Event, Participant

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    open_events = db.session.scalars(
        select(Event).where(Event.status != "draft").order_by(Event.start_date.desc())
    ).all()
    my_participations = []
    if current_user.is_authenticated:
        my_participations = db.session.scalars(
            select(Participant)
            .join(Event)
            .where(Participant.user_id == current_user.id)
            .order_by(Event.start_date.desc())
        ).all()
    return render_template(
        "main/index.html", open_events=open_events, my_participations=my_participations
    )
