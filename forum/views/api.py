"""The JSON API under /api/v1: public events for anyone; with a personal API token, an event's
organizers read and change what the web pages let them (through the same services).

Only `Authorization: Bearer <token>` authenticates (cookies never do, so CSRF does not apply);
every answer under /api is JSON, errors included (`error_response`); GET answers carry an ETag
and answer 304 to a matching If-None-Match; every call with a token counts against its limit
per minute (`services.api_tokens.use_token`).
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_babel import gettext as _

from ..extensions import csrf, db
from ..models import ApiToken, Event, Meeting, MeetingRequest, Opportunity, Participant
from ..services import ServiceError, api_data, api_tokens, dayof, meeting_life, programme
from ..services import opportunities as opportunities_service
from ..services import registrations as registrations_service
from ..services import requests as requests_service
from ..services.search import OpportunitySearch, search_opportunities
from . import api_spec
from .common import client_address

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

EVENT = "/events/<slug>"


# --- errors ------------------------------------------------------------------------------------

ERROR_CODES = {
    400: "bad_request",
    401: "token_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
}


class ApiError(Exception):
    """A refusal of the API itself (no token, out of reach, too many calls…)."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        field: str | None = None,
        retry_after: int = 0,
    ):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field
        self.code = code or ERROR_CODES.get(status, "error")
        self.retry_after = retry_after


def error_response(
    status: int, message: str, code: str | None = None, field: str | None = None
) -> Response:
    """The one shape of every error under /api: {"error": {code, message, field}}."""
    response = jsonify(
        error={"code": code or ERROR_CODES.get(status, "error"), "message": message, "field": field}
    )
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    db.session.rollback()
    response = error_response(error.status, error.message, error.code, error.field)
    if error.retry_after:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


@bp.errorhandler(ServiceError)
def service_refusal(error: ServiceError):
    db.session.rollback()
    return error_response(422, error.message, "refused", error.field)


@bp.errorhandler(api_spec.Refused)
def body_refusal(error: api_spec.Refused):
    db.session.rollback()
    return error_response(422, error.message, error.code, error.field)


# --- the token ------------------------------------------------------------------------------


def _bearer() -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _space, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip() or len(secret) > 200:
        raise ApiError(
            401, _("Send a personal API token as: Authorization: Bearer <token>."), "invalid_token"
        )
    return secret.strip()


@bp.before_request
def authenticate():
    """Find the token (on a connection of its own, before the request's transaction begins) and
    count the call; no header: an anonymous call, which reads public data only."""
    g.api_token = None
    secret = _bearer()
    if secret is None:
        return None
    use = api_tokens.use_token(
        secret, current_app.config.get("API_RATE_LIMIT", 120), client_address()
    )
    if use.token_id is None and use.retry_after:
        raise ApiError(
            429,
            _(
                "Too many tokens that are not valid came from this address; wait %(seconds)d "
                "seconds and try again.",
                seconds=use.retry_after,
            ),
            "too_many_failures",
            retry_after=use.retry_after,
        )
    if use.token_id is None:
        raise ApiError(
            401, _("This API token is not valid: it is unknown or revoked."), "invalid_token"
        )
    if use.retry_after:
        raise ApiError(
            429, _("Too many calls with this token; wait a minute."), retry_after=use.retry_after
        )
    g.api_token = db.session.get(ApiToken, use.token_id)
    return None


@bp.after_request
def conditional(response: Response) -> Response:
    """GET answers: an ETag of the body, 304 when the client has it already."""
    response.headers["Vary"] = "Authorization"
    if request.method == "GET" and response.status_code == 200:
        response.headers.setdefault("Cache-Control", "private, no-cache")
        response.add_etag()
        response.make_conditional(request)
    return response


def _event(slug: str) -> Event:
    event = api_data.event_by_slug(slug[:80])
    if event is None:
        raise ApiError(404, _("There is nothing here, or it is not yours to see."))
    return event


def _public_event(slug: str) -> Event:
    event = _event(slug)
    token = g.api_token
    if event.status == "draft" and (token is None or not api_data.token_reaches(token, event)):
        raise ApiError(404, _("There is nothing here, or it is not yours to see."))
    return event


def _organized_event(slug: str, write: bool = False) -> Event:
    token: ApiToken | None = g.api_token
    if token is None:
        raise ApiError(401, _("This needs a personal API token of an organizer of the event."))
    event = _event(slug)
    if not api_data.token_reaches(token, event):
        raise ApiError(404, _("There is nothing here, or it is not yours to see."))
    if write and token.scope != "write":
        raise ApiError(
            403,
            _("This token may only read; create a write token to change data."),
            "read_only_token",
        )
    return event


def _of_event(model: Any, object_id: int, event: Event) -> Any:
    found = api_data.of_event(model, object_id, event)
    if found is None:
        raise ApiError(404, _("There is nothing here, or it is not yours to see."))
    return found


# --- reading the query and the body ---------------------------------------------------------

_PAGING = ("page", "per_page", "updated_since")


def _known_parameters(allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise ApiError(422, _("Unknown parameter."), "unknown_field", unknown[0])


def _number(name: str, default: int, maximum: int) -> int:
    text = request.args.get(name, str(default))
    if not text.isdigit() or not 1 <= int(text) <= maximum:
        raise ApiError(
            422, _("A number from %(min)d to %(max)d.", min=1, max=maximum), "invalid", name
        )
    return int(text)


def _since() -> datetime | None:
    text = request.args.get("updated_since")
    if text is None:
        return None
    try:
        since = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        since = None
    if since is None or since.tzinfo is None:
        raise ApiError(
            422,
            _("An instant with its offset, as 2027-05-11T09:00:00Z."),
            "invalid",
            "updated_since",
        )
    return since


def _paged(statement, serialise: Callable[[Any], dict]) -> Response:
    _known_parameters(_PAGING)
    page = api_data.page_of(
        statement,
        _number("page", 1, 100_000),
        _number("per_page", 50, api_spec.MAX_PER_PAGE),
    )
    return jsonify(
        data=[serialise(item) for item in page.items],
        page=page.page,
        per_page=page.per_page,
        total=page.total,
        next_page=page.next_page,
    )


def _body(schema: str) -> dict:
    """The JSON body, checked against the document's schema (unknown fields refused)."""
    data = request.get_json(silent=True)
    if data is None and (request.get_data(cache=True) or schema not in api_spec.OPTIONAL_BODIES):
        raise ApiError(
            400, _("Send a JSON object (Content-Type: application/json)."), "invalid_json"
        )
    data = {} if data is None else data
    api_spec.check(api_spec.SCHEMAS[schema], data)
    return data


def _write(action: Callable[[], Any]) -> Any:
    """Run a write and commit it, again when a concurrent change made the database refuse it."""
    return meeting_life.attempt(action)


# --- shapes -----------------------------------------------------------------------------------


def _instant(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def event_json(event: Event) -> dict:
    return {
        "slug": event.slug,
        "name": event.name,
        "venue": event.venue,
        "description": event.description,
        "timezone": event.timezone,
        "start_date": event.start_date.isoformat(),
        "end_date": event.end_date.isoformat(),
        "status": event.status,
        "registration_deadline": _instant(event.registration_deadline),
        "request_deadline": _instant(event.request_deadline),
        "schedule_version": event.schedule_version,
        "sessions": [
            {
                "id": session.id,
                "name": session.name,
                "day": session.day.isoformat(),
                "starts_at": session.starts_at.isoformat(timespec="minutes"),
                "ends_at": session.ends_at.isoformat(timespec="minutes"),
                "slot_minutes": session.slot_minutes,
            }
            for session in event.sessions
        ],
    }


def participant_json(participant: Participant) -> dict:
    organisation = participant.organisation
    return {
        "id": participant.id,
        "name": participant.user.name,
        "email": participant.user.email,
        "organisation": None
        if organisation is None
        else {
            "id": organisation.id,
            "name": organisation.name,
            "kind": organisation.kind,
            "country": organisation.country,
        },
        "role": participant.role,
        "status": participant.status,
        "job_title": participant.job_title,
        "languages": _split(participant.languages),
        "created_at": _instant(participant.created_at),
    }


def opportunity_json(opportunity: Opportunity) -> dict:
    return {
        "id": opportunity.id,
        "participant_id": opportunity.participant_id,
        "kind": opportunity.kind,
        "type": opportunity.type,
        "title": opportunity.title,
        "summary": opportunity.summary,
        "description": opportunity.description,
        "keywords": opportunity.keywords,
        "second_title": opportunity.second_title,
        "second_summary": opportunity.second_summary,
        "second_keywords": opportunity.second_keywords,
        "areas": [area.name for area in opportunity.areas],
        "trl": opportunity.trl,
        "ip_status": opportunity.ip_status,
        "partnership_types": _split(opportunity.partnership_types),
        "target_countries": _split(opportunity.target_countries),
        "withdrawn": opportunity.withdrawn,
        "hidden": opportunity.hidden,
        "external_source": opportunity.external_source,
        "external_id": opportunity.external_id,
        "created_at": _instant(opportunity.created_at),
        "updated_at": _instant(opportunity.updated_at),
    }


def programme_page_json(page) -> dict:
    return {
        "slug": page.slug,
        "kind": page.kind,
        "position": page.position,
        "updated_at": _instant(page.updated_at),
        "texts": [
            {"language": text.language, "title": text.title, "body": text.body}
            for text in page.texts
        ],
        "items": [
            {
                "day": item.day.isoformat(),
                "starts_at": item.starts_at.strftime("%H:%M"),
                "ends_at": item.ends_at.strftime("%H:%M"),
                "title": item.title,
                "speakers": item.speakers,
                "room": item.room,
            }
            for item in page.items
        ],
    }


def catalogue_item_json(opportunity: Opportunity) -> dict:
    """What the public catalogue shows of an offer or need: nothing about who asked for it."""
    organisation = opportunity.participant.organisation
    return {
        "id": opportunity.id,
        "kind": opportunity.kind,
        "type": opportunity.type,
        "title": opportunity.title,
        "summary": opportunity.summary,
        "keywords": opportunity.keywords,
        "second_title": opportunity.second_title,
        "second_summary": opportunity.second_summary,
        "second_keywords": opportunity.second_keywords,
        "trl": opportunity.trl,
        "event": opportunity.event.slug,
        "organisation": None
        if organisation is None
        else {
            "id": organisation.id,
            "name": organisation.name,
            "kind": organisation.kind,
            "country": organisation.country,
        },
        "updated_at": _instant(opportunity.updated_at),
    }


def request_json(meeting_request: MeetingRequest) -> dict:
    return {
        "id": meeting_request.id,
        "requester_id": meeting_request.requester_id,
        "recipient_id": meeting_request.recipient_id,
        "opportunity_id": meeting_request.opportunity_id,
        "message": meeting_request.message,
        "requester_priority": meeting_request.requester_priority,
        "recipient_priority": meeting_request.recipient_priority,
        "status": meeting_request.status,
        "decline_reason": meeting_request.decline_reason,
        "created_by_organizer": meeting_request.created_by_organizer,
        "created_at": _instant(meeting_request.created_at),
        "decided_at": _instant(meeting_request.decided_at),
    }


def meeting_json(meeting: Meeting) -> dict:
    slot, table = meeting.slot, meeting.table
    return {
        "id": meeting.id,
        "request_id": meeting.request_id,
        "status": meeting.status,
        "attendee_ids": sorted(attendee.participant_id for attendee in meeting.attendees),
        "starts_at": _instant(slot.starts_at) if slot else None,
        "ends_at": _instant(slot.ends_at) if slot else None,
        "table": table.name if table else None,
        "room": table.room if table else None,
        "pinned": meeting.pinned,
        "updated_at": _instant(meeting.updated_at),
    }


# --- public reads ---------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi():
    _known_parameters(())
    return jsonify(api_spec.document())


@bp.get("/events")
def events():
    return _paged(_with_since(api_data.public_events(), Event.created_at), event_json)


def _with_since(statement, column):
    since = _since()
    return statement if since is None else statement.where(column >= since)


@bp.get(EVENT)
def event(slug):
    _known_parameters(())
    return jsonify(event_json(_public_event(slug)))


@bp.get(f"{EVENT}/programme")
def programme_pages(slug):
    """The published pages in every language they are written in: a client picks its own."""
    _known_parameters(())
    event = _public_event(slug)
    return jsonify(pages=[programme_page_json(page) for page in programme.event_pages(event)])


@bp.get("/catalogue")
def catalogue():
    """The public catalogue, searched as on its page (Korean and English analysis, OR, phrases)."""
    _known_parameters(("q", "kind", "page", "per_page"))
    kind = request.args.get("kind")
    if kind not in (None, "offer", "need"):
        raise ApiError(422, _("Either offer or need."), "invalid", "kind")
    text = request.args.get("q", "")
    if len(text) > 200:
        raise ApiError(422, _("At most %(max)d characters.", max=200), "invalid", "q")
    per_page = _number("per_page", 50, api_spec.MAX_PER_PAGE)
    found = search_opportunities(
        None,
        OpportunitySearch(
            text=text, kind=kind, page=_number("page", 1, 100_000), per_page=per_page
        ),
    )
    return jsonify(
        data=[catalogue_item_json(item) for item in found.items],
        page=found.page,
        per_page=per_page,
        total=found.total,
        next_page=found.page + 1 if found.page < found.pages else None,
    )


# --- organizers' reads ----------------------------------------------------------------------


@bp.get(f"{EVENT}/schedule")
def schedule(slug):
    _known_parameters(())
    event = _organized_event(slug)
    published = event.status in ("published", "closed")
    placed = db.session.scalars(api_data.meetings(event, None, published=True)) if published else []
    return jsonify(version=event.schedule_version, meetings=[meeting_json(m) for m in placed])


@bp.get(f"{EVENT}/participants")
def participants(slug):
    event = _organized_event(slug)
    return _paged(api_data.participants(event, _since()), participant_json)


@bp.get(f"{EVENT}/opportunities")
def opportunities(slug):
    event = _organized_event(slug)
    return _paged(api_data.opportunities(event, _since()), opportunity_json)


@bp.get(f"{EVENT}/opportunities/<int:opportunity_id>")
def opportunity(slug, opportunity_id):
    _known_parameters(())
    event = _organized_event(slug)
    return jsonify(opportunity_json(_of_event(Opportunity, opportunity_id, event)))


@bp.get(f"{EVENT}/requests")
def requests(slug):
    event = _organized_event(slug)
    return _paged(api_data.requests(event, _since()), request_json)


@bp.get(f"{EVENT}/meetings")
def meetings(slug):
    event = _organized_event(slug)
    return _paged(api_data.meetings(event, _since()), meeting_json)


# --- organizers' writes ---------------------------------------------------------------------


def _decide(slug: str, participant_id: int, approve: bool) -> Response:
    _organized_event(slug, write=True)

    def write() -> dict:
        event = _organized_event(slug, write=True)
        participant = _of_event(Participant, participant_id, event)
        registrations_service.decide_registration(participant, approve)
        return participant_json(participant)

    return jsonify(_write(write))


@bp.post(f"{EVENT}/participants/<int:participant_id>/approve")
def approve_participant(slug, participant_id):
    return _decide(slug, participant_id, True)


@bp.post(f"{EVENT}/participants/<int:participant_id>/reject")
def reject_participant(slug, participant_id):
    return _decide(slug, participant_id, False)


@bp.post(f"{EVENT}/opportunities")
def create_opportunity(slug):
    _organized_event(slug, write=True)
    fields = _body("NewOpportunity")

    def write() -> dict:
        event = _organized_event(slug, write=True)
        owner = api_data.owner_of(event, fields["participant_id"])
        details = api_data.opportunity_details(
            event, {k: v for k, v in fields.items() if k != "participant_id"}
        )
        return opportunity_json(opportunities_service.publish_opportunity(owner, details))

    response = jsonify(_write(write))
    response.status_code = 201
    return response


@bp.patch(f"{EVENT}/opportunities/<int:opportunity_id>")
def update_opportunity(slug, opportunity_id):
    _organized_event(slug, write=True)
    fields = _body("OpportunityChanges")

    def write() -> dict:
        event = _organized_event(slug, write=True)
        found = _of_event(Opportunity, opportunity_id, event)
        opportunities_service.update_opportunity(
            found, api_data.opportunity_details(event, fields, found)
        )
        return opportunity_json(found)

    return jsonify(_write(write))


@bp.post(f"{EVENT}/opportunities/<int:opportunity_id>/withdraw")
def withdraw_opportunity(slug, opportunity_id):
    _organized_event(slug, write=True)

    def write() -> dict:
        event = _organized_event(slug, write=True)
        found = _of_event(Opportunity, opportunity_id, event)
        opportunities_service.set_withdrawn(found, True)
        return opportunity_json(found)

    return jsonify(_write(write))


@bp.post(f"{EVENT}/opportunities/import")
def import_opportunities(slug):
    _organized_event(slug, write=True)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(
            400, _("Send a JSON object (Content-Type: application/json)."), "invalid_json"
        )
    api_spec.check(api_spec.IMPORT_ENVELOPE, data)
    records = data["records"]
    refusals = {}
    for position, record in enumerate(records):
        try:
            api_spec.check(api_spec.SCHEMAS["ImportRecord"], record)
        except api_spec.Refused as refusal:
            external_id = record.get("external_id")
            refusals[position] = api_data.ImportReport(
                external_id if isinstance(external_id, str) else None,
                "error",
                message=refusal.message,
                field=refusal.field,
            )

    def write() -> list[dict]:
        event = _organized_event(slug, write=True)
        reports = api_data.import_opportunities(event, data["source"], records, refusals)
        return [vars(report) for report in reports]

    return jsonify(records=_write(write))


@bp.post(f"{EVENT}/requests/<int:request_id>/accept")
def accept_request(slug, request_id):
    _organized_event(slug, write=True)
    fields = _body("Acceptance")

    def write() -> dict:
        event = _organized_event(slug, write=True)
        meeting_request = _of_event(MeetingRequest, request_id, event)
        meeting = requests_service.accept_request(
            meeting_request, fields["priority"], by_organizer=True
        )
        return meeting_json(meeting)

    return jsonify(_write(write))


@bp.post(f"{EVENT}/requests/<int:request_id>/decline")
def decline_request(slug, request_id):
    _organized_event(slug, write=True)
    fields = _body("Refusal")

    def write() -> dict:
        event = _organized_event(slug, write=True)
        meeting_request = _of_event(MeetingRequest, request_id, event)
        requests_service.decline_request(
            meeting_request, fields.get("reason", ""), by_organizer=True
        )
        return request_json(meeting_request)

    return jsonify(_write(write))


def _meeting_people(
    event: Event, fields: dict
) -> tuple[Participant, Participant, list[Participant]]:
    def person(participant_id: int, field: str) -> Participant:
        found = api_data.of_event(Participant, participant_id, event)
        if found is None:
            raise ServiceError(_("Choose a participant of this event."), field)
        return found

    return (
        person(fields["first_id"], "first_id"),
        person(fields["second_id"], "second_id"),
        [person(i, "co_attendee_ids") for i in fields.get("co_attendee_ids", [])],
    )


@bp.post(f"{EVENT}/meetings")
def create_meeting(slug):
    _organized_event(slug, write=True)
    fields = _body("NewMeeting")

    def write() -> dict:
        event = _organized_event(slug, write=True)
        first, second, others = _meeting_people(event, fields)
        meeting = requests_service.create_meeting_by_organizer(
            event,
            first,
            second,
            others,
            priority=fields.get("priority", 2),
            message=fields.get("message", ""),
        )
        return meeting_json(meeting)

    response = jsonify(_write(write))
    response.status_code = 201
    return response


@bp.post(f"{EVENT}/meetings/<int:meeting_id>/cancel")
def cancel_meeting(slug, meeting_id):
    _organized_event(slug, write=True)

    def write() -> dict:
        event = _organized_event(slug, write=True)
        meeting = _of_event(Meeting, meeting_id, event)
        dayof.mark_meeting(meeting, "cancelled")
        return meeting_json(meeting)

    return jsonify(_write(write))


@bp.post(f"{EVENT}/meetings/<int:meeting_id>/restore")
def restore_meeting(slug, meeting_id):
    _organized_event(slug, write=True)

    def write() -> dict:
        event = _organized_event(slug, write=True)
        meeting = _of_event(Meeting, meeting_id, event)
        requests_service.restore_meeting(meeting, None)
        return meeting_json(meeting)

    return jsonify(_write(write))
