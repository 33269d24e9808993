"""An event's webhooks, for its organizers: the endpoints (address, kinds, secret) and each
endpoint's delivery log with "send again"."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..forms.webhooks import EndpointForm
from ..models import WebhookDelivery, WebhookEndpoint
from ..services import ServiceError, webhooks
from .common import confirmation, get_owned_or_404, organizer_required, refuse

bp = Blueprint("webhooks", __name__)


@bp.after_request
def _secret_pages_not_cached(response):
    """The pages may show an endpoint's secret: no shared cache keeps them."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _show_secret(event, endpoint, why: str, secret: str | None = None):
    """The secret's page; `why` is "added", "rolled" or "asked"."""
    return render_template(
        "webhooks/secret.html",
        event=event,
        endpoint=endpoint,
        why=why,
        secret=secret or webhooks.current_secret(endpoint),
    )


@bp.route("/e/<slug>/organize/webhooks", methods=["GET", "POST"])
@organizer_required
def index(event):
    form = EndpointForm()
    if form.validate_on_submit():
        try:
            endpoint = webhooks.create_endpoint(event, form.endpoint_input())
        except ServiceError as error:
            refuse(form, error)
        else:
            return _show_secret(event, endpoint, "added")
    return render_template(
        "webhooks/index.html",
        event=event,
        form=form,
        endpoints=webhooks.endpoints_of(event),
        kind_labels=webhooks.KIND_LABELS,
    )


@bp.route("/e/<slug>/organize/webhooks/<int:endpoint_id>", methods=["GET", "POST"])
@organizer_required
def endpoint(event, endpoint_id):
    """The endpoint's settings and its delivery log."""
    endpoint = get_owned_or_404(WebhookEndpoint, endpoint_id, event)
    form = EndpointForm(
        data={"url": endpoint.url, "kinds": endpoint.kind_list, "active": endpoint.active}
    )
    if form.validate_on_submit():
        try:
            webhooks.update_endpoint(endpoint, form.endpoint_input())
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("The webhook is saved."), "success")
            return redirect(url_for("webhooks.endpoint", slug=event.slug, endpoint_id=endpoint.id))
    return render_template(
        "webhooks/endpoint.html",
        event=event,
        endpoint=endpoint,
        form=form,
        deliveries=webhooks.deliveries_of(endpoint),
        status_labels=webhooks.STATUS_LABELS,
    )


@bp.post("/e/<slug>/organize/webhooks/<int:endpoint_id>/secret")
@organizer_required
def secret(event, endpoint_id):
    """The secret, shown on request (a POST: it appears in no address and no browser history)."""
    return _show_secret(event, get_owned_or_404(WebhookEndpoint, endpoint_id, event), "asked")


@bp.post("/e/<slug>/organize/webhooks/<int:endpoint_id>/roll")
@organizer_required
def roll_secret(event, endpoint_id):
    """A new secret, after a confirmation; the old one keeps signing for a day."""
    endpoint = get_owned_or_404(WebhookEndpoint, endpoint_id, event)
    back = url_for("webhooks.endpoint", slug=event.slug, endpoint_id=endpoint.id)
    page = confirmation(
        _("Roll this webhook's secret?"),
        [
            _("Forum makes a new secret and shows it once; give it to the receiving system."),
            _(
                "For 24 hours every message carries a signature under the old secret too"
                " (X-Forum-Signature-Previous), then only under the new one."
            ),
        ],
        _("Roll the secret"),
        back,
    )
    if page is not None:
        return page
    try:
        fresh = webhooks.roll_secret(endpoint)
    except ServiceError as error:
        refuse(None, error)
        return redirect(back)
    return _show_secret(event, endpoint, "rolled", fresh)


@bp.post("/e/<slug>/organize/webhooks/<int:endpoint_id>/delete")
@organizer_required
def delete(event, endpoint_id):
    endpoint = get_owned_or_404(WebhookEndpoint, endpoint_id, event)
    page = confirmation(
        _("Delete this webhook?"),
        [
            _(
                "Nothing more is sent to %(url)s, and its delivery log is deleted.",
                url=endpoint.url,
            ),
            _("This cannot be undone."),
        ],
        _("Delete the webhook"),
        url_for("webhooks.endpoint", slug=event.slug, endpoint_id=endpoint.id),
    )
    if page is not None:
        return page
    webhooks.delete_endpoint(endpoint)
    flash(_("The webhook is deleted."), "success")
    return redirect(url_for("webhooks.index", slug=event.slug))


@bp.post("/e/<slug>/organize/webhooks/deliveries/<int:delivery_id>/again")
@organizer_required
def send_again(event, delivery_id):
    delivery = get_owned_or_404(WebhookDelivery, delivery_id, event)
    try:
        webhooks.send_again(delivery)
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(_("The delivery is sent again."), "success")
    return redirect(url_for("webhooks.endpoint", slug=event.slug, endpoint_id=delivery.endpoint_id))
