"""The register's pages in Welsh (issue 17): agreements, data flows, organisations, transfer
channels and import/export, with their labels, messages and closed lists; English stays as it was."""
import html

from isa.agreements.models import AgreementStatus
from isa.exchange.reader import Reader
from tests.conftest import post_form
from tests.test_agreements import AGREEMENT
from tests.test_exchange import URL as EXCHANGE, officer, register_file, upload  # noqa: F401  (officer: a fixture)

WELSH = {"Accept-Language": "cy"}


def page(client, url, headers=WELSH):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


def test_the_agreements_list_in_welsh(client, login_as, make):
    login_as("officer")
    agreement = make.agreement(status=AgreementStatus.ACTIVE)
    text = page(client, "/agreements/")
    assert "Creu cytundeb" in text and "Adolygiad yn ddyledus cyn" in text and "Nid oes" not in text
    assert ">Gweithredol<" in text.replace("\n", "").replace("  ", "")  # the status tag
    assert agreement.reference in text  # data stays as it is
    assert "Create an agreement" not in text and "Review due before" not in text
    assert "Create an agreement" in page(client, "/agreements/", headers={})  # English unchanged


def test_a_bad_filter_is_explained_in_welsh(client, login_as):
    login_as("officer")
    text = page(client, "/agreements/?review_due_before-day=1&review_due_before-year=2027")
    assert "Mae problem gyda'r hidlyddion" in text and "Rhaid i ‘Adolygiad yn ddyledus cyn’ gynnwys mis" in text
    assert "must include" not in text


def test_an_agreement_page_in_welsh(client, login_as, make):
    login_as("officer")
    agreement = make.agreement(status=AgreementStatus.DRAFT)
    text = page(client, f"/agreements/{agreement.reference}")
    for welsh in ("Partïon a llofnodion", "Llifoedd data (1)", "Gwiriad mapio cyfreithiol", "Data personol",
                  "Yn ôl yr angen", "Heb ganiatâd, o dan sail gyfreithlon arall", "Anfon i ymgynghori", "12 mis"):
        assert welsh in text, welsh
    for english in ("Parties and signatures", "Legal mapping check", "Personal data", "Send for consultation", ">12 months<"):
        assert english not in text, english


def test_a_signed_in_users_welsh_reaches_forms_and_their_errors(client, login_as, make, db):
    login_as("officer", language="cy")
    make.organisation(slug="herts-cc")
    form = page(client, "/agreements/new", headers={})
    assert "Dyddiad adolygu" in form and "Y tu allan i'r DU a'r AEE" in form and "Cadw'r cytundeb" in form
    response = post_form(client, "/agreements/new", {**AGREEMENT, "lead_organisation": "herts-cc", "title": "",
                                                     "review_date": ["1", "12", "2023"]})
    text = html.unescape(response.get_data(as_text=True))
    assert "Rhowch deitl" in text and "Rhaid i'r dyddiad adolygu fod ar ôl y dyddiad dechrau" in text
    assert "Enter a title" not in text and "The review date must be after" not in text


def test_a_status_change_and_its_refusal_are_told_in_welsh(client, login_as, make):
    login_as("officer", language="cy")
    agreement = make.agreement(status=AgreementStatus.DRAFT)
    post_form(client, f"/agreements/{agreement.reference}/status", {"target": "consultation", "version": "1"},
              get_url=f"/agreements/{agreement.reference}")
    text = page(client, f"/agreements/{agreement.reference}", headers={})
    assert f"Mae {agreement.reference} wedi'i anfon i ymgynghori" in text
    lone = make.agreement(parties=[make.organisation()], flows=False, status=AgreementStatus.AWAITING_SIGNATURES)
    text = page(client, f"/agreements/{lone.reference}", headers={})
    assert "Nid yw ‘Rhoi ar waith’ yn bosibl eto:" in text
    assert "Mae angen o leiaf ddau barti ar gytundeb cyn y gall ddod yn weithredol" in text
    assert "Ychwanegwch o leiaf un llif data yn gyntaf" in text


def test_the_data_flow_form_in_welsh(client, login_as, make):
    login_as("officer")
    agreement = make.agreement()
    text = page(client, f"/agreements/{agreement.reference}/flows/new")
    for welsh in ("Categorïau o ddata", "Data categori arbennig", "Pa mor aml", "Bob wythnos", "Gyda chaniatâd penodol",
                  "Oedolion sy'n wynebu risg", "Pob parti arall", "Ar gyfer y cofnod prosesu", "Cadw'r llif data"):
        assert welsh in text, welsh
    assert "Categories of data" not in text and "Weekly" not in text and "Adults at risk" not in text


def test_organisations_in_welsh(client, login_as, make):
    login_as("officer")
    organisation = make.organisation(name="Heddlu Gogledd Cymru")
    text = page(client, "/organisations/")
    assert "Ychwanegu sefydliad" in text and "Rolau statudol" in text and "Awdurdod lleol" in text
    text = page(client, f"/organisations/{organisation.slug}")
    assert "Awdurdod cyhoeddus" in text and "Swyddog diogelu data" in text and "Heddlu Gogledd Cymru" in text
    assert ">Public authority<" not in text and ">Data protection officer<" not in text  # the history is not ours
    text = page(client, "/organisations/new")
    assert "Math o sefydliad" in text and ">Heddlu<" in text and "Dewiswch fath" in text
    assert "Police force" not in text and "Type of organisation" not in text


def test_transfer_channels_in_welsh(client, login_as, make):
    login_as("officer")
    channel = make.channel(name="Secure email")
    text = page(client, "/channels/")
    assert "Sianeli trosglwyddo" in text and "Ychwanegu sianel" in text and "Secure email" in text
    text = page(client, f"/channels/{channel.slug}/delete")
    assert "Tynnu'r sianel Secure email?" in text and "Na, cadw" in text and "No, keep it" not in text


def test_import_problems_in_welsh_keep_the_files_paths(client, login_as, db, officer):  # noqa: F811
    login_as("admin", language="cy")
    data = register_file()
    data["agreements"][0]["flows"][0]["channel"] = "sftp-x"
    data["agreements"][0]["review_date"] = "2024-01-01"
    text = html.unescape(upload(client, data).get_data(as_text=True))
    assert "Ni fewnforiwyd y ffeil a ddewiswyd oherwydd bod 2 problem ynddi" in text
    assert 'agreements[0] (ISA-2024-001).flows[0].channel: sianel anhysbys "sftp-x"' in text
    assert "agreements[0] (ISA-2024-001).review_date: Rhaid i'r dyddiad adolygu fod ar ôl y dyddiad dechrau" in text
    assert "unknown channel" not in text and "Mewnforio ac allforio" in text


def test_an_import_summary_in_welsh(client, login_as, db, officer):  # noqa: F811
    login_as("admin", language="cy")
    response = upload(client, register_file())
    assert response.status_code == 302
    text = page(client, EXCHANGE, headers={})
    assert "Mae ffeil y gofrestr wedi'i mewnforio. Sefydliadau: 2 wedi'u creu" in text
    assert "Cytundebau: 1 wedi'u creu, 0 wedi'u diweddaru, 0 heb eu newid." in text


def test_outside_a_request_the_importers_words_stay_english(app):
    reader = Reader(({}, {}, {}, {}, {}, {}), {}, {})
    reader.read({"organisations": [{"slug": "Bad Slug"}], "extra": []})
    assert reader.problems == [
        "extra: unknown section: a register file has organisations, channels and agreements",
        'organisations[0] (Bad Slug).slug: "Bad Slug" is not a valid slug: use lower-case letters, numbers and hyphens, like herts-police',
        "organisations[0] (Bad Slug).name: is required",
        "organisations[0] (Bad Slug).type: is required",
    ]


def test_a_lazy_message_is_escaped_in_a_page_like_any_text(app):
    from markupsafe import escape

    from isa.core.i18n import lazy_gettext

    message = lazy_gettext("Enter the channel's name")
    assert str(escape(message)) == "Enter the channel&#39;s name" and str(message) == "Enter the channel's name"
