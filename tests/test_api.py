"""The JSON API: personal tokens on the account page, public reads, organizers' reads and writes
through the same services as the pages, errors, pagination, ETags, rate limits, bulk import."""

import json
import threading
import time as clock
from datetime import time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import ApiToken, Meeting, MeetingRequest, Opportunity, Participant, utcnow
from forum.services import api_tokens

FIXTURE = Path(__file__).parent / "fixtures" / "kttn_export.json"


def token_for(user, scope="write", event=None) -> str:
    _token, secret = api_tokens.create_token(user, "test", scope, event)
    db.session.commit()
    return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def organizer_token(event, organizer):
    return token_for(organizer)


def error_of(response) -> dict:
    assert response.is_json, response.get_data(as_text=True)[:300]
    return response.get_json()["error"]


# --- tokens on the account page ----------------------------------------------------------------


def test_a_token_is_shown_once_stored_hashed_and_revoked(app, client, event, organizer, login):
    login(client, organizer)
    page = client.post_form(
        "/account/tokens", {"name": "CRM sync", "scope": "read", "event": str(event.id)}
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "shown only this once" in text
    token = db.session.scalar(select(ApiToken))
    secret = text.split('<code id="new-token">')[1].split("</code>")[0]
    assert secret.startswith(token.prefix) and secret not in repr(
        db.session.execute(select(ApiToken.__table__)).all()
    )
    assert token.secret_hash == api_tokens.secret_hash(secret)
    assert (token.name, token.scope, token.event_id) == ("CRM sync", "read", event.id)
    # shown once: the list shows only its first characters
    again = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in again and token.prefix in again

    anonymous = app.test_client()
    assert (
        anonymous.get(
            f"/api/v1/events/{event.slug}/participants", headers=bearer(secret)
        ).status_code
        == 200
    )
    db.session.refresh(token)
    assert token.last_used_at is not None

    client.post_form(f"/account/tokens/{token.id}/revoke")
    response = anonymous.get(f"/api/v1/events/{event.slug}/participants", headers=bearer(secret))
    assert response.status_code == 401 and error_of(response)["code"] == "invalid_token"


def test_a_token_limited_to_an_event_the_user_does_not_organize_is_refused(
    app, client, event, make_user, make_event, login
):
    stranger = make_user("eve@example.net", "Eve")
    login(client, stranger)
    page = client.post_form(
        "/account/tokens", {"name": "x", "scope": "read", "event": str(event.id)}
    )
    assert page.status_code == 200 and "Not a valid choice" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_someone_elses_token_cannot_be_revoked(app, client, event, organizer, make_user, login):
    token, _secret = api_tokens.create_token(organizer, "mine", "read")
    db.session.commit()
    login(client, make_user("eve@example.net", "Eve"))
    client.post_form(f"/account/tokens/{token.id}/revoke")
    db.session.refresh(token)
    assert token.revoked_at is None


def test_the_token_page_speaks_korean(app, client, make_user, login):
    login(client, make_user("min@example.org", "Min", locale="ko"))
    assert "API 토큰" in client.get("/account/tokens").get_data(as_text=True)


# --- authentication ---------------------------------------------------------------------------


def test_cookies_never_authenticate_the_api(app, client, event, organizer, people, login):
    login(client, organizer)
    response = client.get(f"/api/v1/events/{event.slug}/participants")
    assert response.status_code == 401 and error_of(response)["code"] == "token_required"
    posted = client.post(f"/api/v1/events/{event.slug}/participants/{people['ada'].id}/reject")
    assert posted.status_code == 401
    db.session.refresh(people["ada"])
    assert people["ada"].status == "approved"


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer nope", "Bearer " + "x" * 300])
def test_a_bad_authorization_header_is_a_json_401(app, client, event, header):
    response = client.get(f"/api/v1/events/{event.slug}", headers={"Authorization": header})
    assert response.status_code == 401 and error_of(response)["code"] == "invalid_token"


def test_token_calls_need_no_csrf_token(app, client, event, organizer_token, people):
    # the CSRF-protected app accepts a token's POST without any form token
    pending = people["carol"]
    pending.status = "pending"
    db.session.commit()
    response = client.post(
        f"/api/v1/events/{event.slug}/participants/{pending.id}/approve",
        headers=bearer(organizer_token),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == "approved"


# --- public reads -------------------------------------------------------------------------------


def test_public_events_without_a_token(app, client, event, make_event):
    make_event(slug="draft-2027", status="draft", name="Secret draft")
    listing = client.get("/api/v1/events")
    assert listing.status_code == 200
    assert [e["slug"] for e in listing.get_json()["data"]] == [event.slug]
    item = client.get(f"/api/v1/events/{event.slug}").get_json()
    assert item["name"] == event.name and item["timezone"] == "Asia/Seoul"
    assert client.get("/api/v1/events/draft-2027").status_code == 404
    assert client.get(f"/api/v1/events/{event.slug}/schedule").status_code == 401


def test_errors_are_json_everywhere_under_api(app, client, event):
    for response, status in (
        (client.get("/api/v1/nothing-here"), 404),
        (client.get("/api/nothing"), 404),
        (client.delete("/api/v1/events"), 405),
        (client.get("/api/v1/events?page=0"), 422),
        (client.get("/api/v1/events?color=red"), 422),
        (client.get("/api/v1/events?updated_since=yesterday"), 422),
    ):
        assert response.status_code == status
        error = error_of(response)
        assert error["code"] and error["message"]
    assert error_of(client.get("/api/v1/events?color=red"))["field"] == "color"


# --- organizers: scope and reach ------------------------------------------------------------


def test_a_token_sees_nothing_outside_its_scope(
    app, client, event, organizer, people, make_event, make_user, make_participant
):
    other = make_event(slug="other-2027", status="requests", organizer=organizer)
    limited = token_for(organizer, "write", event)
    url = f"/api/v1/events/{other.slug}/participants"
    assert client.get(url, headers=bearer(limited)).status_code == 404
    assert (
        client.get(f"/api/v1/events/{event.slug}/participants", headers=bearer(limited)).status_code
        == 200
    )
    # a participant's token reaches no organizer's data
    ada_token = token_for(people["ada"].user)
    response = client.get(f"/api/v1/events/{event.slug}/participants", headers=bearer(ada_token))
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    # another event's ids are 404 even for this event's organizer
    stranger = make_participant(other, make_user("eve@example.net", "Eve"), "Eve Labs")
    foreign = f"/api/v1/events/{event.slug}/participants/{stranger.id}/reject"
    assert client.post(foreign, headers=bearer(token_for(organizer))).status_code == 404
    db.session.refresh(stranger)
    assert stranger.status == "approved"


def test_a_read_token_cannot_write(app, client, event, organizer, people):
    reader = token_for(organizer, "read")
    url = f"/api/v1/events/{event.slug}/participants/{people['ada'].id}/reject"
    response = client.post(url, headers=bearer(reader))
    assert response.status_code == 403 and error_of(response)["code"] == "read_only_token"
    db.session.refresh(people["ada"])
    assert people["ada"].status == "approved"


# --- lists: pagination, updated_since, ETags ------------------------------------------------


def test_pages_updated_since_and_etags(app, client, event, organizer_token, people):
    url = f"/api/v1/events/{event.slug}/participants"
    first = client.get(f"{url}?per_page=2", headers=bearer(organizer_token)).get_json()
    assert (first["total"], first["next_page"], len(first["data"])) == (5, 2, 2)
    last = client.get(f"{url}?per_page=2&page=3", headers=bearer(organizer_token)).get_json()
    assert (len(last["data"]), last["next_page"]) == (1, None)
    assert client.get(f"{url}?per_page=101", headers=bearer(organizer_token)).status_code == 422

    later = (utcnow() + timedelta(minutes=1)).isoformat()
    response = client.get(
        url, query_string={"updated_since": later}, headers=bearer(organizer_token)
    )
    assert response.get_json()["total"] == 0

    response = client.get(url, headers=bearer(organizer_token))
    etag = response.headers["ETag"]
    again = client.get(url, headers={**bearer(organizer_token), "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    people["ada"].job_title = "Professor"
    db.session.commit()
    changed = client.get(url, headers={**bearer(organizer_token), "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


# --- rate limits --------------------------------------------------------------------------------


def test_a_token_is_limited_per_minute_across_threads(app, client, event, organizer_token):
    """The count is in the database: parallel calls (as from several workers) share it."""
    app.config["API_RATE_LIMIT"] = 5
    statuses, barrier = [], threading.Barrier(8)

    def call():
        with app.app_context():
            barrier.wait(timeout=20)
            statuses.append(
                app.test_client().get("/api/v1/events", headers=bearer(organizer_token)).status_code
            )
            db.session.remove()

    threads = [threading.Thread(target=call) for _ in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(statuses) == [200] * 5 + [429] * 3
        refused = client.get("/api/v1/events", headers=bearer(organizer_token))
        assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
        assert error_of(refused)["code"] == "rate_limited"
    finally:
        app.config["API_RATE_LIMIT"] = 120


@pytest.fixture
def strict_guessing_limits(app):
    """Three wrong tokens free per client address, then a delay of one second (doubling)."""
    names = ("API_ADDRESS_FREE_FAILURES", "API_ADDRESS_FIRST_DELAY")
    saved = {name: app.config.get(name) for name in names}
    app.config.update(API_ADDRESS_FREE_FAILURES=3, API_ADDRESS_FIRST_DELAY=timedelta(seconds=1))
    yield
    app.config.update(saved)


def call_from(client, address, secret):
    return client.get(
        "/api/v1/events", headers=bearer(secret), environ_base={"REMOTE_ADDR": address}
    )


def test_guessing_tokens_is_throttled_per_address_and_a_valid_token_keeps_working(
    app, client, event, organizer_token, strict_guessing_limits
):
    """Wrong tokens from one address are refused with 401 until a few have failed, then with
    429 and Retry-After, without being checked (a right guess would not pass either). The owner
    calls from another address meanwhile, and from the guesser's address once the short delay
    is over; the owner's calls never count as failures."""
    guesser, owner = "203.0.113.9", "198.51.100.20"
    for _attempt in range(5):
        assert call_from(client, guesser, organizer_token).status_code == 200
    statuses = [call_from(client, guesser, f"forum_guess{n}").status_code for n in range(3)]
    assert statuses == [401, 401, 401]
    throttled = call_from(client, guesser, "forum_guess4")
    assert throttled.status_code == 429
    assert error_of(throttled)["code"] == "too_many_failures"
    assert 1 <= int(throttled.headers["Retry-After"]) <= 2
    assert call_from(client, guesser, organizer_token).status_code == 429  # not even checked
    assert call_from(client, owner, organizer_token).status_code == 200
    assert call_from(client, owner, "forum_typo").status_code == 401
    clock.sleep(1.1)
    assert call_from(client, guesser, organizer_token).status_code == 200
    assert call_from(client, guesser, "forum_guess5").status_code == 429  # delay doubled


def test_parallel_guesses_from_one_address_are_checked_no_more_than_allowed(
    app, event, organizer_token, strict_guessing_limits
):
    """Eight wrong tokens sent at once from one address (as from several workers): only the
    free three are checked and answered 401, the others 429, as the failures are reserved
    before any token is checked."""
    statuses, barrier = [], threading.Barrier(8)

    def guess(n):
        with app.app_context():
            barrier.wait(timeout=20)
            statuses.append(call_from(app.test_client(), "203.0.113.7", f"forum_x{n}").status_code)
            db.session.remove()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [401] * 3 + [429] * 5


def test_a_write_whose_token_check_prunes_old_counts_goes_through(
    app, client, event, organizer_token, monkeypatch
):
    """About one call in `_PRUNE_EVERY` also deletes the throttle's old counts: inside the token
    check's transaction it must not open a second connection, which on SQLite waited for the
    write lock its own request held, and the write answered 409 after the busy timeout."""
    from forum.services import throttle

    monkeypatch.setattr(throttle, "_PRUNE_EVERY", 1)  # this call prunes
    response = client.post(
        f"/api/v1/events/{event.slug}/opportunities",
        json={"participant_id": 999999, "kind": "offer", "type": "technology", "title": "X"},
        headers=bearer(organizer_token),
    )
    assert response.status_code == 422 and error_of(response)["field"] == "participant_id"


# --- organizers' writes -------------------------------------------------------------------------


def test_unknown_and_malformed_fields_are_refused_and_change_nothing(
    app, client, event, organizer_token, people
):
    url = f"/api/v1/events/{event.slug}/opportunities"
    base = {"participant_id": people["ada"].id, "kind": "offer", "type": "technology", "title": "X"}
    for body, field, code in (
        ({**base, "colour": "red"}, "colour", "unknown_field"),
        ({**base, "trl": 12}, "trl", "invalid"),
        ({**base, "kind": "gift"}, "kind", "invalid"),
        ({k: v for k, v in base.items() if k != "title"}, "title", "missing_field"),
        ({**base, "areas": ["Astrology"]}, "areas", "refused"),
        ({**base, "participant_id": 999999}, "participant_id", "refused"),
    ):
        response = client.post(url, json=body, headers=bearer(organizer_token))
        assert response.status_code == 422, body
        assert (error_of(response)["field"], error_of(response)["code"]) == (field, code)
    not_json = client.post(url, data="title=x", headers=bearer(organizer_token))
    assert not_json.status_code == 400 and error_of(not_json)["code"] == "invalid_json"
    assert db.session.scalar(select(func.count()).select_from(Opportunity)) == 0


def test_an_organizer_publishes_changes_and_withdraws_an_opportunity(
    app, client, event, organizer_token, people
):
    url = f"/api/v1/events/{event.slug}/opportunities"
    created = client.post(
        url,
        json={
            "participant_id": people["ada"].id,
            "kind": "offer",
            "type": "technology",
            "title": "Silver nanowire electrodes",
            "trl": 5,
            "partnership_types": ["licence"],
        },
        headers=bearer(organizer_token),
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    opportunity_id = created.get_json()["id"]
    changed = client.patch(
        f"{url}/{opportunity_id}", json={"trl": 6}, headers=bearer(organizer_token)
    )
    assert (
        changed.get_json()["trl"] == 6
        and changed.get_json()["title"] == "Silver nanowire electrodes"
    )
    withdrawn = client.post(f"{url}/{opportunity_id}/withdraw", headers=bearer(organizer_token))
    assert withdrawn.get_json()["withdrawn"] is True
    assert db.session.get(Opportunity, opportunity_id).withdrawn


def test_an_organizer_accepts_and_declines_requests_and_arranges_a_meeting(
    app, client, event, organizer_token, people
):
    ada, bob, carol = people["ada"], people["bob"], people["carol"]
    first = MeetingRequest(event_id=event.id, requester=ada, recipient=bob, status="pending")
    second = MeetingRequest(event_id=event.id, requester=ada, recipient=carol, status="pending")
    db.session.add_all([first, second])
    db.session.commit()
    base = f"/api/v1/events/{event.slug}"
    accepted = client.post(
        f"{base}/requests/{first.id}/accept", json={"priority": 1}, headers=bearer(organizer_token)
    )
    assert accepted.status_code == 200 and accepted.get_json()["attendee_ids"] == sorted(
        [ada.id, bob.id]
    )
    again = client.post(
        f"{base}/requests/{first.id}/accept", json={"priority": 1}, headers=bearer(organizer_token)
    )
    assert again.status_code == 422 and error_of(again)["code"] == "refused"
    declined = client.post(f"{base}/requests/{second.id}/decline", headers=bearer(organizer_token))
    assert declined.get_json()["status"] == "declined"
    arranged = client.post(
        f"{base}/meetings",
        json={"first_id": bob.id, "second_id": carol.id, "message": "Please meet"},
        headers=bearer(organizer_token),
    )
    assert arranged.status_code == 201, arranged.get_data(as_text=True)
    listing = client.get(f"{base}/meetings", headers=bearer(organizer_token)).get_json()
    assert listing["total"] == 2
    requests = client.get(f"{base}/requests", headers=bearer(organizer_token)).get_json()
    assert {r["status"] for r in requests["data"]} == {"accepted", "declined"}


def test_an_organizer_cancels_and_restores_a_published_meeting(app, client, forum):
    secret = token_for(forum.organizer)
    base = f"/api/v1/events/{forum.event.slug}"
    schedule = client.get(f"{base}/schedule", headers=bearer(secret)).get_json()
    assert {m["id"] for m in schedule["meetings"]} == {forum.meeting.id, forum.other_meeting.id}
    cancelled = client.post(f"{base}/meetings/{forum.meeting.id}/cancel", headers=bearer(secret))
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    twice = client.post(f"{base}/meetings/{forum.meeting.id}/cancel", headers=bearer(secret))
    assert twice.status_code == 422
    restored = client.post(f"{base}/meetings/{forum.meeting.id}/restore", headers=bearer(secret))
    assert restored.status_code == 200, restored.get_data(as_text=True)
    assert db.session.get(Meeting, forum.meeting.id).status == "scheduled"


# --- bulk import --------------------------------------------------------------------------------


def _import(client, event, secret, payload):
    return client.post(
        f"/api/v1/events/{event.slug}/opportunities/import", json=payload, headers=bearer(secret)
    )


def test_an_external_export_imported_twice_makes_no_duplicates(
    app, client, event, organizer_token, people
):
    payload = json.loads(FIXTURE.read_text(encoding="utf-8"))
    first = _import(client, event, organizer_token, payload)
    assert first.status_code == 200, first.get_data(as_text=True)
    assert [r["status"] for r in first.get_json()["records"]] == ["created"] * 3
    second = _import(client, event, organizer_token, payload)
    assert [r["status"] for r in second.get_json()["records"]] == ["unchanged"] * 3
    assert db.session.scalar(select(func.count()).select_from(Opportunity)) == 3

    payload["records"][0]["trl"] = 6
    payload["records"][1]["colour"] = "blue"
    payload["records"][2]["owner_email"] = "nobody@example.org"
    third = _import(client, event, organizer_token, payload).get_json()["records"]
    assert [(r["status"], r["field"]) for r in third] == [
        ("updated", None),
        ("error", "colour"),
        ("error", "owner_email"),
    ]
    stored = db.session.scalar(
        select(Opportunity).where(Opportunity.external_id == "KTTN-2026-000417")
    )
    assert (stored.trl, stored.external_source, stored.second_title) == (
        6,
        "kttn",
        "은 나노와이어 전극의 저온 소결 기술",
    )


def test_two_imports_of_one_file_at_once_make_no_duplicates(app, event, organizer_token, people):
    payload = json.loads(FIXTURE.read_text(encoding="utf-8"))
    db.session.commit()
    slug = event.slug  # read here: the threads must not load the test's objects
    barrier, statuses = threading.Barrier(2), []

    def post():
        with app.app_context():
            barrier.wait(timeout=20)
            response = app.test_client().post(
                f"/api/v1/events/{slug}/opportunities/import",
                json=payload,
                headers=bearer(organizer_token),
            )
            statuses.append(response.status_code)
            db.session.remove()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == 2 and set(statuses) <= {200, 409} and 200 in statuses, statuses
    assert db.session.scalar(select(func.count()).select_from(Opportunity)) == 3


def test_the_database_refuses_two_opportunities_with_one_external_id(app, event, people):
    from sqlalchemy.exc import IntegrityError

    for title in ("One", "Two"):
        db.session.add(
            Opportunity(
                event_id=event.id,
                participant=people["ada"],
                kind="offer",
                type="technology",
                title=title,
                external_source="kttn",
                external_id="K-1",
            )
        )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_participant_count_is_unchanged_by_refused_calls(app, client, event, people):
    before = db.session.scalar(select(func.count()).select_from(Participant))
    client.post(f"/api/v1/events/{event.slug}/opportunities/import", json={"source": "x"})
    assert db.session.scalar(select(func.count()).select_from(Participant)) == before


def test_two_organizers_accepting_one_request_at_once_make_one_meeting(
    app, event, organizer, people, make_user
):
    """Both calls go through `requests.accept_request` and its locks: one accepts, the other is
    told the request is no longer pending (or to try again), and one meeting exists."""
    colleague = make_user("co@example.org", "Co Organizer")
    db.session.add(Participant(event=event, user=colleague, role="organizer", status="approved"))
    meeting_request = MeetingRequest(
        event_id=event.id, requester=people["ada"], recipient=people["bob"], status="pending"
    )
    db.session.add(meeting_request)
    db.session.commit()
    secrets = [token_for(organizer), token_for(colleague)]
    url = f"/api/v1/events/{event.slug}/requests/{meeting_request.id}/accept"
    barrier, statuses = threading.Barrier(2), []

    def accept(secret):
        with app.app_context():
            barrier.wait(timeout=20)
            response = app.test_client().post(url, json={"priority": 1}, headers=bearer(secret))
            statuses.append(response.status_code)
            db.session.remove()

    threads = [threading.Thread(target=accept, args=(secret,)) for secret in secrets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses)[0] == 200 and sorted(statuses)[1] in (409, 422), statuses
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 1


def test_errors_speak_the_language_the_caller_asks_for(app, client, event):
    response = client.get("/api/v1/events?color=red", headers={"Accept-Language": "ko"})
    assert error_of(response)["message"] == "알 수 없는 매개변수입니다."


def test_an_id_beyond_any_row_is_refused_not_a_database_error(
    app, client, event, organizer_token, people
):
    """Found by schemathesis on PostgreSQL: an id past INTEGER in a body."""
    response = client.post(
        f"/api/v1/events/{event.slug}/meetings",
        json={"first_id": 2**31, "second_id": people["bob"].id},
        headers=bearer(organizer_token),
    )
    assert response.status_code == 422 and error_of(response)["field"] == "first_id"


def test_the_programme_is_read_in_every_language_without_drafts(app, client, event, make_event):
    from forum.services import programme
    from forum.services.programme import PageContent

    talks = programme.create_page(
        event,
        PageContent(
            "programme",
            "programme",
            0,
            True,
            {"en": ("Programme", "Talks"), "ko": ("프로그램", "발표")},
        ),
    )
    programme.add_item(
        talks, day=event.start_date, starts_at=time(9), ends_at=time(9, 30), title="Opening",
        speakers="Kim", room="Hall B",
    )  # fmt: skip
    programme.create_page(event, PageContent("plans", "text", 1, False, {"en": ("Plans", "Draft")}))
    draft_event = make_event(slug="draft-2027", status="draft", name="Secret draft")
    programme.create_page(
        draft_event, PageContent("faq", "text", 0, True, {"en": ("FAQ", "Secret answers")})
    )
    db.session.commit()

    pages = client.get(f"/api/v1/events/{event.slug}/programme").get_json()["pages"]
    assert [page["slug"] for page in pages] == ["programme"]
    assert {text["language"]: text["title"] for text in pages[0]["texts"]} == {
        "en": "Programme",
        "ko": "프로그램",
    }
    assert pages[0]["items"] == [
        {
            "day": event.start_date.isoformat(),
            "starts_at": "09:00",
            "ends_at": "09:30",
            "title": "Opening",
            "speakers": "Kim",
            "room": "Hall B",
        }
    ]
    refused = client.get("/api/v1/events/draft-2027/programme")
    assert refused.status_code == 404 and "Secret" not in refused.get_data(as_text=True)


def test_the_catalogue_shows_public_organisations_only(app, client, event, people):
    from forum.services.opportunities import OpportunityDetails, publish_opportunity

    for who, title in (("ada", "Gene therapy vector"), ("bob", "Antibody screening")):
        publish_opportunity(
            people[who], OpportunityDetails(kind="offer", type="technology", title=title)
        )
    people["ada"].organisation.public = True
    db.session.commit()

    listing = client.get("/api/v1/catalogue")
    assert listing.status_code == 200
    body = listing.get_json()
    assert [item["title"] for item in body["data"]] == ["Gene therapy vector"]
    assert body["data"][0]["organisation"]["name"] == "Seoul National University"
    assert body["data"][0]["event"] == event.slug and body["total"] == 1
    assert "participant_id" not in body["data"][0]  # who published it stays private
    assert client.get("/api/v1/catalogue?q=vector&kind=offer").get_json()["total"] == 1
    assert client.get("/api/v1/catalogue?kind=need").get_json()["total"] == 0
    for query, field in (
        ("kind=nonsense", "kind"),
        ("q=" + "x" * 201, "q"),
        ("colour=1", "colour"),
    ):
        refused = client.get(f"/api/v1/catalogue?{query}")
        assert refused.status_code == 422 and error_of(refused)["field"] == field
