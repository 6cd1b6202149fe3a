"""Sentences for people that are worded when they are shown, not when they are made.

The findings engine is pure and its findings are made once and read in many places: the pages, the
protocol PDF, the API, the command line, the reasons stored with a sharing decision. So a finding's
message is a `Words`: a str whose value is the English (what the API, the log, files and stored
rows get, whatever the reader's language), which a page shows in the page's language (Jinja calls
`__html__`). The sentence and its parameters are kept, so the translation is looked up at that
moment: nothing translated is ever stored.

No Flask here: the app hands in how a page words things with `set_page_wording` (isa/legal/views.py).
"""
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from markupsafe import escape

WELSH_VOWELS = frozenset("aeiouyâêîôûŷáéíóú")


class English:
    """The wording of files, the API, the command line and stored rows: English, always."""

    language = "en"

    def gettext(self, text):
        return text

    def day(self, value):
        return _english_day(value)

    def label(self, member):
        described = type(member).__dict__.get("label")
        if hasattr(described, "english"):  # core.i18n.labelled: the English with no language looked up
            return described.english(member)
        return english(member.label)

    def title(self, entry):
        return english(entry.title)


@lru_cache(maxsize=4096)
def _english_day(value):
    return f"{value.day} {value:%B %Y}"


ENGLISH = English()
_page_wording = None  # a callable giving the wording of the page being rendered (set by the app)


def set_page_wording(factory):
    """How a page words things: `factory()` gives an object like `English` for the current page."""
    global _page_wording
    _page_wording = factory


def page_wording():
    return _page_wording() if _page_wording is not None else ENGLISH


def english(text):
    """The English of a label or title, even when it is a lazy translation (Flask-Babel's LazyString)."""
    args = getattr(text, "_args", None)
    if args and callable(getattr(text, "_func", None)):
        kwargs = getattr(text, "_kwargs", None) or {}
        return args[0] % kwargs if kwargs else args[0]
    return str(text)


def worded(value, wording=ENGLISH):
    """A parameter of a sentence in the given wording: sentences, dates, labels and names."""
    if type(value) is str:
        return value
    if isinstance(value, Words):
        return value if wording is ENGLISH else value.worded(wording)  # its English is its text, made once
    if hasattr(value, "worded"):
        return value.worded(wording)
    if isinstance(value, date):
        return wording.day(value)
    return str(value)


class Words(str):
    """A sentence for people: its English value, and its template and parameters to word it again.

    The template is a message id (marked with `N_` for extraction); parameters are names and codes
    (shown as they are), dates, other `Words`, `AndList`, `Label` and `Named`.
    """

    def __new__(cls, text, params=None, capital=False, literal=False):
        params = params if type(params) is dict else dict(params or {})
        self = super().__new__(cls, _english(text, params) if not capital else _word(text, params, capital, ENGLISH, literal))
        self.text, self.params, self.capital, self.literal = text, params, capital, literal
        self.plain = all(_plain(value) for value in params.values())
        return self

    def worded(self, wording=ENGLISH):
        return _word(self.text, self.params, self.capital, wording, self.literal)

    def capitalised(self):
        """The same sentence with a capital first letter, in any language."""
        return Words(self.text, self.params, True, self.literal)

    def __html__(self):
        return str(escape(self.worded(page_wording())))

    def __reduce__(self):
        return (Words, (self.text, self.params, self.capital, self.literal))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self  # never changed once made (and its parameters may hold catalogue rows)


def _english(text, params):
    """The English of a sentence: its template with the English of each parameter (the sweep makes many)."""
    if not params:
        return text
    values = {}
    for name, value in params.items():
        values[name] = value if type(value) is str or isinstance(value, Words) else worded(value)
    return text % values


def _word(text, params, capital, wording, literal=False):
    result = text if literal or wording is ENGLISH else wording.gettext(text)
    if params:
        result = result % {name: worded(value, wording) for name, value in params.items()}
    return result[:1].upper() + result[1:] if capital else result


def N_(text, **params):
    """A sentence to be worded when shown (extracted for translation as `N_`). The register-wide sweep
    says the same few sentences, with the same parameters, hundreds of thousands of times: a sentence
    is never changed once made, so one made before is given again."""
    if all(_plain(value) for value in params.values()):
        return _said(text, tuple(params.items()))
    return Words(text, params)  # kwargs are a fresh dict: kept as they are


def _plain(value):
    """Whether a parameter is a value, the same whenever it is equal (not a catalogue row, which a
    later request may reword or a session may let go): only such sentences are given again."""
    kind = type(value)
    if kind in (str, int, bool, date) or value is None:
        return True
    if kind is Words:
        return value.plain
    if kind in (Label, Named):
        return True
    if kind in (AndList, Joined):
        return all(_plain(item) for item in value.items)
    return False


@lru_cache(maxsize=1 << 18)  # the sentences of a register of 20,000 agreements
def _said(text, params):
    return Words(text, dict(params))


def joined_words(items, separator="; "):
    """Items (labels, `Words`, names) joined into one `Words`: "Personal data; Special category data"."""
    items = [item for item in items if item]
    text = separator.join(f"%(p{index})s" for index in range(len(items)))
    return Words(text, {f"p{index}": item for index, item in enumerate(items)}, literal=True)


def label_words(member):
    """An enum member's label as `Words`: English as text, the reader's language on a page."""
    return Words("%(label)s", {"label": Label(member)}, literal=True)


AND, OR = N_("and").text, N_("or").text  # the words lists are joined with


class AndList:
    """"A, B and C" (or "A, B or C"; with `commas=False` "A or B or C"), joined in the language it is shown in."""

    def __init__(self, items, conjunction=AND, commas=True):
        self.items, self.conjunction, self.commas = tuple(items), conjunction, commas

    def __eq__(self, other):
        return type(other) is AndList and (self.items, self.conjunction, self.commas) == (other.items, other.conjunction, other.commas)

    def __hash__(self):
        return hash((AndList, self.items, self.conjunction, self.commas))

    def worded(self, wording=ENGLISH):
        items = [worded(item, wording) for item in self.items]
        if len(items) <= 1:
            return "".join(items)
        word = wording.gettext(self.conjunction)
        if not self.commas:
            return f" {word} ".join(items)
        if wording.language == "cy" and word == "a" and items[-1][:1].lower() in WELSH_VOWELS:
            word = "ac"  # Welsh "a" becomes "ac" before a vowel
        return f"{', '.join(items[:-1])} {word} {items[-1]}"

    def __str__(self):
        return self.worded()

    def __len__(self):
        return len(self.items)


class Joined:
    """Sentences or phrases one after the other, with `separator` between them ("; ", "")."""

    def __init__(self, items, separator):
        self.items, self.separator = tuple(items), separator

    def __eq__(self, other):
        return type(other) is Joined and (self.items, self.separator) == (other.items, other.separator)

    def __hash__(self):
        return hash((Joined, self.items, self.separator))

    def worded(self, wording=ENGLISH):
        return self.separator.join(worded(item, wording) for item in self.items)


class Label:
    """An enum member's label (organisation type, data category, status), optionally in lower case."""

    def __init__(self, member, lower=False):
        self.member, self.lower = member, lower

    def __eq__(self, other):
        return type(other) is Label and (self.member, self.lower) == (other.member, other.lower)

    def __hash__(self):
        return hash((Label, self.member, self.lower))

    def worded(self, wording=ENGLISH):
        text = wording.label(self.member)
        return text.lower() if self.lower else text


class Wording(NamedTuple):
    """A catalogue entry's title as it is worded now, and as it was shipped (so a page can translate it)."""

    title: str
    shipped_title: str | None


class Named:
    """A catalogue code with its title: "UKGDPR-A6-1E (Public task)", the title in the reader's language."""

    def __init__(self, code, entry, pattern="%(code)s (%(title)s)"):
        # the entry's wording as it is now, not the row: a value, safe to keep after the session ends
        wording = None if entry is None else Wording(entry.title, getattr(entry, "shipped_title", None))
        self.code, self.entry, self.pattern = code, wording, pattern
        self._english = None

    def __eq__(self, other):
        return type(other) is Named and (self.code, self.entry, self.pattern) == (other.code, other.entry, other.pattern)

    def __hash__(self):
        return hash((Named, self.code, self.entry, self.pattern))

    def worded(self, wording=ENGLISH):
        if self.entry is None:
            return self.code
        if wording is ENGLISH:
            if self._english is None:
                self._english = self.pattern % {"code": self.code, "title": wording.title(self.entry)}
            return self._english
        return self.pattern % {"code": self.code, "title": wording.title(self.entry)}
