"""Web hardening: security headers on every response, the health check, production settings,
the shared website check and bounded uploads."""

import io
import zipfile

import pytest
from sqlalchemy import text

from forum.config import Config, ConfigurationError
from forum.extensions import db
from forum.services import registrations

# --- headers --------------------------------------------------------------------------------------


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    directives = (part.strip().split(None, 1) for part in policy.split(";") if part.strip())
    return {name: value[0] if value else "" for name, *value in directives}


@pytest.mark.parametrize("path", ["/", "/auth/login", "/static/forum.css", "/no-such-page"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = _csp(response)
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["form-action"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS


def test_hsts_only_over_https(client):
    response = client.get("/", base_url="https://forum.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_pages_have_no_inline_script_or_event_handler_attributes():
    """What a strict policy would block: <script> with a body, on…= attributes, style=."""
    import re
    from pathlib import Path

    templates = Path(__file__).resolve().parent.parent / "templates"
    offenders = []
    for path in templates.rglob("*.html"):
        source = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source):
            offenders.append(f"{path.name}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", source):
            offenders.append(f"{path.name}: event handler attribute")
        if re.search(r"\sstyle\s*=", source) or "<style" in source:
            offenders.append(f"{path.name}: inline style")
    assert offenders == []


# --- health check ---------------------------------------------------------------------------------


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_answers_503_when_the_database_does_not(app, client, monkeypatch):
    from sqlalchemy import create_engine

    broken = create_engine("sqlite:////nonexistent-directory/forum.sqlite")
    monkeypatch.setitem(db.engines, None, broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unavailable"}
    monkeypatch.undo()
    assert db.session.execute(text("SELECT 1")).scalar() == 1


# --- production settings --------------------------------------------------------------------------


@pytest.fixture
def production(monkeypatch):
    monkeypatch.delenv("FORUM_ENV", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://forum@db.internal/forum")
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    return monkeypatch


def test_production_is_the_default_and_accepts_a_long_key_and_a_database(tmp_path, production):
    config = Config(tmp_path)
    assert config.FORUM_ENV == "production"
    assert config.SECRET_KEY == "k" * 48


@pytest.mark.parametrize("key", ["x", "short-but-not-thirty-two-chars"])
def test_production_refuses_a_short_secret_key(tmp_path, production, key):
    production.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        Config(tmp_path)


def test_production_refuses_a_missing_database_url(tmp_path, production):
    production.delenv("DATABASE_URL")
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        Config(tmp_path)


def test_production_refuses_an_unknown_environment_name(tmp_path, production):
    production.setenv("FORUM_ENV", "prod")
    with pytest.raises(ConfigurationError, match="FORUM_ENV"):
        Config(tmp_path)


def test_development_accepts_a_short_key_and_the_sqlite_default(tmp_path, production):
    production.setenv("FORUM_ENV", "development")
    production.setenv("SECRET_KEY", "x")
    production.delenv("DATABASE_URL")
    config = Config(tmp_path)
    assert config.SECRET_KEY == "x"
    assert config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")


def test_the_generated_instance_key_is_long_enough_for_production(tmp_path, production):
    production.delenv("SECRET_KEY")
    assert len(Config(tmp_path).SECRET_KEY) >= 32


def test_make_run_serves_in_development():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    assert "FORUM_ENV ?= development" in makefile and "export FORUM_ENV" in makefile


# --- websites ---------------------------------------------------------------------------------

ORGANISATION = {
    "organisation_choice": "new",
    "name": "KAIST Technology Transfer",
    "kind": "tlo",
    "country": "KR",
    "description": "Licensing of KAIST inventions.",
    "job_title": "Licensing manager",
    "languages": ["ko", "en"],
}
BAD_WEBSITES = [
    "https://[x]",
    "http://[::1",
    "https://[",
    "https://]x[.org",
    "https://example.org:99999",
    "https://example.org:port",
    "https://trusted.example@evil.example",
    "https://exa mple.org",
    "https://example.org/a\u2028b",
    "ftp://example.org",
    "javascript:alert(1)//x.org",
    "https://.",
    "https://example..org",
]


def _count(model) -> int:
    from sqlalchemy import func, select

    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("website", BAD_WEBSITES)
def test_a_bad_website_on_registration_is_a_message_not_a_500(
    client, make_user, make_event, login, website
):
    from forum.models import Organisation, Participant

    make_event(status="registration")
    login(client, make_user())
    response = client.post_form("/e/bio-2027/register", dict(ORGANISATION, website=website))
    assert response.status_code == 200
    assert "Enter a web address such as https://www.example.org." in response.get_data(as_text=True)
    assert _count(Organisation) == 0 and _count(Participant) == 0


def test_a_bad_website_on_the_registration_edit_page_is_a_message_not_a_500(
    client, make_user, make_event, make_participant, login
):
    from forum.models import Organisation

    event = make_event(status="registration")
    user = make_user()
    participant = make_participant(event, user)
    registrations.add_organisation_owner(participant.organisation, user)
    db.session.commit()
    login(client, user)
    response = client.post_form(
        "/e/bio-2027/registration",
        dict(ORGANISATION, name="Renamed", website="https://[x]"),
    )
    assert response.status_code == 200
    assert "Enter a web address" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Organisation, participant.organisation_id).name != "Renamed"


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("www.kaist.ac.kr", "https://www.kaist.ac.kr"),
        ("  http://snu.ac.kr/tlo?x=1  ", "http://snu.ac.kr/tlo?x=1"),
        ("https://카이스트.kr", "https://카이스트.kr"),
        ("https://example.org:8443/path", "https://example.org:8443/path"),
    ],
)
def test_good_websites_are_kept(typed, kept):
    from forum.services.web_addresses import web_address

    assert web_address(typed) == kept


@pytest.mark.parametrize("website", BAD_WEBSITES)
def test_one_website_check_for_forms_and_imports(website):
    from forum.services.web_addresses import web_address

    assert web_address(website) is None


def test_an_imported_website_with_a_bracket_is_a_row_error(client, make_user, make_event, login):
    organizer = make_user("org@example.org", "Olivia Organizer")
    make_event(organizer=organizer, status="registration")
    login(client, organizer)
    data = (
        b"email,name,organisation,organisation_kind,country,website,job_title,languages,locale\n"
        b"ji@example.kr,Ji,SNU,university,KR,https://[x],Manager,ko,ko\n"
    )
    response = client.post_form(
        "/e/bio-2027/organize/import",
        {"kind": "participants", "file": (io.BytesIO(data), "people.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "is not a web address" in response.get_data(as_text=True)


# --- uploads --------------------------------------------------------------------------------------

HEADER = "email,name,organisation,organisation_kind,country,website,job_title,languages,locale"


@pytest.fixture
def importer(client, make_user, make_event, login):
    organizer = make_user("org@example.org", "Olivia Organizer")
    make_event(organizer=organizer, status="registration")
    login(client, organizer)

    def upload(content: bytes, filename: str = "people.xlsx"):
        return client.post_form(
            "/e/bio-2027/organize/import",
            {"kind": "participants", "file": (io.BytesIO(content), filename)},
            content_type="multipart/form-data",
        )

    return upload


def _workbook(rows: int = 1) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    for n in range(rows):
        sheet.append([f"p{n}@example.kr", "Ji", "SNU", "university", "KR", "", "M", "ko", "ko"])
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def _with_member(workbook: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one more (or a replaced) zip member, compressed as hard as zlib can."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info.filename, source.read(info.filename))
        target.writestr(name, content)
    return out.getvalue()


@pytest.fixture
def openpyxl_never_called(monkeypatch):
    """Proof that a refusal comes before parsing: openpyxl's reader must not be reached."""
    import openpyxl

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_a_workbook_that_unpacks_too_large_is_refused_before_parsing(
    app, importer, monkeypatch, openpyxl_never_called
):
    monkeypatch.setitem(app.config, "IMPORT_MAX_UNCOMPRESSED_BYTES", 2 * 1024 * 1024)
    monkeypatch.setitem(app.config, "IMPORT_MAX_COMPRESSION_RATIO", 10_000)
    bomb = _with_member(_workbook(), "xl/sharedStrings.xml", b" " * (3 * 1024 * 1024))
    assert len(bomb) < 64 * 1024
    response = importer(bomb)
    assert response.status_code == 200
    assert "unpacks to more than 2 MB" in response.get_data(as_text=True)


def test_a_workbook_compressed_suspiciously_hard_is_refused_before_parsing(
    importer, openpyxl_never_called
):
    bomb = _with_member(_workbook(), "xl/sharedStrings.xml", b"\x20" * (4 * 1024 * 1024))
    response = importer(bomb)
    assert "compressed suspiciously hard" in response.get_data(as_text=True)


def test_a_workbook_whose_sizes_lie_is_refused(app, importer, monkeypatch):
    """The sizes a zip declares are not trusted: the members are unpacked and counted."""
    monkeypatch.setitem(app.config, "IMPORT_MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    honest = _with_member(_workbook(), "xl/sharedStrings.xml", b"<a/>" * (512 * 1024))
    # claim a tiny uncompressed size for every member, in local headers and central directory
    forged = bytearray(honest)
    archive = zipfile.ZipFile(io.BytesIO(honest))
    for info in archive.infolist():
        small = (100).to_bytes(4, "little")
        local = info.header_offset
        forged[local + 22 : local + 26] = small
    directory_start = honest.rfind(b"PK\x05\x06")
    offset = int.from_bytes(honest[directory_start + 16 : directory_start + 20], "little")
    while forged[offset : offset + 4] == b"PK\x01\x02":
        forged[offset + 24 : offset + 28] = (100).to_bytes(4, "little")
        name_length = int.from_bytes(forged[offset + 28 : offset + 30], "little")
        extra_length = int.from_bytes(forged[offset + 30 : offset + 32], "little")
        comment_length = int.from_bytes(forged[offset + 32 : offset + 34], "little")
        offset += 46 + name_length + extra_length + comment_length
    page = importer(bytes(forged)).get_data(as_text=True)
    assert "unpacks to more than 1 MB" in page or "could not be read" in page


def test_a_workbook_with_too_many_rows_is_refused_before_parsing(
    app, importer, monkeypatch, openpyxl_never_called
):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 20)
    response = importer(_workbook(rows=25))
    assert "more than 20 rows" in response.get_data(as_text=True)


def test_a_csv_with_too_many_rows_is_refused(app, importer, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 20)
    rows = "".join(f"p{n}@example.kr,Ji,SNU,university,KR,,M,ko,ko\n" for n in range(25))
    response = importer((HEADER + "\n" + rows).encode(), filename="people.csv")
    assert "more than 20 rows" in response.get_data(as_text=True)


def test_a_good_workbook_within_the_limits_is_read(app, importer, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 20)
    page = importer(_workbook(rows=20)).get_data(as_text=True)
    assert "p19@example.kr" in page and "more than 20 rows" not in page


def test_a_body_beyond_max_content_length_is_a_clear_413_page(app, importer, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    response = importer(b"x" * (100 * 1024), filename="people.csv")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "What you sent is too large: at most 64 KB can be sent at once." in page


def test_the_413_page_is_in_korean(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = client.post("/auth/login", data={"x": "y" * 4096}, headers={"Accept-Language": "ko"})
    assert response.status_code == 413
    assert "보낸 내용이 너무 큽니다. 한 번에 최대 1 KB까지" in response.get_data(as_text=True)


def test_damaged_workbooks_are_refused_with_a_message(app, importer):
    """Bytes of a good workbook flipped here and there: a message, never an error page."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    good = _workbook(rows=3)

    @settings(
        max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(st.lists(st.tuples(st.integers(0, len(good) - 1), st.integers(0, 255)), max_size=8))
    def upload_damaged(flips):
        damaged = bytearray(good)
        for position, value in flips:
            damaged[position] = value
        response = importer(bytes(damaged))
        assert response.status_code == 200

    upload_damaged()


def test_an_encrypted_member_is_refused_with_a_message(importer):
    good = bytearray(_workbook())
    # mark every member as encrypted (general purpose flag bit 0), in local and central headers
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := good.find(signature, start)) != -1:
            good[start + flag_offset] |= 1
            start += 4
    page = importer(bytes(good)).get_data(as_text=True)
    assert "This Excel file could not be read." in page
