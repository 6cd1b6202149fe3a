"""Finds English left on a page that should be all Welsh.

What a person reads on the page (text between tags, the page title, and the attributes read
aloud or shown: alt, title, aria-label, placeholder, a button's value) is taken apart into
phrases; the register's own data (names, titles, purposes, references: not ours to translate)
is taken out; what is left must hold none of the English words below. They are the words every
English sentence of the service is made of, and none is a Welsh word, so a Welsh page holding one
has English left on it.
"""
import re
from html.parser import HTMLParser

READ_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}
ENGLISH = set("""
the and of for with this that these those your you are was were has have had not from by which when
there their they will can could should must been being who what where why how into than then them
its our any each every only also but about after before while until another more most
some such here above below between without within upon please
agreement agreements sharing organisation organisations partner's review reviews reviewed signed
sign signature signatures save saved cancel search delete deleted remove edit change changed back
next previous page pages date dates name email password account settings yes continue submit
create new add added show hide download details summary status active draft expired
terminated superseded awaiting consultation under overdue due today none found nothing record
records history flow flows lawful basis bases purpose purposes recipient discloser party parties
category categories channels decision decisions legal findings error errors
there's isn't doesn't don't can't won't you're it's
""".split())
KEPT = {"English"}  # the language switch names English in English, as switchers do
# Names that stay as they are in Welsh: the NHS toolkit's title, the Prevent programme's panels.
NAMES = re.compile(r"Data Security and Protection Toolkit|\bChannel\b")
CODE_WORDS = re.compile(r"\b[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)+\b")  # art6-missing, CL-LEGAL-OBLIGATION, secure-email
WORDS = re.compile(r"[A-Za-z][A-Za-z']*")
CODE = re.compile(r"^[a-z0-9_.:-]+$")  # a stored code (active, personal, secure-email) is shown by its label, ours to translate


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.phrases, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template", "textarea"):  # a textarea holds the words being edited
            self.skip += 1
        for name in READ_ATTRIBUTES:
            if attrs.get(name):
                self.phrases.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.phrases.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template", "textarea") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.phrases.append(data)


def english_left(page, data=()):
    """The phrases of `page` (HTML) that hold English once the register's `data` is taken out."""
    reader = _Reader()
    reader.feed(page)
    values = sorted({" ".join(d.split()) for d in data if d and len(d) > 2 and not CODE.match(d)}, key=len, reverse=True)
    ours = re.compile("|".join(map(re.escape, values)), re.IGNORECASE) if values else None
    found = []
    for phrase in reader.phrases:
        text = " ".join(phrase.split())
        def data_out(words):
            return ours.sub(" ", words) if ours else words

        def codes_out(words):
            return CODE_WORDS.sub(" ", NAMES.sub(" ", re.sub(r"\S+@\S+|https?://\S+|/\S*", " ", words)))

        # the data first (a name may hold a hyphen: "… own sign-in"), or the codes first (a code may
        # hold a name: "add-user-desktop"): English is left only when it is left both ways
        if english_words(codes_out(data_out(text))) and english_words(data_out(codes_out(text))):
            found.append(text)
    return found


def english_words(text):
    """The English words of a text."""
    return [w for w in WORDS.findall(text) if w not in KEPT and w.lower().strip("'") in ENGLISH]


def register_data(session):
    """Every text held in the register's tables, but the legal catalogue's shipped wording (its titles
    and summaries are ours, and translated; an admin's local wording is theirs, and kept as written)."""
    import sqlalchemy as sa

    from isa.extensions import db

    values = set()
    bases = db.metadata.tables["legal_bases"].c
    for row in session.execute(sa.select(bases.title, bases.shipped_title, bases.summary, bases.shipped_summary)):
        values.update(wording for wording, shipped in ((row[0], row[1]), (row[2], row[3])) if wording and wording != shipped)
    for table in db.metadata.sorted_tables:
        if table.name in ("legal_bases", "alembic_version"):
            continue
        columns = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text, sa.JSON))]
        if not columns:
            continue
        for row in session.execute(sa.select(*columns)):
            for value in row:
                _texts(value, values)
    return values


def _texts(value, into):
    """The texts in a column's value, JSON included (the audit trail keeps old wording in its changes)."""
    if isinstance(value, str):
        into.add(value)
        into.update(line.strip() for line in value.splitlines())
    elif isinstance(value, (list, tuple)):
        for item in value:
            _texts(item, into)
    elif isinstance(value, dict):
        for item in value.values():
            _texts(item, into)
