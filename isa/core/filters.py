"""List filters shared by every list: GOV.UK date inputs and sorting by a column.

Pure functions of the query-string values, with no Flask import, so each list parses them alike
(their messages are in the page's language inside a request, in English outside one).
"""
from datetime import date

from flask_babel import gettext as _
from .i18n import lazy_gettext as _l

PARTS = ("day", "month", "year")


def date_filter(args, name, label):
    """(date or None, problem or None) for the filter `name`.

    A person types it in a GOV.UK date input's three boxes (`name-day`, `name-month`, `name-year`);
    links, the CSV download and older bookmarks carry it as `name=2025-03-01`.
    """
    parts = [(args.get(f"{name}-{part}") or "").strip() for part in PARTS]
    if any(parts):
        if not all(parts):
            return None, missing_date_parts(label, [part for part, value in zip(PARTS, parts) if not value])
        if not all(value.isdigit() for value in parts) or len(parts[2]) != 4:
            return None, _not_a_date(label)
        try:
            return date(int(parts[2]), int(parts[1]), int(parts[0])), None
        except ValueError:
            return None, _not_a_date(label)
    raw = (args.get(name) or "").strip()
    if not raw:
        return None, None
    try:
        return date.fromisoformat(raw), None
    except ValueError:
        return None, _not_a_date(label)


def missing_date_parts(name, missing):
    """"Start date must include a day and month": `missing` names the empty boxes, in order."""
    messages = {
        ("day",): _("%(name)s must include a day", name=name),
        ("month",): _("%(name)s must include a month", name=name),
        ("year",): _("%(name)s must include a year", name=name),
        ("day", "month"): _("%(name)s must include a day and month", name=name),
        ("day", "year"): _("%(name)s must include a day and year", name=name),
        ("month", "year"): _("%(name)s must include a month and year", name=name),
    }
    return messages[tuple(missing)]


def _not_a_date(label):
    return _("%(name)s must be a real date, for example 1 3 2025", name=label)


def date_range(args, filters, problems, names=("from", "to"), labels=(_l("Date from"), _l("Date to"))):
    """Parse a from–to pair into `filters` and `problems`; the end may not come before the start."""
    for name, label in zip(names, labels):
        value, problem = date_filter(args, name, label)
        if problem:
            problems[name] = problem
        elif value is not None:
            filters[name] = value
    start, end = names
    if start in filters and end in filters and filters[end] < filters[start]:
        problems[end] = _("%(end)s must be the same as or after %(start)s", end=labels[1], start=str(labels[0]).lower())


def sort_order(args, columns, default):
    """The `?sort=` value when it names one of `columns` (a leading '-' reverses it), else `default`."""
    sort = (args.get("sort") or "").strip()
    return sort if sort.lstrip("-") in columns else default


def ordering(sort, columns, tiebreak):
    """ORDER BY clauses for a `sort_order` value: the column, then `tiebreak` so pages are stable."""
    column = columns[sort.lstrip("-")]
    return (column.desc() if sort.startswith("-") else column.asc(), tiebreak)
