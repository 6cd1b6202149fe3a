"""Finds words in a template that are not marked for translation.

Text between tags, and the values of the attributes people read or hear (alt, title,
aria-label, placeholder), must sit inside `{% trans %}…{% endtrans %}` or come from an
expression; and a string written in Jinja code that reads as words (a capital letter and then
small ones, or several words: "Agreements", "Sign out"), say a label handed to a macro, must be
inside `_("…")`. Used by
tests/test_language.py on every template that has been translated, so none slips back.
"""
import re
from html.parser import HTMLParser

from jinja2 import Environment

READ_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}
WORDS = re.compile(r"[A-Za-z]{2,}")
NOT_WORDS = re.compile(r"&[a-z]+;|&#\d+;")
KEPT = {"isa", "PDF", "CSV", "XLSX", "JSON", "ZIP", "API", "URL", "SHA", "UK", "GDPR", "DPA", "ICO", "DSPT", "NHS", "DPIA", "WCAG"}
MARK = "\x00"  # stands in for Jinja code and translated text, so the HTML around them still parses


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.found, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self._check(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self._check(data)

    def _check(self, text):
        for part in NOT_WORDS.sub(" ", text).split(MARK):
            words = [w for w in WORDS.findall(part) if w not in KEPT]
            if words:
                self.found.append(" ".join(part.split()))


GETTEXT = {"_", "gettext", "ngettext", "pgettext", "lazy_gettext"}
READS_AS_WORDS = re.compile(r"[A-Z][a-z]|[A-Za-z]{2,}\s+[A-Za-z]{2,}")


def untranslated(source):
    """The pieces of text in a template's source that are not marked for translation."""
    kept, depth, code, recent = [], 0, [], []
    for _line, kind, value in Environment(extensions=["jinja2.ext.i18n"]).lex(source):
        if kind == "name" and value in ("trans", "pluralize"):
            depth += value == "trans"
        elif kind == "name" and value == "endtrans":
            depth -= 1
        text = value[1:-1] if kind == "string" else ""  # lex() keeps a string's quotes
        if text and depth == 0 and READS_AS_WORDS.search(text) and text not in KEPT:
            if not (len(recent) >= 2 and recent[-1] == "(" and recent[-2] in GETTEXT):
                code.append(text)
        if kind not in ("whitespace", "data"):
            recent = (recent + [value])[-2:]
        if kind == "data" and depth == 0:
            kept.append(value)
        else:
            if not kept or kept[-1] != MARK:
                kept.append(MARK)
    parser = _Text()
    parser.feed("".join(kept))
    parser.close()
    return parser.found + code
