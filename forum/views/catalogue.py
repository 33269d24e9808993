"""The public catalogue across all events and the public page of an organisation (no sign-in)."""

from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from sqlalchemy import select
from wtforms import SelectChoice

from ..extensions import db
from ..forms.opportunities import KIND_NAMES, TYPE_NAMES, CatalogueFilterForm
from ..forms.registrations import ORGANISATION_KIND_NAMES
from ..models import Organisation
from ..services import catalogue
from ..services.paging import Page
from ..services.search import search_opportunities
from .common import page_number

bp = Blueprint("catalogue", __name__)


def _public_countries() -> list[SelectChoice]:
    """The countries of the public organisations, named in the reader's language."""
    codes = db.session.scalars(
        select(Organisation.country).where(Organisation.public.is_(True)).distinct()
    )
    names = get_locale().territories
    return sorted(
        (SelectChoice(code, names.get(code, code)) for code in codes),
        key=lambda choice: choice.label,
    )


def _names() -> dict:
    return {
        "kind_names": KIND_NAMES,
        "type_names": TYPE_NAMES,
        "organisation_kind_names": ORGANISATION_KIND_NAMES,
        "country_names": get_locale().territories,
    }


@bp.get("/catalogue")
def index():
    """The marketplace's search and filters over the public organisations' listed offers and
    needs of every event; areas are the classification's (each event's coded areas share them)."""
    form = CatalogueFilterForm(request.args, countries=_public_countries())
    results = Page()
    if form.validate():
        results = search_opportunities(None, form.search(page_number()))
    return render_template("catalogue/index.html", form=form, results=results, **_names())


@bp.get("/catalogue/organisations/<int:organisation_id>")
def organisation(organisation_id):
    shown = catalogue.public_organisation(organisation_id)
    if shown is None:
        abort(404)
    return render_template(
        "catalogue/organisation.html",
        organisation=shown,
        items=catalogue.catalogue_items_of(shown),
        events=catalogue.events_attended(shown),
        **_names(),
    )
