"""Importing participants and opportunities: preview with every bad row, nothing written until
the file is clean, then a confirmed import; encodings and Excel files."""

import codecs
import io
import re
from html import unescape

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from forum.extensions import db
from forum.jobs import wait_for_in_process_jobs
from forum.models import Opportunity, Organisation, OutboxMessage, Participant, User

PARTICIPANT_HEADER = (
    "email,name,organisation,organisation_kind,country,website,job_title,languages,locale"
)
GOOD_PARTICIPANTS = (
    PARTICIPANT_HEADER + "\n"
    'jiyoung@example.ac.kr,김지영,서울대학교 산학협력단,tlo,KR,snu.ac.kr,기술이전 매니저,"ko, en",ko\n'
    "minho@example.ac.kr,박민호,서울대학교 산학협력단,tlo,kr,,연구원,ko,\n"
    "ada@example.org,Ada Existing,Analytical Engines,company,GB,https://engines.example,CTO,en,en\n"
)


@pytest.fixture
def organizer_client(client, login, make_user, make_event):
    organizer = make_user(email="org@example.org", name="Organizer")
    event = make_event(organizer=organizer)
    login(client, organizer)
    return client, event


def upload(client, event, content: bytes, kind="participants", filename="people.csv"):
    return client.post_form(
        f"/e/{event.slug}/organize/import",
        {"kind": kind, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def signed_rows(page: str) -> str:
    return unescape(re.search(r'name="rows" type="hidden" value="([^"]+)"', page).group(1))


def confirm(client, event, page, kind="participants"):
    """Confirm the previewed file and wait for its background import to finish."""
    response = client.post_form(
        f"/e/{event.slug}/organize/import/confirm", {"kind": kind, "rows": signed_rows(page)}
    )
    wait_for_in_process_jobs()
    db.session.expire_all()
    return response


def counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (User, Organisation, Participant, Opportunity)
    )


def test_preview_lists_every_bad_row_and_imports_nothing(organizer_client):
    client, event = organizer_client
    before = counts()
    content = (
        PARTICIPANT_HEADER + "\n"
        ",No Mail,Org,company,KR,,,,\n"  # line 2: missing e-mail
        "not-an-address,Bad Mail,Org,company,KR,,,,\n"  # line 3: bad e-mail
        "a@example.org,A,Org,spaceship,KR,,,,\n"  # line 4: unknown kind
        "b@example.org,B,Org,company,XX,,,,\n"  # line 5: bad country
        "c@example.org,C,Org,company,KR,,,,\n"  # line 6: good
        "C@example.org,C again,Org,company,KR,,,,\n"  # line 7: duplicate e-mail
        "d@example.org,,Org,company,KR,,,klingon,fr\n"
    )  # line 8: no name, bad language and locale
    response = upload(client, event, content.encode())
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    for line, reason in (
        (2, "The email is missing."),
        (3, "“not-an-address” is not a valid e-mail address."),
        (4, "“spaceship” is not a known kind of organisation"),
        (5, "“XX” is not an ISO country code"),
        (7, "appears on line 6 already"),
        (8, "The name is missing."),
        (8, "Unknown languages: klingon."),
        (8, "“fr” is not a known locale"),
    ):
        assert re.search(rf"<td>{line}</td><td>[^<]*{re.escape(reason)}", page), (line, reason)
    assert not re.search(r"<td>6</td><td>[^<]*(missing|not|appears)", page)
    assert "Nothing is imported yet" in page and "Import the 1 good row" in page
    assert counts() == before


def test_unknown_and_missing_columns_are_named_on_line_1(organizer_client):
    client, event = organizer_client
    page = unescape(
        upload(client, event, b"email,name,shoe_size\nx@example.org,X,42\n").get_data(as_text=True)
    )
    assert "<td>1</td><td>Unknown column “shoe_size”" in page
    assert "The column “organisation” is missing." in page


def test_opportunity_rows_are_checked(organizer_client, make_user, make_participant):
    client, event = organizer_client
    make_participant(event, make_user(email="owner@example.org", name="Owner"))
    header = (
        "email,kind,type,title,trl,ip_status,partnership_types,target_countries,technology_areas"
    )
    content = (
        header + "\n"
        'owner@example.org,offer,technology,Good one,5,granted_patent,licence,"KR, JP",진단 (Diagnostics)\n'
        "owner@example.org,offer,technology,Too ready,10,,,,\n"
        "owner@example.org,gift,technology,Odd kind,,,,,\n"
        "owner@example.org,need,technology,Bad extras,3,stolen,barter,QQ,Alchemy\n"
        "stranger@example.org,need,investment,Nobody's,,,,,\n"
    )
    page = unescape(
        upload(client, event, content.encode(), kind="opportunities").get_data(as_text=True)
    )
    for line, reason in (
        (3, "The TRL must be a whole number from 1 to 9, not “10”."),
        (4, "“gift” is not a known kind"),
        (5, "“stolen” is not a known ip_status"),
        (5, "Unknown partnership_types: barter."),
        (5, "Unknown target_countries: QQ."),
        (5, "“Alchemy” is not a technology area of this event."),
        (6, "stranger@example.org is not an approved participant of this event"),
    ):
        assert re.search(rf"<td>{line}</td><td>[^<]*{re.escape(reason)}", page), (line, reason)
    assert db.session.scalar(select(func.count(Opportunity.id))) == 0


def test_clean_import_creates_accounts_organisations_and_approved_participants(
    organizer_client, make_user
):
    client, event = organizer_client
    existing = make_user(email="ada@example.org", name="Ada Lovelace", password="keep this one")
    response = upload(client, event, GOOD_PARTICIPANTS.encode())
    page = response.get_data(as_text=True)
    assert "3 rows are ready to import." in page
    assert db.session.scalar(select(func.count(Participant.id))) == 1  # only the organizer so far
    response = confirm(client, event, page)
    assert response.status_code == 302
    participants = {
        p.user.email: p
        for p in db.session.scalars(select(Participant).where(Participant.role == "participant"))
    }
    assert set(participants) == {"jiyoung@example.ac.kr", "minho@example.ac.kr", "ada@example.org"}
    assert all(p.status == "approved" for p in participants.values())
    jiyoung, minho = participants["jiyoung@example.ac.kr"], participants["minho@example.ac.kr"]
    assert jiyoung.organisation_id == minho.organisation_id  # one organisation for both rows
    assert (
        jiyoung.organisation.kind == "tlo" and jiyoung.organisation.website == "https://snu.ac.kr"
    )
    assert (
        jiyoung.user.name == "김지영"
        and jiyoung.user.locale == "ko"
        and jiyoung.languages == "ko,en"
    )
    assert participants["ada@example.org"].user_id == existing.id
    assert (
        participants["ada@example.org"].user.name == "Ada Lovelace"
    )  # the account is reused as it is
    invitation = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "jiyoung@example.ac.kr")
    )
    assert "/auth/reset/" in invitation.body
    told = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "ada@example.org")
    )
    assert "/auth/reset/" not in told.body
    # The same confirmation again (a double click) creates nothing twice.
    before = counts()
    confirm(client, event, page)
    assert counts() == before


def test_clean_opportunity_import(organizer_client, make_user, make_participant):
    client, event = organizer_client
    owner = make_participant(event, make_user(email="owner@example.org", name="Owner"))
    content = (
        "email,kind,type,title,summary,keywords,trl,ip_status,partnership_types,target_countries,technology_areas\n"
        'Owner@example.org,Offer,technology,항체 진단 키트,빠른 진단,"진단, antibody",6,granted_patent,'
        '"licence, joint_rnd","kr, jp",lc; 생명과학 / Life sciences\n'
    )
    page = upload(client, event, content.encode(), kind="opportunities").get_data(as_text=True)
    assert confirm(client, event, page, kind="opportunities").status_code == 302
    opportunity = db.session.scalar(select(Opportunity))
    assert (
        opportunity.participant_id == owner.id
        and opportunity.kind == "offer"
        and opportunity.trl == 6
    )
    assert (
        opportunity.partnership_types == "licence,joint_rnd"
        and opportunity.target_countries == "JP,KR"
    )
    assert sorted(area.name for area in opportunity.areas) == [
        "보건의료 / Health and medicine",
        "생명과학 / Life sciences",
    ]  # by code or by name


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
        lambda text: text.encode("cp949"),
        lambda text: text.encode("euc-kr"),
        lambda text: text.replace(",", ";").encode("utf-8"),
    ],
    ids=["utf-8-bom", "cp949", "euc-kr", "semicolons"],
)
def test_korean_excel_encodings_are_read(organizer_client, encode):
    client, event = organizer_client
    page = upload(client, event, encode(GOOD_PARTICIPANTS)).get_data(as_text=True)
    assert "3 rows are ready to import." in page and "김지영" in page
    confirm(client, event, page)
    assert (
        db.session.scalar(select(User.name).where(User.email == "minho@example.ac.kr")) == "박민호"
    )


def test_xlsx_is_read(organizer_client):
    client, event = organizer_client
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(PARTICIPANT_HEADER.split(","))
    sheet.append(
        [
            "jiyoung@example.ac.kr",
            "김지영",
            "서울대학교",
            "university",
            "KR",
            None,
            None,
            "ko",
            "ko",
        ]
    )
    sheet.append([None] * 9)  # empty rows are skipped
    sheet.append(["bad", "X", "Y", "company", "KR", None, None, None, None])
    data = io.BytesIO()
    workbook.save(data)
    page = unescape(
        upload(client, event, data.getvalue(), filename="people.xlsx").get_data(as_text=True)
    )
    assert re.search(r"<td>4</td><td>“bad” is not a valid e-mail address.", page)
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_unreadable_files_are_refused_at_the_field(organizer_client):
    client, event = organizer_client
    for content, filename, message in (
        (b"PK\x03\x04broken", "x.xlsx", "This Excel file could not be read."),
        (b"\xd0\xcf\x11\xe0old", "x.xls", "Old Excel files (.xls)"),
        (b"", "x.csv", "The file is empty."),
        (b"email,name\n", "x.csv", "The file has a header but no rows."),
        (b"\xff\xfe\xfd\x80\x81", "x.csv", "could not be read"),
    ):
        page = upload(client, event, content, filename=filename).get_data(as_text=True)
        assert message in unescape(page), filename
    response = client.post_form(
        f"/e/{event.slug}/organize/import",
        {"kind": "participants"},
        content_type="multipart/form-data",
    )
    assert "Choose a file." in response.get_data(as_text=True)


def test_a_tampered_or_foreign_preview_is_refused(organizer_client, make_event):
    client, event = organizer_client
    page = upload(client, event, GOOD_PARTICIPANTS.encode()).get_data(as_text=True)
    rows = signed_rows(page)
    before = counts()
    for kind, token in (("participants", rows[:-3] + "abc"), ("opportunities", rows)):
        response = client.post_form(
            f"/e/{event.slug}/organize/import/confirm",
            {"kind": kind, "rows": token},
            follow_redirects=True,
        )
        assert "Upload the file again." in response.get_data(as_text=True)
    assert counts() == before


def test_the_template_and_column_help(organizer_client):
    client, event = organizer_client
    page = client.get(f"/e/{event.slug}/organize/import").get_data(as_text=True)
    assert "organisation_kind" in page and "technology_areas" in page
    response = client.get(f"/e/{event.slug}/organize/import/template/participants.csv")
    assert response.data.startswith(codecs.BOM_UTF8)
    assert response.data.decode("utf-8-sig").splitlines()[0] == PARTICIPANT_HEADER
    assert client.get(f"/e/{event.slug}/organize/import/template/secrets.csv").status_code == 404
    workbook = client.get(f"/e/{event.slug}/organize/import/template/participants.xlsx").data
    header = next(load_workbook(io.BytesIO(workbook)).worksheets[0].iter_rows(values_only=True))
    assert ",".join(header) == PARTICIPANT_HEADER


def test_import_pages_are_for_organizers_only(
    client, login, make_user, make_event, make_participant
):
    event = make_event()
    participant = make_participant(event, make_user())
    login(client, participant.user)
    assert client.get(f"/e/{event.slug}/organize/import").status_code == 403
    assert upload(client, event, GOOD_PARTICIPANTS.encode()).status_code == 403
    assert (
        client.get(f"/e/{event.slug}/organize/import/template/participants.csv").status_code == 403
    )


def test_good_rows_are_imported_and_bad_ones_skipped_once_confirmed(organizer_client):
    client, event = organizer_client
    before = counts()
    content = (
        PARTICIPANT_HEADER + "\n"
        "good1@example.org,Good One,Org,company,KR,,,,\n"
        "not-an-address,Bad Mail,Org,company,KR,,,,\n"
        "good2@example.org,Good Two,Org,company,KR,,,,\n"
        "bad@example.org,Bad Country,Org,company,XX,,,,\n"
    )
    page = unescape(upload(client, event, content.encode()).get_data(as_text=True))
    assert "Import the 2 good rows" in page and "skip the 2 bad rows" in page
    assert re.search(r"<td>3</td><td>[^<]*is not a valid e-mail address", page)
    assert re.search(r"<td>5</td><td>[^<]*is not an ISO country code", page)
    assert counts() == before  # the preview writes nothing
    assert confirm(client, event, page).status_code == 302
    emails = set(db.session.scalars(select(User.email).join(Participant)))
    assert {"good1@example.org", "good2@example.org"} <= emails
    assert "bad@example.org" not in set(db.session.scalars(select(User.email)))


def test_a_row_turned_bad_since_the_preview_is_reported_and_the_others_imported(
    organizer_client, make_user, make_participant
):
    client, event = organizer_client
    make_participant(event, make_user(email="one@example.org", name="One"))
    leaving = make_participant(event, make_user(email="two@example.org", name="Two"))
    content = (
        "email,kind,type,title\n"
        "one@example.org,offer,technology,Kit A\n"
        "two@example.org,offer,technology,Kit B\n"
        "nobody@example.org,offer,technology,Kit C\n"
    )
    page = unescape(
        upload(client, event, content.encode(), kind="opportunities").get_data(as_text=True)
    )
    assert "Import the 2 good rows" in page
    leaving.status = "rejected"
    db.session.commit()
    response = confirm(client, event, page, kind="opportunities")
    progress = unescape(client.get(response.location).get_data(as_text=True))
    assert "The import is finished." in progress
    assert re.search(r"<td>3</td><td>two@example.org is not an approved participant", progress)
    assert re.search(r"<td>4</td><td>Skipped, as agreed in the preview.", progress)
    assert list(db.session.scalars(select(Opportunity.title))) == ["Kit A"]


def test_reimporting_updates_an_opportunity_of_the_same_owner_and_title(
    organizer_client, make_user, make_participant
):
    client, event = organizer_client
    make_participant(event, make_user(email="owner@example.org", name="Owner"))
    first = "email,kind,type,title,summary,trl\nowner@example.org,offer,technology,Kit A,Old,3\n"
    page = upload(client, event, first.encode(), kind="opportunities").get_data(as_text=True)
    confirm(client, event, page, kind="opportunities")
    again = upload(client, event, first.encode(), kind="opportunities").get_data(as_text=True)
    assert "published already; left as is" in unescape(again)
    second = "email,kind,type,title,trl\nowner@example.org,offer,technology,KIT A,5\n"
    page = unescape(
        upload(client, event, second.encode(), kind="opportunities").get_data(as_text=True)
    )
    assert "will be updated" in page
    confirm(client, event, page, kind="opportunities")
    db.session.expire_all()
    opportunity = db.session.scalars(select(Opportunity)).one()
    # the file's columns change; a column the file lacks keeps its value
    assert (opportunity.title, opportunity.trl, opportunity.summary) == ("KIT A", 5, "Old")
