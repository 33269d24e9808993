"""Importing participants (with their organisations) and opportunities from a CSV or Excel file.

A file is read (UTF-8 with or without BOM, UTF-16, or cp949/EUC-KR as Korean Excel saves CSV;
comma, semicolon or tab separated; or .xlsx), then every row is checked: the preview lists each
bad row with its line number (the header is line 1, as in a spreadsheet) and the reason, and
nothing is written until the organizer confirms. A file with bad rows can still be imported:
the preview offers to import the good rows and skip the bad ones it lists.

Between preview and confirmation the read table travels in the page, signed with the app's
secret (`sign_table`): no server-side state, so it works with several web workers, cannot be
altered by the browser, expires after an hour, and is bound to the event and the kind; the
lines the organizer agreed to skip travel signed with it. On confirmation the rows are stored as
a background job (`services/import_jobs.py`) that checks each batch again against the database as
it is then and imports its good rows, recording for every row what became of it. Importing the same file twice creates nothing twice: existing
accounts are reused and participants already registered are left as they are. An opportunity is
matched by a stable key, its owner (the participant of the row's e-mail) with its kind and title
(case ignored): a row that matches one updates it — the file's columns replace its values, the
columns the file lacks keep theirs — and a row identical to it leaves it as it is.
"""

import codecs
import csv
import io
import logging
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby

from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from ..classification import classification
from ..countries import country_codes
from ..extensions import db
from ..languages import available_languages
from ..models import (
    IP_STATUSES,
    OPPORTUNITY_KINDS,
    OPPORTUNITY_TYPES,
    ORGANISATION_KINDS,
    PARTNERSHIP_TYPES,
    Event,
    Opportunity,
    Participant,
    TechnologyArea,
    User,
)
from . import ServiceError
from .accounts import normalise_email, reset_token
from .exports import xlsx
from .mail import write_mails
from .opportunities import (
    OpportunityDetails,
    publish_opportunities,
    technology_areas,
    update_opportunity,
)
from .web_addresses import web_address

log = logging.getLogger(__name__)

IMPORT_KINDS = ("participants", "opportunities")
KIND_LABELS = {
    "participants": _l("Participants and their organisations"),
    "opportunities": _l("Offers and needs of registered participants"),
}
MAX_ROWS = 5000  # the default of the IMPORT_MAX_ROWS setting
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_UNPACK_CHUNK = 64 * 1024
SIGNATURE_MAX_AGE = 3600
_SALT = "forum-import"

# Column → (required, what to write in it). The order is the template's.
COLUMNS = {
    "participants": {
        "email": (
            True,
            _l(
                "E-mail address; an account is created when none exists (the person gets an e-mail "
                "to choose a password), else the existing account is used."
            ),
        ),
        "name": (True, _l("Full name.")),
        "organisation": (
            True,
            _l("Organisation name; an organisation of the same name and country is reused."),
        ),
        "organisation_kind": (True, _l("One of: %(codes)s.", codes=", ".join(ORGANISATION_KINDS))),
        "country": (True, _l("ISO country code of the organisation, like KR, DE or US.")),
        "website": (False, _l("The organisation's website.")),
        "job_title": (False, _l("Job title.")),
        "languages": (
            False,
            _l(
                "Languages spoken, as codes separated by commas: ko, en, zh, ja, de, fr, es, other."
            ),
        ),
        "locale": (
            False,
            _l(
                "Language of Forum's e-mails to this person, one of: %(codes)s.",
                codes=LazyString(lambda: ", ".join(available_languages())),
            ),
        ),
    },
    "opportunities": {
        "email": (
            True,
            _l(
                "E-mail address of an approved participant of this event (import participants first)."
            ),
        ),
        "kind": (True, _l("offer or need.")),
        "type": (True, _l("One of: %(codes)s.", codes=", ".join(OPPORTUNITY_TYPES))),
        "title": (True, _l("Title, up to 200 characters.")),
        "summary": (False, _l("Summary, up to 600 characters.")),
        "description": (False, _l("Description.")),
        "keywords": (False, _l("Keywords separated by commas.")),
        "technology_areas": (
            False,
            _l(
                "Technology areas of this event, exactly as named or by classification code "
                "(LC), separated by semicolons (;)."
            ),
        ),
        "trl": (False, _l("Technology readiness level, a whole number from 1 to 9.")),
        "ip_status": (False, _l("One of: %(codes)s.", codes=", ".join(IP_STATUSES))),
        "partnership_types": (
            False,
            _l("Codes separated by commas, among: %(codes)s.", codes=", ".join(PARTNERSHIP_TYPES)),
        ),
        "target_countries": (False, _l("ISO country codes separated by commas, like KR, JP.")),
    },
}
EXAMPLES = {
    "participants": [
        "jiyoung.kim@example.ac.kr",
        "김지영",
        "서울대학교 산학협력단",
        "tlo",
        "KR",
        "https://snu.ac.kr",
        "기술이전 매니저",
        "ko, en",
        "ko",
    ],
    "opportunities": [
        "jiyoung.kim@example.ac.kr",
        "offer",
        "technology",
        "항체 기반 진단 키트",
        "Rapid antibody diagnostic kit",
        "",
        "진단, antibody",
        "LC",
        "6",
        "granted_patent",
        "licence, joint_rnd",
        "KR, JP",
    ],
}
LENGTHS = {
    "email": 254,
    "name": 120,
    "organisation": 200,
    "website": 300,
    "job_title": 120,
    "title": 200,
    "summary": 600,
    "description": 20000,
    "keywords": 500,
}
SPOKEN_LANGUAGE_CODES = ("ko", "en", "zh", "ja", "de", "fr", "es", "other")


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class Table:
    """A file as read: its column names and its non-empty records with their line numbers."""

    header: list[str]
    records: list[tuple[int, list[str]]]


@dataclass
class Checked:
    """The outcome of checking a table: clean rows (dicts) to import, or errors, plus notes."""

    kind: str
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notes: list[RowError] = field(default_factory=list)  # rows that will be left as they are
    updates: list[RowError] = field(default_factory=list)  # rows that will update what exists

    @property
    def clean(self) -> bool:
        return not self.errors

    @property
    def bad_lines(self) -> set[int]:
        """The lines of the bad rows (the header's problems are not a row's)."""
        return {error.line for error in self.errors if error.line > 1}


@dataclass
class ImportResult:
    kind: str
    created: int = 0
    updated: int = 0
    skipped: int = 0
    skipped_bad: int = 0
    accounts_created: int = 0
    organisations_created: int = 0


# --- reading files ---------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """CSV bytes as text: a BOM decides; else UTF-8; else cp949 (a superset of EUC-KR)."""
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "cp949"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ServiceError(
        _("The file's characters could not be read. In Excel, save it as “CSV UTF-8”."), "file"
    )


def _clean_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\x00", "").strip()


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    text = decode_text(data)
    first_line = text.split("\n", 1)[0]
    try:
        dialect = csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    records = []
    try:
        while True:
            line = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            records.append((line, [_clean_cell(cell) for cell in record]))
            if len(records) > max_rows() + 1:
                break
    except csv.Error as error:
        raise ServiceError(
            _(
                "Line %(line)d could not be read as CSV: %(error)s",
                line=reader.line_num,
                error=str(error),
            ),
            "file",
        ) from None
    return records


def max_rows() -> int:
    return int(current_app.config.get("IMPORT_MAX_ROWS", MAX_ROWS))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}" if size >= 1024 * 1024 else f"{size / (1024 * 1024):.1f}"


def _too_many_rows() -> ServiceError:
    return ServiceError(
        _("The file has more than %(max)d rows; split it into smaller files.", max=max_rows()),
        "file",
    )


def _count_rows(member) -> Iterator[tuple[int, int]]:
    """(bytes, rows) of one unpacked worksheet, read in chunks: what it declares is not trusted."""
    size = rows = 0
    tail = b""
    while chunk := member.read(_UNPACK_CHUNK):
        size += len(chunk)
        window = tail + chunk
        rows += len(_ROW_TAG.findall(window)) - len(_ROW_TAG.findall(tail))
        tail = window[-64:]
        yield size, rows


def check_workbook_archive(data: bytes) -> None:
    """Refuses a .xlsx (a zip) before any XML of it is parsed when it would unpack to more than
    IMPORT_MAX_UNCOMPRESSED_BYTES, when a large part of it is compressed more than
    IMPORT_MAX_COMPRESSION_RATIO times (a zip bomb), or when a sheet has more rows than
    IMPORT_MAX_ROWS. Every member is unpacked and counted, in constant memory, rather than
    believing the sizes the archive declares."""
    config = current_app.config
    limit = config["IMPORT_MAX_UNCOMPRESSED_BYTES"]
    ratio = config["IMPORT_MAX_COMPRESSION_RATIO"]
    too_large = ServiceError(
        _(
            "This Excel file unpacks to more than %(size)s MB; save it as “CSV UTF-8” or split it.",
            size=_megabytes(limit),
        ),
        "file",
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > limit:
            raise too_large
        for info in infos:
            if info.file_size > 1024 * 1024 and info.file_size > ratio * max(info.compress_size, 1):
                raise ServiceError(
                    _("This Excel file is compressed suspiciously hard; it is not read."), "file"
                )
        total = 0
        for info in infos:
            is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            with archive.open(info) as member:
                before = total
                for size, rows in _count_rows(member):
                    total = before + size
                    if total > limit:
                        raise too_large
                    if is_sheet and rows > max_rows() + 1:
                        raise _too_many_rows()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,  # a compression method zipfile does not know
        RuntimeError,  # an encrypted member
    ):
        log.info("an uploaded workbook could not be unpacked", exc_info=True)
        raise ServiceError(
            _("This Excel file could not be read. Save it again as .xlsx or as “CSV UTF-8”."),
            "file",
        ) from None


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    import openpyxl

    check_workbook_archive(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        records = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            records.append((line, [_clean_cell(value) for value in values]))
            if len(records) > max_rows() + 1:
                break
        workbook.close()
    except Exception:  # a damaged or hostile workbook can fail anywhere inside openpyxl
        log.info("an uploaded workbook could not be read", exc_info=True)
        raise ServiceError(
            _("This Excel file could not be read. Save it again as .xlsx or as “CSV UTF-8”."),
            "file",
        ) from None
    return records


def read_table(data: bytes, filename: str = "") -> Table:
    """The table in an uploaded file (CSV or .xlsx), without empty lines; unreadable files are refused."""
    if filename.lower().endswith(".xls") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ServiceError(
            _("Old Excel files (.xls) cannot be read. Save the file as .xlsx or as “CSV UTF-8”."),
            "file",
        )
    is_workbook = data.startswith(b"PK\x03\x04") or filename.lower().endswith((".xlsx", ".xlsm"))
    records = _read_xlsx(data) if is_workbook else _read_csv(data)
    records = [(line, cells) for line, cells in records if any(cells)]
    if not records:
        raise ServiceError(_("The file is empty."), "file")
    (_line, header), rows = records[0], records[1:]
    if not rows:
        raise ServiceError(_("The file has a header but no rows."), "file")
    if len(rows) > max_rows():
        raise _too_many_rows()
    header = [name.lower().replace(" ", "_").replace("-", "_") for name in header]
    while header and not header[-1]:
        header.pop()  # spreadsheets often carry empty trailing columns
    return Table(header, rows)


# --- checking rows ---------------------------------------------------------------------------


def _split(value: str, separators: str = ",;") -> list[str]:
    for separator in separators[1:]:
        value = value.replace(separator, separators[0])
    return [part.strip() for part in value.split(separators[0]) if part.strip()]


def _code(value: str) -> str:
    return value.strip().lower().replace(" ", "_").replace("-", "_").replace("&", "n")


def check_header(kind: str, header: list[str]) -> list[RowError]:
    columns = COLUMNS[kind]
    errors = []
    for name in header:
        if not name:
            errors.append(RowError(1, _("A column has no name.")))
        elif name not in columns:
            errors.append(
                RowError(
                    1,
                    _(
                        "Unknown column “%(name)s”. The columns are: %(names)s.",
                        name=name[:60],
                        names=", ".join(columns),
                    ),
                )
            )
        elif header.count(name) > 1:
            errors.append(RowError(1, _("The column “%(name)s” appears twice.", name=name)))
    for name, (required, _help) in columns.items():
        if required and name not in header:
            errors.append(RowError(1, _("The column “%(name)s” is missing.", name=name)))
    return list({error.message: error for error in errors}.values())


class _RowChecker:
    """Collects the problems of one row; each check returns the cleaned value (or None)."""

    def __init__(self, line: int, values: dict[str, str]):
        self.line, self.values, self.problems = line, values, []

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def text(self, name: str, required: bool = False) -> str:
        value = self.values.get(name, "")
        if required and not value:
            self.fail(_("The %(column)s is missing.", column=name))
        elif name in LENGTHS and len(value) > LENGTHS[name]:
            self.fail(
                _(
                    "The %(column)s is longer than %(max)d characters.",
                    column=name,
                    max=LENGTHS[name],
                )
            )
        return value

    def email(self) -> str | None:
        value = self.text("email", required=True)
        if not value or len(value) > LENGTHS["email"]:
            return None
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError:
            self.fail(_("“%(email)s” is not a valid e-mail address.", email=value[:80]))
            return None
        return normalise_email(value)

    def choice(
        self, name: str, codes, required: bool = False, message: str | None = None
    ) -> str | None:
        value = self.text(name, required)
        if not value:
            return None
        code = _code(value)
        if code not in codes:
            self.fail(
                message
                or _(
                    "“%(value)s” is not a known %(column)s; use one of: %(codes)s.",
                    value=value[:40],
                    column=name,
                    codes=", ".join(codes),
                )
            )
            return None
        return code

    def codes(self, name: str, codes, transform=_code) -> list[str]:
        chosen = [transform(part) for part in _split(self.values.get(name, ""))]
        unknown = [part for part in chosen if part not in codes]
        if unknown:
            self.fail(
                _("Unknown %(column)s: %(values)s.", column=name, values=", ".join(unknown)[:100])
            )
        return [part for part in chosen if part in codes]


def _check_participant(checker: _RowChecker, countries: set[str], locales: list[str]) -> dict:
    typed = checker.text("website")
    website = web_address(typed)
    if typed and website is None:
        checker.fail(_("“%(value)s” is not a web address.", value=typed[:80]))
    country = checker.text("country", required=True).upper()
    if country and country not in countries:
        checker.fail(_("“%(value)s” is not an ISO country code like KR or DE.", value=country[:20]))
    return {
        "email": checker.email(),
        "name": checker.text("name", required=True),
        "organisation": checker.text("organisation", required=True),
        "organisation_kind": checker.choice(
            "organisation_kind",
            ORGANISATION_KINDS,
            required=True,
            message=_(
                "“%(value)s” is not a known kind of organisation; use one of: %(codes)s.",
                value=checker.values.get("organisation_kind", "")[:40],
                codes=", ".join(ORGANISATION_KINDS),
            ),
        ),
        "country": country,
        "website": website or None,
        "job_title": checker.text("job_title"),
        "languages": checker.codes("languages", SPOKEN_LANGUAGE_CODES),
        "locale": checker.choice("locale", locales),
    }


def _check_opportunity(
    checker: _RowChecker, countries: set[str], area_names: dict[str, str]
) -> dict:
    trl_text, trl = checker.text("trl"), None
    if trl_text:
        if trl_text.isdigit() and 1 <= int(trl_text) <= 9:
            trl = int(trl_text)
        else:
            checker.fail(
                _(
                    "The TRL must be a whole number from 1 to 9, not “%(value)s”.",
                    value=trl_text[:20],
                )
            )
    areas = []
    for name in _split(checker.values.get("technology_areas", ""), ";"):
        if name.casefold() in area_names:
            areas.append(area_names[name.casefold()])
        else:
            checker.fail(_("“%(name)s” is not a technology area of this event.", name=name[:60]))
    return {
        "email": checker.email(),
        "kind": checker.choice("kind", OPPORTUNITY_KINDS, required=True),
        "type": checker.choice("type", OPPORTUNITY_TYPES, required=True),
        "title": checker.text("title", required=True),
        "summary": checker.text("summary"),
        "description": checker.text("description"),
        "keywords": checker.text("keywords"),
        "technology_areas": areas,
        "trl": trl,
        "ip_status": checker.choice("ip_status", IP_STATUSES),
        "partnership_types": checker.codes("partnership_types", PARTNERSHIP_TYPES),
        "target_countries": checker.codes(
            "target_countries", countries, transform=lambda part: part.upper()
        ),
    }


def _event_area_names(event: Event) -> dict[str, str]:
    """The event's area names by their case-folded form or classification code (the default
    list until it has its own)."""
    areas: list[tuple[str, str | None]] = [
        (row.name, row.code)
        for row in db.session.execute(
            select(TechnologyArea.name, TechnologyArea.code).where(
                TechnologyArea.event_id == event.id
            )
        )
    ] or [(area.label, area.code) for area in classification()]
    return {key.casefold(): name for name, code in areas for key in filter(None, (name, code))}


def _importing_participants(event: Event, emails: set[str]) -> dict[str, Participant]:
    """The event's participants among these e-mails, read as two lookups by key (accounts by
    e-mail, then registrations by event and account) rather than a join: a join let PostgreSQL,
    short of statistics on a table growing by the batch, walk every registration of the event
    for each batch (0.1–0.4 s a batch at 20,000)."""
    emails_by_id = dict(
        db.session.execute(select(User.id, User.email).where(User.email.in_(emails))).all()
    )
    if not emails_by_id:
        return {}
    return {
        emails_by_id[participant.user_id]: participant
        for participant in db.session.scalars(
            select(Participant).where(
                Participant.event_id == event.id, Participant.user_id.in_(emails_by_id)
            )
        )
    }


def check_table(event: Event, kind: str, table: Table) -> Checked:
    """Every problem of every row, against the file itself and the database as it is now."""
    if kind not in IMPORT_KINDS:
        raise ServiceError(_("Choose what the file holds."), "kind")
    checked = Checked(kind)
    checked.errors.extend(check_header(kind, table.header))
    if checked.errors:
        return checked
    countries, locales = country_codes(), available_languages()
    area_names = _event_area_names(event) if kind == "opportunities" else {}
    first_line_of: dict = {}
    organisation_kinds: dict[tuple[str, str], tuple[int, str]] = {}
    for line, cells in table.records:
        if len(cells) > len(table.header) and any(cells[len(table.header) :]):
            checked.errors.append(
                RowError(line, _("This row has more cells than the header has columns."))
            )
            continue
        checker = _RowChecker(line, dict(zip(table.header, cells, strict=False)))
        if kind == "participants":
            row = _check_participant(checker, countries, locales)
            key = row["email"]
            organisation = (row["organisation"].casefold(), row["country"])
            if row["organisation_kind"] and all(organisation):
                seen_line, seen_kind = organisation_kinds.setdefault(
                    organisation, (line, row["organisation_kind"])
                )
                if seen_kind != row["organisation_kind"]:
                    checker.fail(
                        _(
                            "The organisation “%(name)s” has another kind on line %(line)d.",
                            name=row["organisation"][:60],
                            line=seen_line,
                        )
                    )
        else:
            row = _check_opportunity(checker, countries, area_names)
            key = (row["email"], row["kind"], row["title"].casefold())
        if row["email"] is not None:
            if key in first_line_of:
                checker.fail(
                    _("This row repeats line %(line)d.", line=first_line_of[key])
                    if kind == "opportunities"
                    else _(
                        "The e-mail address appears on line %(line)d already.",
                        line=first_line_of[key],
                    )
                )
            else:
                first_line_of[key] = line
        row["line"] = line
        row["columns"] = table.header
        checked.errors.extend(RowError(line, problem) for problem in checker.problems)
        if not checker.problems:
            checked.rows.append(row)
    _check_against_database(event, checked)
    checked.errors.sort(key=lambda error: error.line)
    return checked


def _check_against_database(event: Event, checked: Checked) -> None:
    registered = _importing_participants(event, {row["email"] for row in checked.rows})
    kept = []
    for row in checked.rows:
        participant = registered.get(row["email"])
        if checked.kind == "participants":
            if participant is not None:
                checked.notes.append(
                    RowError(
                        row["line"],
                        _(
                            "%(email)s takes part in this event already; left as is.",
                            email=row["email"],
                        ),
                    )
                )
                continue
        elif (
            participant is None
            or participant.status != "approved"
            or participant.organisation_id is None
        ):
            checked.errors.append(
                RowError(
                    row["line"],
                    _(
                        "%(email)s is not an approved participant of this event; import the participants first.",
                        email=row["email"],
                    ),
                )
            )
            continue
        elif (existing := _matching_opportunity(participant, row)) is not None:
            if _unchanged(existing, row):
                checked.notes.append(
                    RowError(
                        row["line"],
                        _("“%(title)s” is published already; left as is.", title=row["title"][:80]),
                    )
                )
                continue
            row["update_id"] = existing.id
            checked.updates.append(
                RowError(
                    row["line"],
                    _(
                        "“%(title)s” is published already; it will be updated.",
                        title=row["title"][:80],
                    ),
                )
            )
        kept.append(row)
    checked.rows = kept


def _matching_opportunity(participant: Participant, row: dict) -> Opportunity | None:
    """The opportunity a row stands for: same owner, same kind, same title (case ignored)."""
    return db.session.scalar(
        select(Opportunity)
        .where(
            Opportunity.participant_id == participant.id,
            Opportunity.kind == row["kind"],
            func.lower(Opportunity.title) == row["title"].lower(),
        )
        .order_by(Opportunity.id)
        .limit(1)
    )


def _values(row: dict, existing: Opportunity | None) -> dict:
    """The row's values; when it updates `existing`, the columns the file lacks keep theirs."""
    if existing is None:
        return row
    current = {
        "type": existing.type,
        "summary": existing.summary,
        "description": existing.description,
        "keywords": existing.keywords,
        "technology_areas": [area.name for area in existing.areas],
        "trl": existing.trl,
        "ip_status": existing.ip_status,
        "partnership_types": _split(existing.partnership_types, ","),
        "target_countries": _split(existing.target_countries, ","),
    }
    return {
        **row,
        **{name: value for name, value in current.items() if name not in row["columns"]},
    }


def _stored(values: dict) -> tuple:
    """Values in the form an opportunity stores them, to tell a change from a repetition."""
    return (
        values["type"],
        values["title"],
        values["summary"],
        values["description"],
        ", ".join(_split(values["keywords"], ",")),
        sorted(values["technology_areas"]),
        values["trl"],
        values["ip_status"],
        [code for code in PARTNERSHIP_TYPES if code in values["partnership_types"]],
        sorted(set(values["target_countries"])),
    )


def _unchanged(opportunity: Opportunity, row: dict) -> bool:
    current = _values({**row, "title": opportunity.title, "columns": ()}, opportunity)
    return _stored(_values(row, opportunity)) == _stored(current)


def preview(event: Event, kind: str, data: bytes, filename: str = "") -> tuple[Table, Checked]:
    """Read and check an uploaded file; writes nothing."""
    table = read_table(data, filename)
    return table, check_table(event, kind, table)


# --- the signed table between preview and confirmation ----------------------------------------


def _serializer(event: Event, kind: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=f"{_SALT}:{event.id}:{kind}"
    )


def sign_table(event: Event, kind: str, table: Table, skip: set[int] | None = None) -> str:
    """The table as previewed, with the lines of the bad rows the organizer is asked to skip."""
    return _serializer(event, kind).dumps(
        {"header": table.header, "records": table.records, "skip": sorted(skip or ())}
    )


def unsign_table(event: Event, kind: str, token: str) -> tuple[Table, set[int]]:
    try:
        data = _serializer(event, kind).loads(token, max_age=SIGNATURE_MAX_AGE)
    except SignatureExpired:
        raise ServiceError(
            _("The preview is more than an hour old. Upload the file again.")
        ) from None
    except BadSignature:
        raise ServiceError(
            _("The preview could not be read back. Upload the file again.")
        ) from None
    table = Table(data["header"], [(line, cells) for line, cells in data["records"]])
    return table, {int(line) for line in data.get("skip", [])}


# --- importing -------------------------------------------------------------------------------


def invitation_mails(event: Event, users: list[User], invited: set[str]) -> None:
    """A new account (its e-mail in `invited`) gets a link to choose a password; an existing one
    is told it takes part. Written to the outbox in one statement, each in its reader's language
    (one language switch per language, not per person: an import writes thousands)."""
    event_link = url_for("events.show", slug=event.slug, _external=True)
    reset = url_for("accounts.request_reset", _external=True)
    days = current_app.config["WELCOME_LINK_MAX_AGE"] // 86400
    by_locale = sorted(users, key=lambda user: user.locale or "en")
    messages = []
    for locale, readers in groupby(by_locale, key=lambda user: user.locale or "en"):
        with force_locale(locale):
            subject = _("You are registered for %(event)s", event=event.name)
            messages.extend(
                (
                    user.email,
                    subject,
                    _invitation_body(event, user, user.email in invited, event_link, reset, days),
                )
                for user in readers
            )
    write_mails(messages, event)


def _invitation_body(
    event: Event, user: User, invited: bool, event_link: str, reset: str, days: int
) -> str:
    if invited:
        return str(
            _(
                "Hello %(name)s,\n\nThe organizers of %(event)s registered you on Forum, where you can publish "
                "offers and needs and request meetings. To choose your password, open this link within "
                "%(days)d days:\n%(link)s\n\nLater, ask for a new link on the sign-in page "
                "(“Forgot your password?”):\n%(reset)s\n\nThe event: %(event_link)s",
                name=user.name,
                event=event.name,
                days=days,
                link=url_for(
                    "accounts.reset_password", token=reset_token(user, welcome=True), _external=True
                ),
                reset=reset,
                event_link=event_link,
            )
        )
    return str(
        _(
            "Hello %(name)s,\n\nThe organizers of %(event)s registered you for the event with your "
            "Forum account. Sign in as usual to take part:\n%(link)s",
            name=user.name,
            event=event.name,
            link=event_link,
        )
    )


def import_opportunity_rows(event: Event, rows: list[dict], result: ImportResult) -> dict[int, str]:
    """Publish the checked rows' new offers and needs in one go and update the matching ones;
    returns each line's outcome ("imported" or "updated")."""
    registered = _importing_participants(event, {row["email"] for row in rows})
    areas = {area.name: area for area in technology_areas(event)}
    existing_by_id = {
        opportunity.id: opportunity
        for opportunity in db.session.scalars(
            select(Opportunity).where(
                Opportunity.id.in_([row["update_id"] for row in rows if "update_id" in row])
            )
        )
    }
    new: list[tuple[Participant, OpportunityDetails]] = []
    outcomes: dict[int, str] = {}
    for row in rows:
        existing = existing_by_id.get(row.get("update_id", 0))
        details = _details(row, existing, areas)
        if existing is None:
            new.append((registered[row["email"]], details))
            outcomes[row["line"]] = "imported"
        else:
            details.second_title = existing.second_title
            details.second_summary = existing.second_summary
            details.second_keywords = existing.second_keywords
            update_opportunity(existing, details)
            outcomes[row["line"]] = "updated"
    result.created += publish_opportunities(new)
    result.updated += len(rows) - len(new)
    return outcomes


def _details(row: dict, existing: Opportunity | None, areas: dict) -> OpportunityDetails:
    values = _values(row, existing)
    return OpportunityDetails(
        kind=row["kind"],
        type=values["type"],
        title=values["title"],
        summary=values["summary"],
        description=values["description"],
        keywords=values["keywords"],
        areas=[areas[name] for name in values["technology_areas"] if name in areas],
        trl=values["trl"],
        ip_status=values["ip_status"],
        partnership_types=values["partnership_types"],
        target_countries=values["target_countries"],
    )


# --- the template ----------------------------------------------------------------------------


def template(kind: str, format: str = "csv") -> bytes:
    """The columns of `kind` with one example row, as CSV (UTF-8 with BOM: Excel opens Korean
    right) or as an Excel workbook."""
    if format == "xlsx":
        return xlsx(list(COLUMNS[kind]), [EXAMPLES[kind]], title=kind)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(COLUMNS[kind]))
    writer.writerow(EXAMPLES[kind])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
