"""The JSON API's OpenAPI 3.1 document, and the check of request bodies against its schemas.

The document is the one description of the API: `/api/v1/openapi.json` serves it, the views
check every JSON body against its request schema (`check`), and the tests walk it (every route
has an operation and every operation a route; schemathesis calls each and checks the answers).
"""

from typing import Any

from flask_babel import gettext as _

from ..models import (
    API_SCOPES,
    IP_STATUSES,
    MAX_ID,
    OPPORTUNITY_KINDS,
    OPPORTUNITY_TYPES,
    PARTNERSHIP_TYPES,
)

MAX_PER_PAGE = 100
MAX_IMPORT_RECORDS = 500


def _nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


def _object(properties: dict, required: tuple[str, ...] = ()) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
BOOLEAN = {"type": "boolean"}
INSTANT = {"type": "string", "format": "date-time"}
DAY = {"type": "string", "format": "date"}
PRIORITY = {"type": "integer", "enum": [1, 2, 3]}

OPPORTUNITY_FIELDS = {
    "kind": {"type": "string", "enum": list(OPPORTUNITY_KINDS)},
    "type": {"type": "string", "enum": list(OPPORTUNITY_TYPES)},
    "title": {"type": "string", "minLength": 1, "maxLength": 200},
    "summary": {"type": "string", "maxLength": 600},
    "description": {"type": "string", "maxLength": 20000},
    "keywords": {"type": "string", "maxLength": 500},
    "second_title": {"type": "string", "maxLength": 200},
    "second_summary": {"type": "string", "maxLength": 600},
    "second_keywords": {"type": "string", "maxLength": 500},
    "areas": {"type": "array", "items": {"type": "string", "maxLength": 120}, "maxItems": 20},
    "trl": {"type": ["integer", "null"], "minimum": 1, "maximum": 9},
    "ip_status": {"type": ["string", "null"], "enum": [*IP_STATUSES, None]},
    "partnership_types": {
        "type": "array",
        "items": {"type": "string", "enum": list(PARTNERSHIP_TYPES)},
        "maxItems": len(PARTNERSHIP_TYPES),
    },
    "target_countries": {
        "type": "array",
        "items": {"type": "string", "minLength": 2, "maxLength": 2},
        "maxItems": 300,
    },
}

SCHEMAS: dict[str, dict] = {
    "Error": _object(
        {
            "error": _object(
                {
                    "code": STRING,
                    "message": STRING,
                    "field": {"type": ["string", "null"]},
                },
                ("code", "message", "field"),
            )
        },
        ("error",),
    ),
    "Session": _object(
        {
            "id": ID,
            "name": STRING,
            "day": DAY,
            "starts_at": STRING,
            "ends_at": STRING,
            "slot_minutes": INTEGER,
        },
        ("id", "name", "day", "starts_at", "ends_at", "slot_minutes"),
    ),
    "Event": _object(
        {
            "slug": STRING,
            "name": STRING,
            "venue": STRING,
            "description": STRING,
            "timezone": STRING,
            "start_date": DAY,
            "end_date": DAY,
            "status": STRING,
            "registration_deadline": _nullable(INSTANT),
            "request_deadline": _nullable(INSTANT),
            "schedule_version": INTEGER,
            "sessions": {"type": "array", "items": _ref("Session")},
        },
        (
            "slug",
            "name",
            "venue",
            "description",
            "timezone",
            "start_date",
            "end_date",
            "status",
            "registration_deadline",
            "request_deadline",
            "schedule_version",
            "sessions",
        ),
    ),
    "Organisation": _object(
        {"id": ID, "name": STRING, "kind": STRING, "country": STRING},
        ("id", "name", "kind", "country"),
    ),
    "Participant": _object(
        {
            "id": ID,
            "name": STRING,
            "email": STRING,
            "organisation": {"oneOf": [_ref("Organisation"), {"type": "null"}]},
            "role": STRING,
            "status": STRING,
            "job_title": STRING,
            "languages": {"type": "array", "items": STRING},
            "created_at": INSTANT,
        },
        (
            "id",
            "name",
            "email",
            "organisation",
            "role",
            "status",
            "job_title",
            "languages",
            "created_at",
        ),
    ),
    "Opportunity": _object(
        {
            "id": ID,
            "participant_id": ID,
            **OPPORTUNITY_FIELDS,
            "withdrawn": BOOLEAN,
            "hidden": BOOLEAN,
            "external_source": {"type": ["string", "null"]},
            "external_id": {"type": ["string", "null"]},
            "created_at": INSTANT,
            "updated_at": INSTANT,
        },
        (
            "id",
            "participant_id",
            *OPPORTUNITY_FIELDS,
            "withdrawn",
            "hidden",
            "external_source",
            "external_id",
            "created_at",
            "updated_at",
        ),
    ),
    "NewOpportunity": _object(
        {"participant_id": ID, **OPPORTUNITY_FIELDS}, ("participant_id", "kind", "type", "title")
    ),
    "OpportunityChanges": _object(OPPORTUNITY_FIELDS),
    "MeetingRequest": _object(
        {
            "id": ID,
            "requester_id": ID,
            "recipient_id": ID,
            "opportunity_id": _nullable(INTEGER),
            "message": STRING,
            "requester_priority": INTEGER,
            "recipient_priority": _nullable(INTEGER),
            "status": STRING,
            "decline_reason": STRING,
            "created_by_organizer": BOOLEAN,
            "created_at": INSTANT,
            "decided_at": _nullable(INSTANT),
        },
        (
            "id",
            "requester_id",
            "recipient_id",
            "opportunity_id",
            "message",
            "requester_priority",
            "recipient_priority",
            "status",
            "decline_reason",
            "created_by_organizer",
            "created_at",
            "decided_at",
        ),
    ),
    "Acceptance": _object({"priority": PRIORITY}, ("priority",)),
    "Refusal": _object({"reason": {"type": "string", "maxLength": 500}}),
    "Meeting": _object(
        {
            "id": ID,
            "request_id": _nullable(INTEGER),
            "status": STRING,
            "attendee_ids": {"type": "array", "items": ID},
            "starts_at": _nullable(INSTANT),
            "ends_at": _nullable(INSTANT),
            "table": {"type": ["string", "null"]},
            "room": {"type": ["string", "null"]},
            "pinned": BOOLEAN,
            "updated_at": INSTANT,
        },
        (
            "id",
            "request_id",
            "status",
            "attendee_ids",
            "starts_at",
            "ends_at",
            "table",
            "room",
            "pinned",
            "updated_at",
        ),
    ),
    "NewMeeting": _object(
        {
            "first_id": ID,
            "second_id": ID,
            "co_attendee_ids": {"type": "array", "items": ID, "maxItems": 10},
            "priority": PRIORITY,
            "message": {"type": "string", "maxLength": 2000},
        },
        ("first_id", "second_id"),
    ),
    "ProgrammeItem": _object(
        {
            "day": DAY,
            "starts_at": STRING,
            "ends_at": STRING,
            "title": STRING,
            "speakers": STRING,
            "room": STRING,
        },
        ("day", "starts_at", "ends_at", "title", "speakers", "room"),
    ),
    "PageText": _object(
        {"language": STRING, "title": STRING, "body": STRING},
        ("language", "title", "body"),
    ),
    "ProgrammePage": _object(
        {
            "slug": STRING,
            "kind": {"type": "string", "enum": ["programme", "text"]},
            "position": INTEGER,
            "updated_at": INSTANT,
            "texts": {"type": "array", "items": _ref("PageText")},
            "items": {"type": "array", "items": _ref("ProgrammeItem")},
        },
        ("slug", "kind", "position", "updated_at", "texts", "items"),
    ),
    "Programme": _object({"pages": {"type": "array", "items": _ref("ProgrammePage")}}, ("pages",)),
    "CatalogueItem": _object(
        {
            "id": ID,
            "kind": STRING,
            "type": STRING,
            "title": STRING,
            "summary": STRING,
            "keywords": STRING,
            "second_title": STRING,
            "second_summary": STRING,
            "second_keywords": STRING,
            "trl": _nullable(INTEGER),
            "event": STRING,
            "organisation": {"anyOf": [_ref("Organisation"), {"type": "null"}]},
            "updated_at": INSTANT,
        },
        (
            "id",
            "kind",
            "type",
            "title",
            "summary",
            "keywords",
            "second_title",
            "second_summary",
            "second_keywords",
            "trl",
            "event",
            "organisation",
            "updated_at",
        ),
    ),
    "Schedule": _object(
        {"version": INTEGER, "meetings": {"type": "array", "items": _ref("Meeting")}},
        ("version", "meetings"),
    ),
    "ImportRecord": _object(
        {
            "external_id": {"type": "string", "minLength": 1, "maxLength": 120},
            "owner_email": {"type": "string", "minLength": 3, "maxLength": 254},
            **OPPORTUNITY_FIELDS,
        },
        ("external_id", "owner_email", "kind", "type", "title"),
    ),
    "Import": _object(
        {
            "source": {"type": "string", "minLength": 1, "maxLength": 60},
            "records": {
                "type": "array",
                "items": _ref("ImportRecord"),
                "minItems": 1,
                "maxItems": MAX_IMPORT_RECORDS,
            },
        },
        ("source", "records"),
    ),
    "ImportReport": _object(
        {
            "external_id": {"type": ["string", "null"]},
            "status": {"type": "string", "enum": ["created", "updated", "unchanged", "error"]},
            "opportunity_id": _nullable(INTEGER),
            "message": STRING,
            "field": {"type": ["string", "null"]},
        },
        ("external_id", "status", "opportunity_id", "message", "field"),
    ),
    "ImportReports": _object(
        {"records": {"type": "array", "items": _ref("ImportReport")}}, ("records",)
    ),
}


# The import's envelope as the view first checks it: each record is then checked on its own, so
# that a bad record is reported (with its field) while the others are imported.
IMPORT_ENVELOPE = {
    **SCHEMAS["Import"],
    "properties": {
        **SCHEMAS["Import"]["properties"],
        "records": {**SCHEMAS["Import"]["properties"]["records"], "items": {"type": "object"}},
    },
}


def _page_schema(item: str) -> dict:
    return _object(
        {
            "data": {"type": "array", "items": _ref(item)},
            "page": ID,
            "per_page": ID,
            "total": {"type": "integer", "minimum": 0},
            "next_page": _nullable(INTEGER),
        },
        ("data", "page", "per_page", "total", "next_page"),
    )


for _item in ("Event", "Participant", "Opportunity", "MeetingRequest", "Meeting", "CatalogueItem"):
    SCHEMAS[f"{_item}Page"] = _page_schema(_item)

ERROR_CODES = {
    "400": "The request could not be read (not JSON, or a bad parameter).",
    "401": "No token, or a token that is not valid (revoked, unknown).",
    "403": "A read token asked to write.",
    "404": "Nothing here, or outside the token's reach.",
    "409": "A concurrent change won; nothing was kept. Try again.",
    "422": "A field or the request was refused; nothing was changed.",
    "429": (
        "Too many calls with this token this minute, or too many tokens that are not valid "
        "from this address; see Retry-After."
    ),
}


def _errors(*codes: str) -> dict:
    return {
        code: {
            "description": ERROR_CODES[code],
            "content": {"application/json": {"schema": _ref("Error")}},
        }
        for code in codes
    }


def _json(description: str, schema: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 80},
}
PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100000}},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
    },
    {"name": "updated_since", "in": "query", "schema": INSTANT},
]
SECURED: list[dict[str, list[str]]] = [{"token": []}]
PUBLIC: list[dict[str, list[str]]] = [{}, {"token": []}]
READ_ERRORS = ("400", "401", "404", "422", "429")
WRITE_ERRORS = ("400", "401", "403", "404", "409", "422", "429")


def _id(name: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": ID,
    }


def _list(summary: str, item: str, security: list) -> dict:
    return {
        "get": {
            "summary": summary,
            "security": security,
            "parameters": PAGING,
            "responses": {
                "200": _json("One page.", f"{item}Page"),
                "304": {"description": "Not modified."},
                **_errors(*READ_ERRORS),
            },
        }
    }


# Bodies a call may leave out (declining needs no reason).
OPTIONAL_BODIES = {"Refusal"}


def _action(summary: str, result: str, body: str | None = None) -> dict:
    operation: dict[str, Any] = {
        "summary": summary,
        "security": SECURED,
        "responses": {"200": _json("Done.", result), **_errors(*WRITE_ERRORS)},
    }
    if body is not None:
        operation["requestBody"] = {
            "required": body not in OPTIONAL_BODIES,
            "content": {"application/json": {"schema": _ref(body)}},
        }
    return {"post": operation}


def _with(parameters: list[dict], path_item: dict) -> dict:
    return {"parameters": parameters, **path_item}


def document() -> dict:
    event = "/api/v1/events/{slug}"
    paths = {
        "/api/v1/events": _list("Public events (past their draft).", "Event", PUBLIC),
        event: _with(
            [SLUG],
            {
                "get": {
                    "summary": "One event: its public data and meeting sessions.",
                    "security": PUBLIC,
                    "responses": {
                        "200": _json("The event.", "Event"),
                        "304": {"description": "Not modified."},
                        **_errors(*READ_ERRORS),
                    },
                }
            },
        ),
        f"{event}/programme": _with(
            [SLUG],
            {
                "get": {
                    "summary": "The event's published programme and information pages, every language.",
                    "security": PUBLIC,
                    "responses": {
                        "200": _json("The pages.", "Programme"),
                        "304": {"description": "Not modified."},
                        **_errors(*READ_ERRORS),
                    },
                }
            },
        ),
        "/api/v1/catalogue": {
            "get": {
                "summary": "The public catalogue: listed offers and needs of public organisations.",
                "security": PUBLIC,
                "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
                    {
                        "name": "kind",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["offer", "need"]},
                    },
                    *PAGING[:2],
                ],
                "responses": {
                    "200": _json("One page.", "CatalogueItemPage"),
                    "304": {"description": "Not modified."},
                    **_errors(*READ_ERRORS),
                },
            }
        },
        f"{event}/schedule": _with(
            [SLUG],
            {
                "get": {
                    "summary": "The published schedule (organizers).",
                    "security": SECURED,
                    "responses": {
                        "200": _json("The schedule.", "Schedule"),
                        "304": {"description": "Not modified."},
                        **_errors(*READ_ERRORS),
                    },
                }
            },
        ),
        f"{event}/participants": _with(
            [SLUG], _list("Participants (organizers).", "Participant", SECURED)
        ),
        f"{event}/participants/{{participant_id}}/approve": _with(
            [SLUG, _id("participant_id")], _action("Approve a registration.", "Participant")
        ),
        f"{event}/participants/{{participant_id}}/reject": _with(
            [SLUG, _id("participant_id")], _action("Reject a registration.", "Participant")
        ),
        f"{event}/opportunities": _with(
            [SLUG],
            {
                **_list("Offers and needs, listed or not (organizers).", "Opportunity", SECURED),
                "post": {
                    **_action(
                        "Publish an offer or need for a participant.",
                        "Opportunity",
                        "NewOpportunity",
                    )["post"],
                    "responses": {
                        "201": _json("Created.", "Opportunity"),
                        **_errors(*WRITE_ERRORS),
                    },
                },
            },
        ),
        f"{event}/opportunities/import": _with(
            [SLUG],
            _action(
                "Import offers and needs from another technology database, idempotent by external id.",
                "ImportReports",
                "Import",
            ),
        ),
        f"{event}/opportunities/{{opportunity_id}}": _with(
            [SLUG, _id("opportunity_id")],
            {
                "get": {
                    "summary": "One offer or need (organizers).",
                    "security": SECURED,
                    "responses": {
                        "200": _json("The opportunity.", "Opportunity"),
                        "304": {"description": "Not modified."},
                        **_errors(*READ_ERRORS),
                    },
                },
                "patch": {
                    **_action(
                        "Change an offer or need; fields left out keep their values.",
                        "Opportunity",
                        "OpportunityChanges",
                    )["post"],
                },
            },
        ),
        f"{event}/opportunities/{{opportunity_id}}/withdraw": _with(
            [SLUG, _id("opportunity_id")], _action("Withdraw an offer or need.", "Opportunity")
        ),
        f"{event}/requests": _with(
            [SLUG], _list("Meeting requests (organizers).", "MeetingRequest", SECURED)
        ),
        f"{event}/requests/{{request_id}}/accept": _with(
            [SLUG, _id("request_id")],
            _action("Accept a pending request for its recipient.", "Meeting", "Acceptance"),
        ),
        f"{event}/requests/{{request_id}}/decline": _with(
            [SLUG, _id("request_id")],
            _action("Decline a pending request for its recipient.", "MeetingRequest", "Refusal"),
        ),
        f"{event}/meetings": _with(
            [SLUG],
            {
                **_list("Meetings (organizers).", "Meeting", SECURED),
                "post": {
                    **_action("Arrange a meeting between participants.", "Meeting", "NewMeeting")[
                        "post"
                    ],
                    "responses": {"201": _json("Created.", "Meeting"), **_errors(*WRITE_ERRORS)},
                },
            },
        ),
        f"{event}/meetings/{{meeting_id}}/cancel": _with(
            [SLUG, _id("meeting_id")],
            _action("Cancel a meeting on the published schedule.", "Meeting"),
        ),
        f"{event}/meetings/{{meeting_id}}/restore": _with(
            [SLUG, _id("meeting_id")],
            _action("Restore a cancelled meeting while its time and table are free.", "Meeting"),
        ),
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This document.",
                "security": PUBLIC,
                "responses": {
                    "200": {
                        "description": "The OpenAPI document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "304": {"description": "Not modified."},
                },
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Forum API",
            "version": "1",
            "description": "Read public events; with a personal API token (account page), an event's "
            "organizers read and change its participants, offers and needs, requests and meetings. "
            f"Scopes: {', '.join(API_SCOPES)}. See docs/api.md.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
    }


# --- checking a JSON body against a schema ------------------------------------------------


class Refused(Exception):
    """A value that does not fit its schema: the field at fault (dotted path) and why."""

    def __init__(self, field: str | None, message: str, code: str = "invalid"):
        super().__init__(message)
        self.field, self.message, self.code = field, message, code


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def _is(value: Any, kind: str) -> bool:
    if kind == "integer" and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[kind])


def _path(parent: str | None, name: str | int) -> str:
    return f"{parent}.{name}" if parent else str(name)


def _check_type(schema: dict, value: Any, where: str | None) -> None:
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds or []
    if kinds and not any(_is(value, kind) for kind in kinds):
        raise Refused(where, _("This field must be of type %(type)s.", type=" or ".join(kinds)))
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join("null" if option is None else str(option) for option in schema["enum"])
        raise Refused(where, _("Choose one of: %(values)s.", values=allowed))


def _check_bounds(schema: dict, value: Any, where: str | None) -> None:
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            raise Refused(where, _("This field must not be empty."))
        if len(value) > schema.get("maxLength", len(value)):
            raise Refused(where, _("At most %(max)d characters.", max=schema["maxLength"]))
    if _is(value, "integer") and not (
        schema.get("minimum", value) <= value <= schema.get("maximum", value)
    ):
        raise Refused(
            where,
            _(
                "A number from %(min)d to %(max)d.",
                min=schema.get("minimum", value),
                max=schema.get("maximum", value),
            ),
        )
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            raise Refused(where, _("Give at least %(min)d.", min=schema["minItems"]))
        if len(value) > schema.get("maxItems", len(value)):
            raise Refused(where, _("Give at most %(max)d.", max=schema["maxItems"]))


def _check_object(schema: dict, value: dict, where: str | None) -> None:
    properties = schema.get("properties", {})
    if schema.get("additionalProperties") is False:
        unknown = sorted(name for name in value if name not in properties)
        if unknown:
            raise Refused(_path(where, unknown[0]), _("Unknown field."), "unknown_field")
    for name in schema.get("required", []):
        if name not in value:
            raise Refused(_path(where, name), _("This field is required."), "missing_field")
    for name, item in value.items():
        if name in properties:
            check(properties[name], item, _path(where, name))


def check(schema: dict, value: Any, where: str | None = None) -> None:
    """Raise `Refused` naming the first field of `value` that does not fit `schema`."""
    if "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    _check_type(schema, value, where)
    _check_bounds(schema, value, where)
    if isinstance(value, dict):
        _check_object(schema, value, where)
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            check(schema["items"], item, _path(where, index))
