"""What one person does in the browser, in their own language: the steps the journey is written in.

A `Visitor` finds fields, buttons and links by the text a user reads: the English msgid translated
through the compiled catalog of the visitor's language, so one journey runs in English and in
Korean. In Korean, every page it lands on is read for English text of the catalog and for raw
status codes (`LanguageCheck`).
"""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from playwright.sync_api import Page, expect
from sqlalchemy import select

import forum
from forum.extensions import db
from forum.models import OutboxMessage
from forum.models.events import EVENT_STATUSES, PARTICIPANT_STATUSES
from forum.models.meetings import MEETING_STATUSES, REQUEST_STATUSES
from forum.models.scheduling import RUN_STATUSES

SCREENSHOTS = (
    Path(
        os.environ.get(
            "FORUM_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"
        )
    )
    / "screenshots"
)
TRANSLATIONS = Path(forum.__file__).resolve().parent / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")
# What the solver and the models store: a Korean page shows words for them, never the codes.
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/auth/confirm/\S+)")


def confirmation_link(email: str) -> str:
    """The path of the sign-up confirmation link last e-mailed to `email` (read from the outbox,
    as the person would read their mail)."""
    db.session.expire_all()
    bodies = db.session.scalars(
        select(OutboxMessage.body)
        .where(OutboxMessage.recipient == email.lower())
        .order_by(OutboxMessage.id.desc())
    )
    for body in bodies:
        found = CONFIRM_LINK.search(body)
        if found:
            return found.group(1)
    raise AssertionError(f"no confirmation link was e-mailed to {email}")


SOLVER_STATUSES = ("OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN", "MODEL_INVALID")
RAW_CODES = sorted(
    {
        *SOLVER_STATUSES,
        *EVENT_STATUSES,
        *PARTICIPANT_STATUSES,
        *REQUEST_STATUSES,
        *MEETING_STATUSES,
        *RUN_STATUSES,
    }
)
# Phrases of at least this many words: a single word ("Forum", "TRL", "Outlook") may be a name
# that stays the same in Korean, while two English words in a row are untranslated text.
MIN_PHRASE_WORDS = 2


def translations(language: str):
    if language == "en":
        return NullTranslations()
    loaded = Translations.load(str(TRANSLATIONS), [language])
    assert isinstance(loaded, Translations), f"no compiled catalog for {language}"
    return loaded


def english_phrases(language: str) -> list[str]:
    """The catalog's English texts that the language translates differently, cut at their
    placeholders, each piece kept when it has MIN_PHRASE_WORDS words or more."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    phrases = set()
    for message in catalog:
        if not message.id or not message.string:
            continue
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        translated = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in english:
            if text in translated:
                continue
            for piece in PLACEHOLDER.split(text):
                words = piece.strip(" \n\t.,:;!?()[]“”\"'‘’–—-#·/").split()
                if len(words) >= MIN_PHRASE_WORDS:
                    phrases.add(" ".join(words))
    return sorted(phrases)


class LanguageCheck:
    """Collects, page by page, the English phrases and raw codes a Korean visitor was shown."""

    def __init__(self, language: str):
        self.active = language != "en"
        phrases = english_phrases(language) if self.active else []
        self._phrases = [
            (phrase, re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)")) for phrase in phrases
        ]
        self._codes = re.compile(rf"(?<![\w-])({'|'.join(map(re.escape, RAW_CODES))})(?![\w-])")
        self.problems: dict[str, set[str]] = {}
        assert self._phrases or not self.active, (
            f"no English text to look for in the {language} catalog"
        )

    def read(self, page: Page) -> None:
        if not self.active:
            return
        text = " ".join(page.evaluate("document.body.innerText").split())
        found = {f"English “{phrase}”" for phrase, pattern in self._phrases if pattern.search(text)}
        found |= {f"raw code “{code}”" for code in self._codes.findall(text)}
        if found:
            self.problems.setdefault(urlsplit(page.url).path, set()).update(found)

    def report(self) -> str:
        return "\n".join(
            f"{path}: {', '.join(sorted(found))}" for path, found in sorted(self.problems.items())
        )


@dataclass
class Person:
    name: str
    email: str
    password: str = "correct horse battery"
    organisation: str = ""
    organisation_kind: str = "company"
    country: str = "KR"
    job_title: str = ""


@dataclass
class Visitor:
    """A person at their browser: a page in a context of their locale and time zone."""

    page: Page
    language: str
    base_url: str
    screenshots: Path
    language_check: LanguageCheck
    _translations: object = field(init=False, repr=False)

    def __post_init__(self):
        self._translations = translations(self.language)

    # --- words ---------------------------------------------------------------------------------

    def t(self, msgid: str, **values) -> str:
        """What the user reads for this English msgid."""
        text = self._translations.gettext(msgid)
        return text % values if values else text

    def tn(self, singular: str, plural: str, num: int, **values) -> str:
        return self._translations.ngettext(singular, plural, num) % dict(values, num=num)

    # --- going places --------------------------------------------------------------------------

    def landed(self) -> None:
        """The page has loaded: the language check reads it."""
        self.page.wait_for_load_state()
        self.language_check.read(self.page)

    def go(self, path: str = "/") -> None:
        self.page.goto(self.base_url + path)
        self.landed()

    def tour_event_menu(self) -> None:
        """Open every page of the event's navigation, as someone looking around does."""
        menu = self.page.locator("nav.event-nav .subnav a")
        expect(menu.first).to_be_visible()
        for path in menu.evaluate_all("links => links.map(link => link.getAttribute('href'))"):
            response = self.page.goto(self.base_url + path)
            assert response.ok, f"{path} answered {response.status}"
            self.landed()

    def follow(self, link_text: str, within=None) -> None:
        """Click the link the user reads (already translated, or a name typed by a user)."""
        (within or self.page).get_by_role("link", name=link_text, exact=True).first.click()
        self.landed()

    def open(self, msgid: str, **values) -> None:
        """Click a link labelled with a msgid, e.g. an entry of the event navigation."""
        self.follow(self.t(msgid, **values))

    def press(self, msgid: str, within=None, **values) -> None:
        """Click a button labelled with a msgid, and wait for the page it leads to."""
        (within or self.page).get_by_role(
            "button", name=self.t(msgid, **values), exact=True
        ).click()
        self.landed()

    def press_enter(self) -> None:
        """Press Enter on the keyboard where the focus is, sending its form."""
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.landed()

    # --- forms ---------------------------------------------------------------------------------

    def field(self, msgid: str, within=None):
        return (within or self.page).get_by_label(self.t(msgid), exact=True)

    def fill(self, msgid: str, value: str) -> None:
        self.field(msgid).fill(value)

    def choose(self, msgid: str, value: str | None = None, label: str | None = None) -> None:
        """Pick an option of a select by its value or by the text the user reads."""
        if value is not None:
            self.field(msgid).select_option(value=value)
        else:
            self.field(msgid).select_option(label=label)

    def tick(self, msgid: str, within=None) -> None:
        self.field(msgid, within).check()

    # --- what the user sees --------------------------------------------------------------------

    def sees(self, text: str) -> None:
        expect(self.page.locator("main")).to_contain_text(text)

    def sees_flash(self, msgid: str, **values) -> None:
        expect(self.page.locator(".flash").filter(has_text=self.t(msgid, **values))).to_be_visible()

    def sees_flash_n(self, singular: str, plural: str, num: int) -> None:
        expect(
            self.page.locator(".flash").filter(has_text=self.tn(singular, plural, num))
        ).to_be_visible()

    def reload_until_visible(self, locator, attempts: int = 20) -> None:
        """For what a background job adds: reload (as a user would) until it shows."""
        for _ in range(attempts - 1):
            try:
                expect(locator.first).to_be_visible(timeout=1000)
                return
            except AssertionError:
                self.page.reload()
                self.landed()
        expect(locator.first).to_be_visible()

    def shot(self, name: str, full_page: bool = True) -> Path:
        path = self.screenshots / f"{name}.png"
        self.page.screenshot(path=path, full_page=full_page)
        return path

    # --- accounts ------------------------------------------------------------------------------

    def sign_up(self, person: Person) -> None:
        """Fill in the sign-up form (the page it is on); the language menu offers the browser's language."""
        self.fill("Your name", person.name)
        self.fill("E-mail address", person.email)
        self.fill("Password", person.password)
        self.fill("Repeat the password", person.password)
        expect(self.field("Preferred language")).to_have_value(
            self.language
        )  # the browser's, to begin with
        self.choose("Preferred language", value=self.language)
        self.press("Sign up")
        self.sees_flash(
            "We have e-mailed a link to %(email)s. Open it to finish creating your account.",
            email=person.email,
        )
        self.go(confirmation_link(person.email))
        # the link confirms the address; the person then signs in with the password
        self.sees_flash("Your address is confirmed. Sign in with your password to continue.")
        self.fill("E-mail address", person.email)
        self.fill("Password", person.password)
        self.press("Sign in")
