"""The whole journey in Chromium, once in English and once in Korean: an organizer sets up an event,
three participants sign up, publish, find each other, meet; the schedule is run, published, moved,
and the calendars follow. Each person has a browser of their own, in their language and time zone.

A journey takes about half a minute; rather than four, two run: the Korean one on SQLite and the
English one on PostgreSQL when TEST_DATABASE_URL is set (as in CI), else on SQLite too."""

import os
import shutil
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import icalendar
import pytest
from playwright.sync_api import expect
from visitor import SCREENSHOTS, LanguageCheck, Person, Visitor

pytestmark = pytest.mark.browser
FIRST_DAY = date(2027, 5, 11)
PHONE = {"width": 390, "height": 844}


@dataclass
class Opportunity:
    kind: str
    title: str
    summary: str
    keywords: str


@dataclass
class Story:
    """Everything the people of one journey type, in their language."""

    language: str
    browser_locale: str
    browser_timezone: str
    event_name: str
    event_timezone: str
    venue: str
    sessions: tuple[str, str]
    organizer: Person
    university: Person
    company: Person
    investor: Person
    offer: Opportunity
    need: Opportunity
    investor_need: Opportunity
    query: str
    message: str
    chat: str


STORIES = {
    "en": Story(
        language="en",
        browser_locale="en-US",
        browser_timezone="America/New_York",
        event_name="Bio Partnering Seoul 2027",
        event_timezone="Asia/Seoul",
        venue="COEX, Seoul",
        sessions=("Morning", "Afternoon"),
        organizer=Person("Olivia Park", "olivia@example.org"),
        university=Person(
            "Ana Lima",
            "ana@example.org",
            organisation="Seoul National University",
            organisation_kind="university",
            job_title="Licensing manager",
        ),
        company=Person(
            "Ben Cho", "ben@example.org", organisation="Hanmi Bio", job_title="Head of R&D"
        ),
        investor=Person(
            "Chloe Weber",
            "chloe@example.org",
            organisation="Berlin Bio Ventures",
            organisation_kind="investor",
            country="DE",
            job_title="Partner",
        ),
        offer=Opportunity(
            "offer",
            "Lipid nanoparticles for mRNA delivery",
            "Ionizable lipid nanoparticles that carry mRNA to the liver with low toxicity.",
            "mRNA, lipid nanoparticle, drug delivery",
        ),
        need=Opportunity(
            "need",
            "Delivery technology for our mRNA vaccine",
            "We look for a delivery partner for an mRNA vaccine entering phase 1.",
            "mRNA, drug delivery, vaccine",
        ),
        investor_need=Opportunity(
            "need",
            "mRNA therapeutics platform to license",
            "A licensable platform for lipid nanoparticle mRNA therapeutics.",
            "mRNA, lipid nanoparticle",
        ),
        query="ionizable",
        message="We would like to license your lipid nanoparticles.",
        chat="Could you bring the stability data to our meeting?",
    ),
    "ko": Story(
        language="ko",
        browser_locale="ko-KR",
        browser_timezone="Asia/Seoul",
        event_name="바이오 파트너링 베를린 2027",
        event_timezone="Europe/Berlin",
        venue="베를린 메세",
        sessions=("오전 상담", "오후 상담"),
        organizer=Person("박소연", "soyeon@example.kr"),
        university=Person(
            "김민지",
            "minji@example.kr",
            organisation="서울대학교 산학협력단",
            organisation_kind="tlo",
            job_title="기술이전 담당",
        ),
        company=Person(
            "조현우", "hyunwoo@example.kr", organisation="한미바이오", job_title="연구소장"
        ),
        investor=Person(
            "최서연",
            "seoyeon@example.kr",
            organisation="베를린 바이오 벤처스",
            organisation_kind="investor",
            country="DE",
            job_title="파트너",
        ),
        offer=Opportunity(
            "offer",
            "mRNA 전달용 지질 나노입자 기술",
            "간으로 mRNA를 전달하는 저독성 이온화 지질 나노입자입니다.",
            "mRNA, 지질 나노입자, 약물 전달",
        ),
        need=Opportunity(
            "need",
            "mRNA 백신용 전달 기술을 찾습니다",
            "임상 1상에 들어가는 mRNA 백신의 전달 파트너를 찾습니다.",
            "mRNA, 약물 전달, 백신",
        ),
        investor_need=Opportunity(
            "need",
            "라이선스할 mRNA 치료제 플랫폼",
            "지질 나노입자 mRNA 치료제 플랫폼의 라이선스를 원합니다.",
            "mRNA, 지질 나노입자",
        ),
        query="이온화",
        message="지질 나노입자 기술이전을 논의하고 싶습니다.",
        chat="미팅에 안정성 데이터를 가져와 주실 수 있나요?",
    ),
}


def in_utc(day: date, clock: str, zone: str) -> datetime:
    """A time read on an agenda ("10:30") on `day` in the event's zone, as an instant in UTC."""
    hours, minutes = map(int, clock.split(":"))
    return datetime.combine(day, time(hours, minutes), ZoneInfo(zone)).astimezone(UTC)


def only_meeting(calendar_bytes: bytes):
    events = icalendar.Calendar.from_ical(calendar_bytes).walk("VEVENT")
    assert len(events) == 1, calendar_bytes.decode()
    return events[0]


def starts_utc(vevent) -> datetime:
    return vevent["DTSTART"].dt.astimezone(UTC)


JOURNEYS = [
    ("postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite", "en"),
    ("sqlite", "ko"),
]


@pytest.fixture
def story(language):
    return STORIES[language]


@pytest.fixture
def people(story, live_server, new_context):
    """visit(person, **context options) → a Visitor for that person in a browser context of their own."""
    screenshots = SCREENSHOTS / story.language
    shutil.rmtree(screenshots, ignore_errors=True)
    screenshots.mkdir(parents=True, exist_ok=True)  # another test process may have made it
    check = LanguageCheck(story.language)

    def visit(context=None, **options):
        context = context or new_context(story.browser_locale, story.browser_timezone, **options)
        return Visitor(context.new_page(), story.language, live_server, screenshots, check)

    visit.check = check
    return visit


def set_up_event(organizer: Visitor, story: Story) -> None:
    organizer.go("/")
    organizer.open("Sign up")
    organizer.sign_up(story.organizer)
    organizer.open("Organize an event")
    organizer.fill("Name", story.event_name)
    organizer.fill("Web address", "bio-2027")
    organizer.fill("Venue", story.venue)
    organizer.choose("Time zone", value=story.event_timezone)
    organizer.fill("First day", "2027-05-11")
    organizer.fill("Last day", "2027-05-12")
    organizer.press("Create the event")
    organizer.sees_flash(
        "The event is created as a draft. Add its meeting sessions and tables next."
    )

    organizer.open("Sessions and slots")
    for name, starts, ends, slots in (
        (story.sessions[0], "10:00", "11:30", 3),
        (story.sessions[1], "14:00", "15:00", 2),
    ):
        organizer.fill("Name", name)
        organizer.fill("Starts at", starts)
        organizer.fill("Ends at", ends)
        organizer.fill("Slot length in minutes", "30")
        organizer.press("Add the session")
        organizer.sees_flash_n(
            "The session is added with %(num)d slot.",
            "The session is added with %(num)d slots.",
            slots,
        )
    organizer.shot("02-event-sessions")

    organizer.open("Tables")
    organizer.fill("How many tables", "2")
    organizer.press("Add the tables")
    organizer.sees_flash_n("%(num)d table is added.", "%(num)d tables are added.", 2)
    move_event_on(organizer, "registration")


def move_event_on(organizer: Visitor, status_name: str) -> None:
    """The dashboard's button to the next status, named as the dashboard names it ("meeting requests")."""
    organizer.open("Overview")
    label = organizer.t(status_name)
    organizer.press("Move on to %(status)s", status=label)
    organizer.sees_flash("The event’s status is now “%(status)s”.", status=label)


def join_event(participant: Visitor, person: Person, story: Story) -> None:
    """From the front page: the event, a new account, the registration for an organisation."""
    participant.go("/")
    participant.follow(story.event_name)
    participant.open("or create an account")
    participant.sign_up(person)
    participant.fill("Organisation name", person.organisation)
    participant.choose("Kind of organisation", value=person.organisation_kind)
    participant.choose("Country", value=person.country)
    participant.fill("Your job title", person.job_title)
    participant.tick("Korean")
    participant.tick("English")
    participant.press("Register")
    participant.sees_flash("You are registered for %(event)s.", event=story.event_name)


def publish(participant: Visitor, opportunity: Opportunity) -> None:
    participant.open("Offers and needs")
    participant.open("Publish an offer or a need")
    participant.choose("Offer or need", value=opportunity.kind)
    participant.choose("Type", value="technology")
    participant.fill("Title", opportunity.title)
    participant.fill("Summary", opportunity.summary)
    participant.fill("Keywords, separated by commas", opportunity.keywords)
    participant.fill("Technology readiness level (TRL 1–9)", "4")
    participant.tick("Licence")
    participant.press("Publish")
    participant.sees_flash("Your opportunity is published.")
    expect(participant.page.get_by_role("heading", level=1)).to_have_text(opportunity.title)


def send_request(participant: Visitor, recipient: Person, priority: str, message: str = "") -> None:
    """On the request form: a priority, a message, send."""
    participant.tick(priority)
    participant.fill("Message", message)
    participant.press("Send the request")
    participant.sees_flash("Your request is sent to %(name)s.", name=recipient.name)


def accept(participant: Visitor, requester: Person, priority: str) -> None:
    request = participant.page.locator("article.request").filter(has_text=requester.name)
    participant.tick(priority, within=request)
    participant.press("Accept", within=request)
    participant.sees_flash("You accepted the meeting with %(name)s.", name=requester.name)


def run_scheduler(organizer: Visitor) -> None:
    """Start a run in the console and follow its page until the draft can be published."""
    organizer.open("Scheduler")
    organizer.choose("The solver may take up to", value="10")
    organizer.press("Start a run")
    organizer.sees_flash("The run is queued; this page follows its progress.")
    expect(
        organizer.page.get_by_role("button", name=organizer.t("Publish this draft"))
    ).to_be_visible(timeout=60_000)
    organizer.landed()


def publish_draft(organizer: Visitor, version: int) -> None:
    organizer.press("Publish this draft")
    organizer.sees_flash("The draft is being published in the background.")
    organizer.reload_until_visible(
        organizer.page.locator(".flash")
        .filter(
            has_text=organizer.t(
                "Version %(version)d of the schedule is published.", version=version
            )
        )
        .filter(has_text=organizer.t("Everyone whose agenda changed is told."))
    )


def agenda_time(participant: Visitor, other: Person) -> str:
    """The start ("10:30") of the meeting with `other` on the participant's agenda page."""
    participant.open("My agenda")
    meeting = participant.page.locator("ol.agenda li.card").filter(has_text=other.name)
    expect(meeting).to_have_count(1)
    return meeting.locator("strong").first.inner_text().split("–")[0].strip()


def fetch_feed(url: str):
    """The subscription feed as a calendar application fetches it: plain HTTP, no cookie."""
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return only_meeting(response.read())


@pytest.mark.parametrize("backend_app, language", JOURNEYS, indirect=["backend_app"])
def test_journey_from_set_up_to_a_moved_meeting(story, people, new_context):
    organizer, ana, ben, chloe = people(), people(), people(), people()
    set_up_event(organizer, story)

    for visitor, person in ((ana, story.university), (ben, story.company), (chloe, story.investor)):
        join_event(visitor, person, story)
    publish(ana, story.offer)
    publish(ben, story.need)
    publish(chloe, story.investor_need)
    move_event_on(organizer, "meeting requests")

    # Ben searches the marketplace and asks Ana for a meeting about her offer.
    ben.open("Offers and needs")
    ben.field("Search").fill(story.query)
    ben.press_enter()
    ben.sees(ben.tn("%(num)d opportunity", "%(num)d opportunities", 1))
    expect(ben.page.locator("form.filters details")).to_have_js_property(
        "open", False
    )  # results stay in view
    ben.shot("03-marketplace-search")
    ben.follow(story.offer.title)
    ben.open("Request a meeting")
    send_request(ben, story.university, "Must meet", story.message)

    # Chloe finds Ana's offer among the suggestions for her need.
    chloe.open("Suggestions")
    suggestion = chloe.page.locator(".card").filter(has_text=story.offer.title)
    chloe.reload_until_visible(suggestion)
    chloe.shot("04-suggestions")
    chloe.follow(chloe.t("Request a meeting"), within=suggestion)
    send_request(chloe, story.university, "Would like to meet")

    # Ana accepts both, and cannot meet in the first slot of the morning.
    ana.open("Requests and meetings")
    ana.shot("05-requests")
    accept(ana, story.company, "Must meet")
    accept(ana, story.investor, "If time allows")
    expect(ana.page.locator("#meetings ~ article")).to_have_count(2)

    # Ben writes to Ana from their meeting's page; Ana finds it under her messages and reads it.
    ben.open("Requests and meetings")
    ben.follow(story.university.name)
    ben.fill("Your message", story.chat)
    ben.press("Send")
    ben.sees_flash("Your message is sent.")
    ana.open("Requests and meetings")
    ana.follow(ana.t("Messages") + " (1)")
    ana.follow(story.company.name)
    ana.sees(story.chat)
    ana.open("Availability")
    ana.page.get_by_label("10:00–10:30", exact=True).check()
    ana.press("Save my availability")
    ana.sees_flash("Your availability is saved.")
    expect(ana.page.get_by_label("10:00–10:30", exact=True)).to_be_checked()
    ana.shot("06-availability")

    # The organizer closes requests, runs the scheduler, reviews and publishes.
    move_event_on(organizer, "scheduling")
    organizer.shot("01-organizer-dashboard")
    run_scheduler(organizer)
    organizer.sees(organizer.t("Every meeting has a slot."))
    organizer.shot("07-console-review")
    publish_draft(organizer, version=1)

    # Ben's agenda, its download and his subscription feed agree on the time.
    first_time = agenda_time(ben, story.university)
    assert first_time != "10:00", "the meeting is in a slot Ana marked unavailable"
    first_start = in_utc(FIRST_DAY, first_time, story.event_timezone)
    ben.shot("08-agenda")
    with ben.page.expect_download() as download:
        ben.page.get_by_role("link", name=ben.t("Download my agenda (.ics)")).click()
    assert download.value.suggested_filename.endswith(".ics")
    downloaded = only_meeting(download.value.path().read_bytes())
    assert starts_utc(downloaded) == first_start
    assert story.university.name in str(downloaded["SUMMARY"]) + str(
        downloaded.get("DESCRIPTION", "")
    )
    feed_url = ben.field("Calendar address").input_value()
    published = fetch_feed(feed_url)
    assert starts_utc(published) == first_start

    # The agenda on a phone, and printed.
    phone = people(
        new_context(
            story.browser_locale,
            story.browser_timezone,
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            storage_state=ben.page.context.storage_state(),
        )
    )
    for page_name in ("My agenda", "Offers and needs"):
        phone.go("/")
        phone.follow(story.event_name)
        phone.open(page_name)
        assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
            page_name
        )
    phone.open("My agenda")
    phone.shot("09-agenda-phone")
    ben.page.emulate_media(media="print")
    expect(ben.page.locator("nav a:visible")).to_have_text([story.event_name])  # a title, no menu
    expect(ben.page.get_by_role("heading", name=story.university.name)).to_be_visible()
    ben.shot("10-agenda-print")
    ben.page.emulate_media(media="screen")

    # The organizer re-runs, moves Ben and Ana's meeting to a free slot, and publishes again.
    run_scheduler(organizer)
    move = (
        organizer.page.locator("tr")
        .filter(has_text=story.company.name)
        .filter(has=organizer.page.get_by_role("link", name=organizer.t("Move"), exact=True))
    )
    organizer.follow(organizer.t("Move"), within=move)
    organizer.page.locator("details summary").click()
    free_slot, free_table = organizer.page.locator("details li").first.inner_text().rsplit(", ", 1)
    slot_labels = organizer.field("Slot").locator("option").all_inner_texts()
    organizer.choose(
        "Slot", label=next(label for label in slot_labels if label.startswith(free_slot))
    )
    organizer.choose("Table", label=free_table)
    organizer.press("Move it")
    organizer.sees_flash("The meeting is moved in the draft.")
    publish_draft(organizer, version=2)

    moved_time = agenda_time(ben, story.university)
    assert moved_time != first_time
    moved = fetch_feed(feed_url)
    assert starts_utc(moved) == in_utc(FIRST_DAY, moved_time, story.event_timezone)
    assert moved["UID"] == published["UID"]
    assert int(moved["SEQUENCE"]) > int(published.get("SEQUENCE", 0))

    for visitor in (organizer, ben):
        visitor.tour_event_menu()
    assert not people.check.problems, (
        "English or raw codes on Korean pages:\n" + people.check.report()
    )
