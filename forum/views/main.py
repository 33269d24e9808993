"""The front page: events open to join and the user's own events; the visitor's language menu."""

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..forms.accounts import LanguageSwitchForm
from ..languages import CHOSEN_LANGUAGE
from ..models import Event, Participant
from .common import safe_next_url

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


@bp.post("/language")
def language():
    """Show the site in another language before signing in: kept in the session cookie, then
    back to the page the menu was on (a path on this site only)."""
    form = LanguageSwitchForm()
    if form.validate_on_submit():
        session[CHOSEN_LANGUAGE] = form.language.data
    else:
        flash(_("Choose a language from the list."), "error")
    return redirect(safe_next_url(form.next.data) or url_for("main.index"))
