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
from ..services.search import OpportunitySearch, search_opportunities

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
        results = search_opportunities(
            None,
            OpportunitySearch(
                text=form.q.data or "",
                kind=form.kind.data,
                type=form.type.data,
                area_code=form.area.data,
                trl_min=form.trl_min.data,
                trl_max=form.trl_max.data,
                country=form.country.data,
                organisation_kind=form.organisation_kind.data,
                sort=form.sort.data,
                page=max(1, request.args.get("page", 1, type=int)),
            ),
        )
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
