"""Text as it is shown: bidirectional control characters neutralised.

A right-to-left override (U+202E) in a title makes `report‮gnp.exe` read as `reportexe.png`,
and embeddings and isolates can reorder whatever follows them on the line. No title, name or
free text in the register needs them (right-to-left scripts lay themselves out without them), so
every way out (pages, emails and protocol documents through the templates, the API's JSON, CSV
downloads, the calendar) removes them. Left-to-right and right-to-left *marks* stay: they
reorder nothing.
"""
import re

from flask_babel.speaklater import LazyString
from markupsafe import Markup

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # LRE RLE PDF LRO RLO LRI RLI FSI PDI
_CONTROLS_RE = re.compile(f"[{BIDI_CONTROLS}]")


def neutralise_bidi(text):
    """`text` without bidirectional embedding, override and isolate characters (Markup stays Markup)."""
    if not isinstance(text, str) or not _CONTROLS_RE.search(text):
        return text
    cleaned = _CONTROLS_RE.sub("", text)
    return Markup(cleaned) if isinstance(text, Markup) else cleaned


def template_finalize(value):
    """Jinja's finalize: every {{ value }} in every template passes through here. A lazy translation
    (a form's label, an enum's label) becomes its text first, so it is escaped like any other text:
    as it is, it would pass through as markup."""
    if isinstance(value, LazyString):
        value = str(value)
    return neutralise_bidi(value) if isinstance(value, str) else value
