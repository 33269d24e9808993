"""The whole URL map against people who have no business there, and every form against garbage.

Scene: a published event (the `forum` fixture: Ada, Bo-ra and Cyrus, their meetings, offers,
tables, a pending request, a scheduler run) and a second event of its own organizer (Oscar) with
a participant (Eve). Every route is filled with the first event's slug and ids and requested by
- someone signed out,
- Eve, a participant of the other event, using the first event's ids,
- Oscar, an organizer of the other event, using the first event's ids.
None of them may read the first event's private data, and no request of theirs may change a
row of any table. Every POST without a CSRF token or with someone else's is refused (400) and
changes nothing; a fuzz of every form (huge strings, NUL, invalid UTF-8, bad ids and dates,
zones that are no IANA name) never gives a server error, and a refused form changes nothing.
"""

import functools
import io
import re
from datetime import date, time
from types import SimpleNamespace
from urllib.parse import quote_from_bytes

import pytest
from builders import add_opportunity, pending_request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import select

from forum import jobs
from forum.extensions import db
from forum.models import (
    Conversation,
    ConversationMember,
    ConversationMessage,
    DraftPlacement,
    Meeting,
    MeetingAttendee,
    Opportunity,
    OutcomeStep,
    Participant,
    ScheduleRun,
    WebhookDelivery,
    WebhookEndpoint,
)
from forum.sealing import seal
from forum.services import api_tokens, import_jobs, programme
from forum.services.imports import Table
from forum.services.programme import PageContent

SKIPPED_ENDPOINTS = {"static"}
_png = io.BytesIO()
Image.new("RGB", (4, 4), "red").save(_png, format="PNG")
PNG = _png.getvalue()
# Pages anyone may open: what they show is public, or the signed-in user's own.
PUBLIC_ENDPOINTS = {
    "main.index",
    "health.healthz",
    "events.show",
    "registrations.register",
    "events.create_event",
    "accounts.profile",
    "accounts.password",
    "accounts.login",
    "accounts.logout",
    "accounts.signup",
    "accounts.request_reset",
    "accounts.reset_password",
    "calendars.feed",
    "registrations.invitation",
    "registrations.accept_invitation",
    "accounts.confirm",
    "accounts.confirm_email",
    "main.language",
    "follow_ups.answer",
    # one's own API tokens
    "accounts.tokens",
    # the JSON API's public reads: published events and the API's own description
    "api.openapi",
    "api.events",
    "api.event",
    "api.programme_pages",
    "api.catalogue",
    "programme.page",
    "programme.image",
    "catalogue.index",
    "catalogue.organisation",
}
# What only the first event's people may see: their names, e-mails, offers, rooms and links.
PRIVATE_MARKERS = [
    "whsec_the-webhook-secret",
    "hooks.example.com",
    "ada@example.org",
    "bora@example.org",
    "cyrus@example.org",
    "Kim Bo-ra",
    "Cyrus Choi",
    "Ada Lovelace",
    "Antibody platform",
    "Clinical partner in Europe",
    "Hidden offer",
    "Ada&#39;s own offer",
    "Room 301",
    "meet.example/t2",
    "A confidential note",
    "A confidential outcome",
    "A confidential message",
    "A confidential draft page",
]
# A form body that would change something if a route forgot its access check.
PLAUSIBLE_FORM = {
    "name": "Taken over",
    "title": "Taken over",
    "summary": "Taken over",
    "description": "Taken over",
    "status": "closed",
    "message": "Taken over",
    "body": "Taken over",
    "reason": "Taken over",
    "email": "eve@example.org",
    "number": "9",
    "room": "Taken over",
    "outcome": "no_show",
    "priority": "1",
    "time_limit": "10",
    "confirm": "y",
    "kind": "offer",
    "type": "technology",
}


@pytest.fixture
def scene(forum, make_user, make_event, make_participant):
    request = pending_request(forum.ada, forum.cyrus)
    request.message = "A confidential note"
    run = ScheduleRun(
        event_id=forum.event.id,
        status="succeeded",
        placements=[
            DraftPlacement(
                meeting_id=forum.meeting.id,
                slot_id=forum.slots[0].id,
                table_id=forum.tables[1].id,
            )
        ],
    )
    db.session.add(run)
    # a meeting held without a request (booked on the day), with a step Bo-ra recorded for Ada
    held = Meeting(
        event_id=forum.event.id,
        status="held",
        attendees=[MeetingAttendee(participant=forum.ada), MeetingAttendee(participant=forum.bora)],
    )
    db.session.add(held)
    db.session.flush()
    step = OutcomeStep(
        meeting_id=held.id,
        kind="nda_mta",
        happened_on=date.today(),
        note="A confidential outcome",
        recorded_by_id=forum.bora.id,
    )
    db.session.add(step)
    # Ada and Bo-ra's conversation, with one message
    low, high = sorted((forum.ada.id, forum.bora.id))
    conversation = Conversation(
        event_id=forum.event.id,
        low_id=low,
        high_id=high,
        members=[ConversationMember(participant_id=low), ConversationMember(participant_id=high)],
    )
    db.session.add(conversation)
    db.session.flush()
    db.session.add(
        ConversationMessage(
            conversation_id=conversation.id, sender_id=forum.ada.id, body="A confidential message"
        )
    )
    # a webhook of the event, with one delivery in its log
    endpoint = WebhookEndpoint(
        event_id=forum.event.id,
        url="https://hooks.example.com/forum",
        sealed_secret=seal("whsec_the-webhook-secret"),
        kinds="meeting.changed",
    )
    db.session.add(endpoint)
    db.session.flush()
    delivery = WebhookDelivery(
        uid="delivery-1",
        endpoint_id=endpoint.id,
        event_id=forum.event.id,
        kind="meeting.changed",
        body="{}",
        status="failed",
        attempts=6,
    )
    db.session.add(delivery)
    # a draft programme page with a talk, and an image for the pages
    draft = programme.create_page(
        forum.event,
        PageContent("plans", "programme", 0, False, {"en": ("Plans", "A confidential draft page")}),
    )
    item = programme.add_item(
        draft, day=forum.event.start_date, starts_at=time(9), ends_at=time(10), title="Talk",
        speakers="", room="",
    )  # fmt: skip
    image = programme.store_image(forum.event, "plan.png", PNG)
    import_job = import_jobs.create_import_job(
        forum.event,
        "participants",
        Table(["email", "name", "organisation", "organisation_kind", "country"], [(2, ["x"])]),
        {2},
    )
    db.session.commit()
    oscar = make_user("oscar@example.net", "Oscar Other")
    other = make_event(slug="other-2027", name="Other Forum", organizer=oscar, status="published")
    eve = make_participant(
        other, make_user("eve@example.net", "Eve Outsider"), "Eve Labs", kind="company"
    )
    add_opportunity(eve, "offer", "Eve's offer")
    need = db.session.scalar(
        select(Opportunity).where(Opportunity.title == "Clinical partner in Europe")
    )
    ada_token, _secret = api_tokens.create_token(forum.ada.user, "Ada's CRM", "read")
    db.session.commit()
    ids = {
        "token_id": ada_token.id,
        "slug": forum.event.slug,
        "meeting_id": forum.meeting.id,
        "opportunity_id": need.id,
        "portfolio_item_id": need.portfolio_item_id,
        "organisation_id": forum.ada.organisation_id,
        "participant_id": forum.ada.id,
        "request_id": request.id,
        "run_id": run.id,
        "job_id": import_job.id,
        "step_id": step.id,
        "conversation_id": conversation.id,
        "session_id": forum.slots[0].session_id,
        "table_id": forum.tables[1].id,
        "endpoint_id": endpoint.id,
        "delivery_id": delivery.id,
        "token": "not-a-token-anyone-was-given",
        "kind": "participants",
        "what": "participants",
        "format": "xlsx",
        "page_id": draft.id,
        "page_slug": draft.slug,
        "item_id": item.id,
        "image_id": image.id,
        "key": "not-a-key-anyone-was-given",
    }
    jobs.wait_for_in_process_jobs()  # the refreshes the scene queued write before the snapshots
    return SimpleNamespace(forum=forum, oscar=oscar, eve=eve, other=other, ids=ids)


def fill(rule, ids) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda match: str(ids[match.group(1)]), rule.rule)


def routes(app, method):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if method in rule.methods and rule.endpoint not in SKIPPED_ENDPOINTS
    ]


@functools.cache
def _every_row_sql(dialect: str) -> str:
    """One statement reading every row of every table as text, each value in a form that tells
    any two values apart (PostgreSQL's row literal; SQLite's `quote()`, exact for floats and
    blobs). A table read at a time cost 51 statements per snapshot, most of a crawl's time."""
    selects = []
    for table in db.metadata.sorted_tables:
        if dialect == "postgresql":
            row = "CAST(t AS text)"
        else:
            row = " || ',' || ".join(f'quote(t."{column.name}")' for column in table.columns)
        selects.append(f"SELECT '{table.name}', {row} FROM \"{table.name}\" AS t")
    return " UNION ALL ".join(selects)


def snapshot() -> dict:
    """Every row of every table, read on a connection of its own."""
    rows: dict[str, list[str]] = {name: [] for name in _table_names()}
    with db.engine.connect() as connection:
        for name, row in connection.exec_driver_sql(_every_row_sql(connection.dialect.name)):
            rows[name].append(row)
    return {name: sorted(values) for name, values in rows.items()}


@functools.cache
def _table_names() -> tuple[str, ...]:
    return tuple(table.name for table in db.metadata.sorted_tables)


# Signing in and out and resetting a password are open to anyone: they may count attempts, send a
# reset e-mail and start or end the visitor's own session, never change another row.
AUTH_BOOKKEEPING = {"login_attempt", "outbox_message", "login_throttle", "user_session"}
SIGN_IN_ENDPOINTS = {
    "accounts.signup",
    "accounts.confirm",
    "accounts.login",
    "accounts.logout",
    "accounts.request_reset",
    "accounts.reset_password",
}


def changes(before: dict, after: dict, endpoint: str = "") -> dict:
    found = {}
    for name in before:
        removed = sorted(set(before[name]) - set(after[name]))
        added = sorted(set(after[name]) - set(before[name]))
        if endpoint in SIGN_IN_ENDPOINTS and name in AUTH_BOOKKEEPING:
            continue
        if removed or added:
            found[name] = (removed[:3], added[:3])
    return found


@pytest.fixture
def visitors(app, scene, login):
    def signed_in(user):
        client = app.test_client()
        login(client, user)
        return client

    return {
        "anonymous": app.test_client(),
        "participant of another event": signed_in(scene.eve.user),
        "organizer of another event": signed_in(scene.oscar),
    }


def leaked(page: str) -> list[str]:
    return [marker for marker in PRIVATE_MARKERS if marker in page]


def expected_refusal(role: str, rule, response) -> bool:
    if rule.endpoint.startswith("api."):
        # cookies never authenticate the API: a JSON 401 (no token), never a page or a redirect
        return response.status_code == 401 and response.is_json
    if response.status_code in (403, 404, 405):
        return True
    if response.status_code == 302:
        location = response.headers["Location"]
        return "/auth/login" in location or (
            role != "anonymous" and location.rstrip("/").endswith(f"/e/{rule.rule.split('/')[2]}")
        )
    return False


def test_outsiders_read_nothing_private_on_any_page(app, scene, visitors):
    before = snapshot()
    problems = []
    for role, client in visitors.items():
        for rule in routes(app, "GET"):
            url = fill(rule, scene.ids)
            response = client.get(url)
            page = response.get_data(as_text=True)
            if response.status_code >= 500 or leaked(page):
                problems.append((role, url, response.status_code, leaked(page)))
            elif rule.endpoint not in PUBLIC_ENDPOINTS and not expected_refusal(
                role, rule, response
            ):
                problems.append((role, url, response.status_code, "not refused"))
    assert problems == [], "\n".join(map(str, problems))
    assert changes(before, snapshot()) == {}


def test_outsiders_change_nothing_with_any_post(app, scene, visitors):
    problems = []
    for role, client in visitors.items():
        token = client.csrf_token()
        for rule in routes(app, "POST"):
            url = fill(rule, scene.ids)
            before = snapshot()
            response = client.post(url, data=dict(PLAUSIBLE_FORM, csrf_token=token))
            page = response.get_data(as_text=True)
            changed = changes(before, snapshot(), rule.endpoint)
            if response.status_code >= 500 or leaked(page) or changed:
                problems.append((role, url, response.status_code, leaked(page), changed))
            elif rule.endpoint not in PUBLIC_ENDPOINTS and not expected_refusal(
                role, rule, response
            ):
                problems.append((role, url, response.status_code, "not refused"))
    assert problems == [], "\n".join(map(str, problems))


def test_every_post_without_or_with_a_foreign_csrf_token_is_refused(app, scene, visitors, as_user):
    """As the organizer of the event (who may do everything there) and as a participant."""
    foreign = visitors["participant of another event"].csrf_token()
    organizer, ada = as_user(scene.forum.organizer), as_user(scene.forum.ada)
    problems = []
    for client in (organizer, ada, visitors["anonymous"]):
        for rule in routes(app, "POST"):
            url = fill(rule, scene.ids)
            for data in (dict(PLAUSIBLE_FORM), dict(PLAUSIBLE_FORM, csrf_token=foreign)):
                before = snapshot()
                response = client.post(url, data=data)
                changed = changes(before, snapshot())
                # The API takes no form and no cookie: without a token, a JSON 401.
                refusal = 401 if rule.endpoint.startswith("api.") else 400
                if response.status_code != refusal or changed:
                    problems.append((url, "csrf_token" in data, response.status_code, changed))
    assert problems == [], "\n".join(map(str, problems))


# What a participant may do with another participant's ids in the same event: see their public
# profile and offers, bookmark an offer. Nothing else.
SAME_EVENT_ALLOWED = {
    "opportunities.opportunity",
    "opportunities.organisation",
    "opportunities.participant",
    "opportunities.bookmark",
}
# Routes that take a colleague's id by design: a stranger's id is refused with a message on the
# page the form is on, and nothing changes.
SAME_EVENT_REFUSED_WITH_A_MESSAGE = {"registrations.add_organisation_member"}
# Routes that take the id of a person to write to: someone one has no request or meeting with
# (Dana, for Cyrus) is refused on the page itself (422) with a message, and nothing changes.
SAME_EVENT_WRITING_TO = {"conversations.send"}


def test_a_participant_cannot_use_someone_elses_ids_in_the_same_event(
    app, scene, as_user, make_user, make_participant
):
    """Cyrus, in the same event, with Ada and Bo-ra's meeting, Bo-ra's request to Dana, Bo-ra's
    offer and Ada's registration: every route that takes an id, and every organizer's route."""
    forum = scene.forum
    dana = make_participant(forum.event, make_user("dana@example.org", "Dana Park"), "Dana Bio")
    ids = dict(scene.ids, request_id=pending_request(forum.bora, dana).id)
    cyrus = as_user(forum.cyrus)
    token = cyrus.csrf_token()
    problems, checked = [], 0
    for rule in app.url_map.iter_rules():
        takes_an_id = "<int:" in rule.rule
        if rule.endpoint in SAME_EVENT_ALLOWED or not (takes_an_id or "/organize" in rule.rule):
            continue
        writing_to = rule.endpoint in SAME_EVENT_WRITING_TO
        url = fill(rule, dict(ids, participant_id=dana.id) if writing_to else ids)
        for method in ("GET", "POST") if "POST" in rule.methods else ("GET",):
            if method not in rule.methods:
                continue
            before = snapshot()
            if method == "GET":
                response = cyrus.get(url)
            else:
                response = cyrus.post(url, data=dict(PLAUSIBLE_FORM, csrf_token=token))
            changed = changes(before, snapshot())
            checked += 1
            refused_with_a_message = (
                rule.endpoint in SAME_EVENT_REFUSED_WITH_A_MESSAGE
                and response.status_code == 302
                and "/registration" in response.headers["Location"]
            ) or (
                writing_to
                and response.status_code == 422
                and "You can write only to participants" in response.get_data(as_text=True)
            )
            # the API: a browser's cookies are no token (JSON 401)
            refused_with_a_message |= rule.endpoint.startswith("api.") and (
                response.status_code == 401 and response.is_json
            )
            if not (response.status_code in (403, 404) or refused_with_a_message) or changed:
                problems.append((method, url, response.status_code, changed))
    assert problems == [], "\n".join(map(str, problems))
    assert checked >= 70  # the routes that take ids, and the organizers'


# --- fuzzing every form ---------------------------------------------------------------------------

FIELD_NAME = re.compile(r'name="([^"]+)"')
BAD_TEXT = st.one_of(
    st.just("x" * 100_001),
    st.just("Ünïcödé " * 5000),
    st.text(max_size=40).map(lambda text: text + "\x00"),
    st.sampled_from(["-1", "0", "2147483648", "99999999999999999999", "1e309", "NaN", "abc"]),
    st.sampled_from(["2027-02-30", "0000-00-00", "9999-99-99", "27/05/2027", "25:61", "T"]),
    st.sampled_from(["Mars/Olympus", "../../etc/passwd", "UTC+25", "Asia/Seoul\n", "Etc/GMT+99"]),
    st.sampled_from(["", " ", "\u202e", "' OR 1=1 --", "<script>alert(1)</script>"]),
    st.text(max_size=60),
)
INVALID_UTF8 = st.sampled_from([b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\x80abc", b"\xe2\x82"])


def form_fields(client, url: str, rule) -> list[str]:
    """The field names of the page's forms (a POST-only route: the generic names)."""
    names = set(PLAUSIBLE_FORM) | {"participant", "slot", "table", "day", "timezone", "owner"}
    if "GET" in rule.methods:
        names |= set(FIELD_NAME.findall(client.get(url).get_data(as_text=True)))
    names.discard("csrf_token")
    return sorted(names)


def body(token: str, values: dict) -> bytes:
    parts = [b"csrf_token=" + _quoted(token.encode())]
    for name, value in values.items():
        raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        parts.append(_quoted(name.encode()) + b"=" + _quoted(raw))
    return b"&".join(parts)


@functools.lru_cache(maxsize=4096)
def _quoted(raw: bytes) -> bytes:
    """Percent-encoded once per value: the long non-ASCII values recur in most forms, and
    quoting one byte at a time cost 10 ms each."""
    return quote_from_bytes(raw).encode()


def fuzz_one_form(client, url, token, fields, problems):
    @settings(max_examples=4, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(values=st.dictionaries(st.sampled_from(fields), BAD_TEXT | INVALID_UTF8, max_size=6))
    def submit(values):
        jobs.wait_for_in_process_jobs()  # what an earlier answer queued is not this one's
        before = snapshot()
        response = client.post(
            url, data=body(token, values), content_type="application/x-www-form-urlencoded"
        )
        changed = changes(before, snapshot())
        has_nul = any("\x00" in value for value in values.values() if isinstance(value, str))
        if (
            response.status_code >= 500
            or (has_nul and response.status_code != 400)
            or (response.status_code not in (302, 303) and changed)
        ):
            problems.append((url, values, response.status_code, changed))
        db.session.rollback()

    return submit


def test_no_form_gives_a_server_error_and_a_refused_form_changes_nothing(app, scene, as_user):
    organizer, ada = as_user(scene.forum.organizer), as_user(scene.forum.ada)
    problems = []
    for rule in routes(app, "POST"):
        client = organizer if "/organize" in rule.rule else ada
        url = fill(rule, scene.ids)
        token = client.csrf_token()
        fields = form_fields(client, url, rule)

        submit = fuzz_one_form(client, url, token, fields, problems)
        submit()
    assert problems == [], "\n".join(map(str, problems))


def test_the_first_event_has_what_the_outsiders_must_not_see(scene, as_user):
    """The markers are real: Ada sees them where outsiders must not."""
    ada = as_user(scene.forum.ada)
    page = ada.get(f"/e/bio-2027/opportunities/{scene.ids['opportunity_id']}").get_data(
        as_text=True
    )
    assert "Clinical partner in Europe" in page and "Kim Bo-ra" in page
    page = ada.get(f"/e/bio-2027/requests/{scene.ids['request_id']}").get_data(as_text=True)
    assert "A confidential note" in page and "Cyrus Choi" in page
    assert db.session.get(Participant, scene.forum.ada.id).status == "approved"


def test_the_snapshot_sees_a_changed_value_an_added_row_and_a_removed_one(forum):
    """The crawls above find changes by comparing snapshots: each kind of change shows."""
    before = snapshot()
    forum.ada.status = "pending"
    forum.other_meeting.request.recipient_priority = 3
    db.session.delete(forum.other_meeting)
    add_opportunity(forum.cyrus, "need", "A new need")
    db.session.commit()
    changed = changes(before, snapshot())
    assert {"participant", "meeting_request", "meeting", "opportunity"} <= set(changed)
    assert changed["participant"][0] and changed["participant"][1]  # one row out, its new one in
    assert changed["meeting"][0] and not changed["meeting"][1]
    assert changed["opportunity"][1] and not changed["opportunity"][0]
