"""Welsh (issue 17) in the frame of every page, signing in, two-factor sign-in, the accessibility
statement, the users and API token pages, and the password-reset e-mail, which is written in the
language its reader chose, not in the language of whoever asked for it."""
import html

import sqlalchemy as sa
from wtforms import Form, StringField

from isa.core.filters import date_filter
from isa.core.forms import GovDateField, Length
from isa.core.i18n import COOKIE
from isa.identity.models import OutgoingMail
from isa.reminders.scheduler import send_mail_outbox
from tests.conftest import PASSWORD, post_form
from tests.factories import totp_code
from tests.test_reminders import inbox, smtp  # noqa: F401  (the real SMTP server fixtures)

WELSH = {"Accept-Language": "cy"}
ENGLISH = {"Accept-Language": "en"}


def text(response):
    return html.unescape(response.get_data(as_text=True))


def test_the_sign_in_page_in_welsh(client):
    page = text(client.get("/login", headers=WELSH))
    assert "<title>Mewngofnodi – isa</title>" in page
    assert "Neidio i'r prif gynnwys" in page and "Skip to main content" not in page
    assert "Mewngofnodwch i gadw'r gofrestr o gytundebau rhannu gwybodaeth" in page
    assert "Rwyf wedi anghofio fy nghyfrinair" in page and "I have forgotten my password" not in page
    assert "Cyfeiriad e-bost" in page and "Email address" not in page  # the form's own labels
    assert "Nid oes angen mewngofnodi i weld y" in page and "needs no sign-in" not in page


def test_sign_in_mistakes_are_told_in_welsh(client):
    client.set_cookie(COOKIE, "cy")
    page = text(post_form(client, "/login", {"email": "", "password": ""}))
    assert "<title>Gwall: Mewngofnodi – isa</title>" in page
    assert "Mae problem wedi codi" in page and "There is a problem" not in page
    assert "Rhowch eich cyfeiriad e-bost" in page and "Rhowch eich cyfrinair" in page
    assert '<span class="govuk-visually-hidden">Gwall:</span>' in page and "Error:" not in page
    page = text(post_form(client, "/login", {"email": "nobody@example.org", "password": "wrong password"}))
    assert "Rhowch gyfeiriad e-bost a chyfrinair cywir" in page


def test_the_two_factor_pages_in_welsh(client, make):
    officer = make.user(role="officer", language="cy")
    client.set_cookie(COOKIE, "cy")  # not signed in yet: the browser's choice
    post_form(client, "/login", {"email": officer.email, "password": PASSWORD})
    page = text(client.get("/login/code"))
    assert "Rhowch eich cod" in page and "Ni allaf ddefnyddio fy ap dilysu" in page
    assert "Enter your code" not in page and "authenticator" not in page
    page = text(post_form(client, "/login/code", {"code": "000000"}))
    assert "Rhowch y cod cyfredol o'ch ap dilysu, neu god adfer heb ei ddefnyddio" in page
    assert post_form(client, "/login/code", {"code": totp_code()}).status_code == 302
    client.delete_cookie(COOKIE)
    page = text(client.get("/account/two-factor", headers=ENGLISH))  # signed in: the user's own choice
    assert "Mae mewngofnodi dau ffactor <strong>ymlaen</strong> ar gyfer eich cyfrif ers" in page
    assert "Mae gennych 0 cod adfer heb eu defnyddio." in page
    assert "Creu codau adfer newydd" in page and "Make new recovery codes" not in page
    assert "Allgofnodi" in page and ">Cytundebau<" in page and "Sign out" not in page  # the menu
    assert "(Swyddog llywodraethu)" in page  # the header's role


def test_setting_up_two_factor_sign_in_in_welsh(client, login_as):
    login_as("partner", language="cy")
    page = text(client.get("/account/two-factor"))
    assert "<title>Gosod mewngofnodi dau ffactor – isa</title>" in page
    assert "Yn yr ap, ychwanegwch gyfrif a sganiwch y cod QR hwn." in page and "Ni allaf sganio'r cod QR" in page
    assert "Troi mewngofnodi dau ffactor ymlaen" in page and "Turn on two-factor sign-in" not in page
    assert "<title>Cod QR ar gyfer eich ap dilysu</title>" in page  # the QR code's own title


def test_the_accessibility_statement_in_welsh(client):
    assert "This statement was prepared on 30 November 2026." in text(client.get("/accessibility", headers=ENGLISH))
    page = text(client.get("/accessibility", headers=WELSH))  # its dates too, after an English page
    assert "<title>Datganiad hygyrchedd ar gyfer isa – isa</title>" in page
    assert "Mae'r wefan hon yn cydymffurfio'n rhannol â safon AA" in page
    assert "Canllawiau Hygyrchedd Cynnwys y We fersiwn 2.2</a>" in page
    assert "chwyddo hyd at 400% heb i'r testun ddisgyn oddi ar y sgrin" in page
    assert "Paratowyd y datganiad hwn ar 30 Tachwedd 2026." in page
    assert "partially compliant" not in page and "Enforcement procedure" not in page


def test_a_welsh_users_reset_email_is_welsh_whoever_asks(client, app, make, db, inbox):
    user = make.user(role="partner", language="cy", name="Siân")
    page = text(post_form(client, "/password-reset", {"email": user.email}))  # asked from an English page
    assert "Check your e-mail" in page
    mail = db.session.scalar(sa.select(OutgoingMail))
    assert mail.subject == "Ailosod eich cyfrinair isa"
    assert mail.body.startswith("Helo Siân,\n\nGofynnodd rhywun (chi, gobeithio) am ailosod cyfrinair eich cyfrif isa.")
    assert "o fewn 30 munud" in mail.body and "http://localhost/password-reset/" in mail.body
    assert "Open this link" not in mail.body
    assert send_mail_outbox(app) == 1
    message = inbox.messages[0].message
    assert message["Subject"] == "Ailosod eich cyfrinair isa"
    assert "Mae dewis cyfrinair newydd yn eich allgofnodi ym mhobman." in message.get_body(preferencelist=("plain",)).get_content()


def test_an_english_users_reset_email_stays_english_when_asked_from_a_welsh_page(client, make, db):
    user = make.user(role="partner")
    client.set_cookie(COOKIE, "cy")
    page = text(post_form(client, "/password-reset", {"email": user.email}))
    assert "Gwiriwch eich e-bost" in page and "Check your e-mail" not in page
    mail = db.session.scalar(sa.select(OutgoingMail))
    assert mail.subject == "Reset your isa password" and mail.body.startswith(f"Hello {user.name},")


def test_the_users_and_api_token_pages_in_welsh(client, login_as):
    login_as("admin", language="cy")
    page = text(client.get("/users"))
    assert "Ychwanegu defnyddiwr" in page and "Gweinyddwr" in page and "Add a user" not in page
    assert ", trefnu o'r lleiaf i'r mwyaf" in page or ", trefnu o'r mwyaf i'r lleiaf" in page
    page = text(client.get("/tokens/"))
    assert "Creu tocyn API" in page and "Dim tocynnau API eto." in page and "No API tokens yet." not in page
    page = text(client.get("/tokens/new"))
    assert "Beth yw diben y tocyn" in page and "90 diwrnod" in page and "Dewiswch ddefnyddiwr" in page


class _TitleForm(Form):
    title = StringField("Title", validators=[Length(max=3)])
    when = GovDateField("When")


def test_shared_form_messages_follow_each_pages_language(app):
    """A message worked out once is not kept for the next page, which may be in the other language."""
    for headers, expected in [(WELSH, "Rhaid i Title fod yn 3 nod neu lai"), (ENGLISH, "Title must be 3 characters or less")]:
        with app.app_context(), app.test_request_context("/", headers=headers):  # a fresh context, as each request has
            form = _TitleForm(data={"title": "long"})
            assert not form.validate() and form.title.errors == [expected]
    with app.app_context(), app.test_request_context("/", headers=WELSH):
        assert date_filter({"from-day": "1"}, "from", "Dyddiad") == (None, "Rhaid i Dyddiad gynnwys mis a blwyddyn")
        boxes = str(_TitleForm().when())
        assert all(label in boxes for label in ("Diwrnod", "Mis", "Blwyddyn")) and "Day" not in boxes
