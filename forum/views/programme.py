"""Programme pages: the public menu's pages and their images, and the organizers' editor."""

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _

from ..forms.programme import DefaultLanguageForm, ImageForm, ItemForm, page_form
from ..languages import available_languages, language_name
from ..models import Page, PageImage, ProgrammeItem
from ..services import ServiceError, programme
from .common import (
    can_organize,
    confirmation,
    get_event_or_404,
    get_owned_or_404,
    organizer_required,
    refuse,
)

bp = Blueprint("programme", __name__)

# Shared caches may keep a public event's images; a draft event's stay in the organizer's browser.
IMAGE_CACHE_CONTROL = {True: "public, max-age=3600, must-revalidate", False: "private, no-cache"}


@bp.get("/e/<slug>/pages/<page_slug>")
def page(slug, page_slug):
    event = get_event_or_404(slug)
    organizing = can_organize(event)
    shown = programme.page_by_slug(event, page_slug, drafts=organizing)
    if shown is None:
        abort(404)
    return render_template(
        "programme/page.html",
        event=event,
        page=shown,
        text=programme.shown_text(shown, event, str(get_locale())),
        language_name=language_name,
    )


@bp.get("/e/<slug>/pages/images/<key>")
def image(slug, key):
    """An image of the event's pages, for anyone who may see the event; revalidated by its ETag."""
    event = get_event_or_404(slug)
    stored = programme.image_by_key(event, key)
    if stored is None:
        abort(404)
    response = make_response(stored.data)
    response.headers["Content-Type"] = stored.content_type
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = IMAGE_CACHE_CONTROL[event.status != "draft"]
    response.set_etag(stored.digest)
    return response.make_conditional(request)


@bp.get("/e/<slug>/organize/pages")
@organizer_required
def manage(event):
    return render_template(
        "programme/manage.html",
        event=event,
        pages=programme.event_pages(event, drafts=True),
        language_form=DefaultLanguageForm(data={"language": event.default_language}),
        language_name=language_name,
    )


@bp.post("/e/<slug>/organize/pages/language")
@organizer_required
def default_language(event):
    form = DefaultLanguageForm()
    if form.validate_on_submit():
        try:
            programme.set_default_language(event, form.language.data, available_languages())
        except ServiceError as error:
            refuse(None, error)
        else:
            flash(_("Saved."), "success")
    else:
        flash(_("Choose one of the languages in the list."), "error")
    return redirect(url_for("programme.manage", slug=event.slug))


@bp.route("/e/<slug>/organize/pages/new", methods=["GET", "POST"])
@organizer_required
def new_page(event):
    form = page_form(available_languages())
    if form.validate_on_submit():
        try:
            created = programme.create_page(event, form.content())
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("The page is saved."), "success")
            return redirect(url_for("programme.edit_page", slug=event.slug, page_id=created.id))
    return render_template("programme/edit.html", event=event, form=form, page=None)


@bp.route("/e/<slug>/organize/pages/<int:page_id>", methods=["GET", "POST"])
@organizer_required
def edit_page(event, page_id):
    edited = get_owned_or_404(Page, page_id, event)
    form = page_form(available_languages(), data=_page_data(edited))
    if form.validate_on_submit():
        try:
            programme.save_page(edited, form.expected_version(), form.content())
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("The page is saved."), "success")
            return redirect(url_for("programme.edit_page", slug=event.slug, page_id=edited.id))
    return render_template(
        "programme/edit.html",
        event=event,
        form=form,
        page=edited,
        item_form=ItemForm(),
        images=programme.event_images(event),
    )


def _page_data(page: Page) -> dict:
    data = {
        "slug": page.slug,
        "kind": page.kind,
        "position": page.position,
        "published": page.published,
        "version": page.version,
    }
    for text in page.texts:
        data[f"title_{text.language}"] = text.title
        data[f"body_{text.language}"] = text.body
    return data


@bp.post("/e/<slug>/organize/pages/<int:page_id>/delete")
@organizer_required
def delete_page(event, page_id):
    deleted = get_owned_or_404(Page, page_id, event)
    question = confirmation(
        _("Delete the page “%(address)s”?", address=deleted.slug),
        [_("Its texts in every language and its talks are deleted. This cannot be undone.")],
        _("Delete the page"),
        url_for("programme.edit_page", slug=event.slug, page_id=deleted.id),
    )
    if question is not None:
        return question
    programme.delete_page(deleted)
    flash(_("The page is deleted."), "success")
    return redirect(url_for("programme.manage", slug=event.slug))


@bp.post("/e/<slug>/organize/pages/<int:page_id>/items")
@organizer_required
def add_item(event, page_id):
    edited = get_owned_or_404(Page, page_id, event)
    form = ItemForm()
    if form.validate_on_submit():
        try:
            programme.add_item(edited, **_item_fields(form))
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("The talk is added."), "success")
            return redirect(url_for("programme.edit_page", slug=event.slug, page_id=edited.id))
    return render_template(
        "programme/edit.html",
        event=event,
        form=page_form(available_languages(), formdata=None, data=_page_data(edited)),
        page=edited,
        item_form=form,
        images=programme.event_images(event),
    ), 400


def _item_fields(form: ItemForm) -> dict:
    names = ("day", "starts_at", "ends_at", "title", "speakers", "room")
    return {name: form[name].data for name in names}


@bp.post("/e/<slug>/organize/pages/<int:page_id>/items/<int:item_id>/delete")
@organizer_required
def remove_item(event, page_id, item_id):
    edited = get_owned_or_404(Page, page_id, event)
    item = _item_of(edited, item_id)
    programme.remove_item(item)
    flash(_("The talk is removed."), "success")
    return redirect(url_for("programme.edit_page", slug=event.slug, page_id=edited.id))


def _item_of(page: Page, item_id: int) -> ProgrammeItem:
    item = next((item for item in page.items if item.id == item_id), None)
    if item is None:
        abort(404)
    return item


@bp.route("/e/<slug>/organize/images", methods=["GET", "POST"])
@organizer_required
def images(event):
    form = ImageForm()
    if form.validate_on_submit():
        upload = form.image.data
        try:
            stored = programme.store_image(
                event, upload.filename or "", upload.read(programme.MAX_IMAGE_BYTES + 1)
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("The image is saved. Copy its Markdown into a page."), "success")
            return redirect(url_for("programme.images", slug=event.slug, _anchor=stored.key))
    return render_template(
        "programme/images.html",
        event=event,
        form=form,
        images=programme.event_images(event),
        max_megabytes=programme.MAX_IMAGE_BYTES // (1024 * 1024),
    ), (400 if form.errors else 200)


@bp.post("/e/<slug>/organize/images/<int:image_id>/delete")
@organizer_required
def remove_image(event, image_id):
    programme.remove_image(get_owned_or_404(PageImage, image_id, event))
    flash(_("The image is deleted. Pages that show it show its description instead."), "success")
    return redirect(url_for("programme.images", slug=event.slug))
