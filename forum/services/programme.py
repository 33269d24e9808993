"""An event's programme pages (docs/programme.md): free pages and programmes of talks written by
its organizers in each language Forum has, shown in a public menu once published, and the images
those pages show.

A page carries a version number. Saving names the version the organizer started from and changes
the page with one conditional UPDATE (`… WHERE version = :expected`): of two organizers saving
the same page, the second finds no row at that version and is told, with nothing of theirs kept,
instead of silently overwriting the first.
"""

import hashlib
import io
import re
import secrets
import warnings
from dataclasses import dataclass
from datetime import date, time

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..languages import language_name
from ..models import Event, Page, PageImage, PageText, ProgrammeItem, utcnow
from ..templating import local_date
from . import ServiceError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 25_000_000  # e.g. 5000 × 5000: far more than a floor plan needs
# What Pillow names the formats Forum keeps, and the type each is served with.
IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


@dataclass(frozen=True)
class PageContent:
    """What the organizer typed: the page's settings and a (title, body) per language."""

    slug: str
    kind: str
    position: int
    published: bool
    texts: dict[str, tuple[str, str]]


@dataclass(frozen=True)
class ShownText:
    """The text a reader sees, and whether it is in another language than theirs."""

    title: str
    body: str
    language: str
    fallback: bool


# --- reading ---------------------------------------------------------------------------------


def event_pages(event: Event, drafts: bool = False) -> list[Page]:
    """The event's pages in menu order: published ones only unless `drafts` (for organizers)."""
    query = select(Page).where(Page.event_id == event.id)
    if not drafts:
        query = query.where(Page.published)
    query = query.options(selectinload(Page.texts)).order_by(Page.position, Page.id)
    return list(db.session.scalars(query))


def page_by_slug(event: Event, slug: str, drafts: bool = False) -> Page | None:
    page = db.session.scalar(select(Page).where(Page.event_id == event.id, Page.slug == slug))
    return page if page is not None and (page.published or drafts) else None


def shown_text(page: Page, event: Event, language: str) -> ShownText | None:
    """The page in `language`, else in the event's default language, else in any language it has."""
    texts = {text.language: text for text in page.texts}
    for code in (language, event.default_language, *sorted(texts)):
        if code in texts:
            text = texts[code]
            return ShownText(text.title, text.body, code, fallback=code != language)
    return None


def menu(event: Event, language: str) -> list[tuple[str, str]]:
    """(slug, title in `language` or its fallback) of each published page, in menu order."""
    entries = []
    for page in event_pages(event):
        text = shown_text(page, event, language)
        entries.append((page.slug, text.title if text else page.slug))
    return entries


def image_by_key(event: Event, key: str) -> PageImage | None:
    return db.session.scalar(
        select(PageImage).where(PageImage.event_id == event.id, PageImage.key == key)
    )


def event_images(event: Event) -> list[PageImage]:
    return list(
        db.session.scalars(
            select(PageImage).where(PageImage.event_id == event.id).order_by(PageImage.id)
        )
    )


# --- writing pages ---------------------------------------------------------------------------


def set_default_language(event: Event, language: str, languages: list[str]) -> None:
    if language not in languages:
        raise ServiceError(_("Choose one of the languages in the list."), "language")
    event.default_language = language
    db.session.flush()


def create_page(event: Event, content: PageContent) -> Page:
    _check_content(event, None, content)
    page = Page(
        event_id=event.id,
        slug=content.slug,
        kind=content.kind,
        position=content.position,
        published=content.published,
        version=1,
    )
    db.session.add(page)
    db.session.flush()
    _replace_texts(page, content.texts)
    return page


def save_page(page: Page, expected_version: int, content: PageContent) -> None:
    """Save `content` over the page if nobody saved it since `expected_version`; else refuse."""
    event = db.session.get_one(Event, page.event_id)
    _check_content(event, page, content)
    changed = db.session.execute(
        update(Page)
        .where(Page.id == page.id, Page.version == expected_version)
        .values(
            slug=content.slug,
            kind=content.kind,
            position=content.position,
            published=content.published,
            version=Page.version + 1,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise ServiceError(
            _(
                "Someone else saved this page after you opened it, so your changes were not "
                "saved. What you typed is still in the form: open the page again to see their "
                "version, then make your changes there."
            )
        )
    db.session.expire(page)
    _replace_texts(page, content.texts)


def delete_page(page: Page) -> None:
    db.session.delete(page)
    db.session.flush()


def _check_content(event: Event, page: Page | None, content: PageContent) -> None:
    """Refuse a slug another page of the event has, and a page without a title in the event's
    default language (the text every reader falls back to)."""
    taken = db.session.scalar(
        select(Page.id).where(Page.event_id == event.id, Page.slug == content.slug)
    )
    if taken is not None and (page is None or taken != page.id):
        raise ServiceError(_("Another page of this event has this address."), "slug")
    title, _body = content.texts.get(event.default_language, ("", ""))
    if not title.strip():
        raise ServiceError(
            _(
                "Give the page a title in %(language)s, the event's default language: readers "
                "whose language has no text see that one.",
                language=language_name(event.default_language),
            ),
            f"title_{event.default_language}",
        )


def _replace_texts(page: Page, texts: dict[str, tuple[str, str]]) -> None:
    """One row per language with a title; a language left empty loses its text."""
    current = {
        text.language: text
        for text in db.session.scalars(select(PageText).where(PageText.page_id == page.id))
    }
    for language, (title, body) in texts.items():
        text = current.get(language)
        if not title.strip():
            if text is not None:
                db.session.delete(text)
        elif text is None:
            db.session.add(PageText(page_id=page.id, language=language, title=title, body=body))
        else:
            text.title, text.body = title, body
    db.session.flush()
    db.session.expire(page, ["texts"])


# --- programme items -------------------------------------------------------------------------


def add_item(
    page: Page,
    *,
    day: date,
    starts_at: time,
    ends_at: time,
    title: str,
    speakers: str,
    room: str,
) -> ProgrammeItem:
    """A talk or session, its times in the event's local time (as `MeetingSession` keeps them)."""
    event = db.session.get_one(Event, page.event_id)
    if page.kind != "programme":
        raise ServiceError(_("Only a programme page lists talks and sessions."))
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
        raise ServiceError(_("The talk must end after it starts."), "ends_at")
    item = ProgrammeItem(
        page_id=page.id,
        day=day,
        starts_at=starts_at,
        ends_at=ends_at,
        title=title,
        speakers=speakers,
        room=room,
    )
    db.session.add(item)
    db.session.flush()
    db.session.expire(page, ["items"])
    return item


def remove_item(item: ProgrammeItem) -> None:
    db.session.delete(item)
    db.session.flush()


# --- images ----------------------------------------------------------------------------------


def store_image(event: Event, name: str, data: bytes) -> PageImage:
    """Keep an uploaded image: decoded by Pillow whatever its name or declared type says, limited
    in bytes and pixels (a small file can unpack into gigabytes), and encoded again so that no
    metadata (camera, place, author) and nothing but pixels is served."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ServiceError(
            _("The image is larger than %(size)s MB.", size=MAX_IMAGE_BYTES // (1024 * 1024)),
            "image",
        )
    image_format, encoded, size = _reencode(data)
    image = PageImage(
        event_id=event.id,
        key=secrets.token_hex(16),
        name=_image_name(name),
        content_type=IMAGE_FORMATS[image_format],
        width=size[0],
        height=size[1],
        digest=hashlib.sha256(encoded).hexdigest(),
        data=encoded,
    )
    db.session.add(image)
    db.session.flush()
    return image


def _image_name(filename: str) -> str:
    """The file's name without folders, and without what would end Markdown's ![name](address)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return " ".join(re.sub(r"[\[\]()<>]", "", name).split())[:200]


def remove_image(image: PageImage) -> None:
    db.session.delete(image)
    db.session.flush()


def _unreadable() -> ServiceError:
    return ServiceError(
        _("This file is not a PNG, JPEG or WebP image, or it is damaged. Nothing was saved."),
        "image",
    )


def _too_many_pixels() -> ServiceError:
    return ServiceError(
        _(
            "The image has too many pixels: at most %(pixels)s million. Nothing was saved.",
            pixels=MAX_IMAGE_PIXELS // 1_000_000,
        ),
        "image",
    )


_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)


def _reencode(data: bytes) -> tuple[str, bytes, tuple[int, int]]:
    """(format, the image encoded again, (width, height)); refused unless it decodes fully. The
    pixel count is read from the header and checked before anything is decoded."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS)) as source:
                image_format, (width, height) = str(source.format), source.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _too_many_pixels()
                source.load()
                pixels = _without_metadata(source, image_format)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_many_pixels() from error
        except _UNREADABLE as error:
            raise _unreadable() from error
    output = io.BytesIO()
    pixels.save(output, format=image_format, **_SAVE_OPTIONS[image_format])
    return image_format, output.getvalue(), (width, height)


_SAVE_OPTIONS: dict[str, dict[str, object]] = {
    "PNG": {"optimize": True},
    "JPEG": {"quality": 88},
    "WEBP": {"quality": 88},
}


def _without_metadata(source: Image.Image, image_format: str) -> Image.Image:
    """A new image holding only the pixels (and a palette or transparency): nothing else of the file."""
    if image_format == "JPEG" and source.mode not in ("RGB", "L"):
        source = source.convert("RGB")
    elif source.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        source = source.convert("RGBA")
    copy = Image.new(source.mode, source.size)
    copy.paste(source)
    if source.mode == "P":
        copy.putpalette(source.getpalette() or [])
        if "transparency" in source.info:
            copy.info["transparency"] = source.info["transparency"]
    return copy
