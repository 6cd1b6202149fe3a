"""Building the review reminder emails (plain text and HTML, from templates/reminders/)."""
from dataclasses import dataclass
from datetime import date
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from urllib.parse import quote

from flask import current_app, render_template
from flask_babel import force_locale, gettext as _, ngettext

from ..core.text import neutralise_bidi
from ..core.i18n import DEFAULT, govdate
from .rules import days_overdue


@dataclass(frozen=True)
class ReminderMail:
    """What one reminder says: everything the templates need, read once by the sweep."""

    reminder_id: int
    reference: str
    title: str
    review_date: date
    offset_key: str
    escalated: bool
    recipients: tuple
    missing_contacts: tuple
    lead_organisation: str | None
    lead_dpo_name: str | None
    owner_name: str | None
    owner_email: str | None
    today: date
    protocol_version: int | None = None  # the version in force
    document_id: int | None = None  # its stored protocol document (None while it is being prepared)
    document_filename: str | None = None
    attach: bool = False  # the 30-day and overdue reminders carry the PDF
    language: str = DEFAULT  # the language it is written in: its first addressee's (see sweep._languages)

    @property
    def attaches_document(self):
        return self.attach and self.document_id is not None

    @property
    def days_to_review(self):
        return (self.review_date - self.today).days

    @property
    def days_overdue(self):
        return days_overdue(self.review_date, self.today)

    @property
    def what_is_due(self):
        """The one line that says where the review stands, as of the day it is sent."""
        days, on = self.days_to_review, govdate(self.review_date)
        if days > 1:
            return ngettext("The review is due on %(date)s, in %(num)d day.", "The review is due on %(date)s, in %(num)d days.", days, date=on)
        if days == 1:
            return _("The review is due tomorrow, %(date)s.", date=on)
        if days == 0:
            return _("The review is due today, %(date)s.", date=on)
        return ngettext(
            "The review was due on %(date)s and is %(num)d day overdue.",
            "The review was due on %(date)s and is %(num)d days overdue.",
            self.days_overdue, date=on,
        )

    @property
    def subject(self):
        days = self.days_to_review
        if days > 0:
            when = ngettext("Review due in %(num)d day", "Review due in %(num)d days", days)
        elif days == 0:
            when = _("Review due today")
        else:
            when = ngettext("Review overdue by %(num)d day", "Review overdue by %(num)d days", self.days_overdue)
        if self.escalated:
            when = _("Escalated: %(stage)s", stage=when[0].lower() + when[1:])
        return _one_line(f"{when}: {self.reference} {self.title}")[:250]


def _one_line(text):
    """Header values may not carry line breaks (a title typed into an import could)."""
    return " ".join(neutralise_bidi(str(text)).split())


def agreement_link(reference):
    base = str(current_app.config.get("SERVER_NAME_FOR_LINKS") or "").rstrip("/")
    return f"{base}/agreements/{quote(reference, safe='')}"


def document_link(reference, document_id):
    return f"{agreement_link(reference)}/documents/{document_id}.pdf"


def written(mail):
    """Writing `mail` (its subject and bodies, dates too) in its recipient's language, wherever the
    sweep runs: with no request, the language comes from here."""
    return force_locale(mail.language or DEFAULT)


def render_bodies(mail):
    context = {
        "mail": mail, "link": agreement_link(mail.reference),
        "document_link": document_link(mail.reference, mail.document_id) if mail.document_id else None,
    }
    with written(mail):
        return render_template("reminders/email.txt", **context), render_template("reminders/email.html", **context)


# Lines up to RFC 5322's limit of 998: a subject is folded only when it is really long.
MAIL_POLICY = policy.default.clone(max_line_length=998)


def message_id(mail, domain):
    """The same for every attempt at one reminder (a resend too), so a receiving system that saw it
    once can recognise it as a duplicate."""
    return f"<isa-reminder-{mail.reminder_id}.{mail.offset_key}.{mail.review_date:%Y%m%d}@{domain}>"


def reminder_message(mail, sender, pdf=None):
    """The EmailMessage for one reminder, addressed to its recipients not yet reached; `pdf`, the
    protocol document in force, is attached when the reminder carries it."""
    text, html = render_bodies(mail)
    message = EmailMessage(policy=MAIL_POLICY)
    with written(mail):
        message["Subject"] = mail.subject
    message["From"] = sender
    message["To"] = ", ".join(mail.recipients)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"  # not getfqdn(): no DNS lookup per message
    message["Message-ID"] = message_id(mail, domain)
    message["Date"] = formatdate(usegmt=True)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if pdf is not None and mail.attaches_document:
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename=mail.document_filename)
    return message
