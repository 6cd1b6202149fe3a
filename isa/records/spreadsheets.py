"""The records as spreadsheets: XLSX with XlsxWriter, CSV with the register's safe CSV writer.

XlsxWriter in constant-memory mode writes each row to the sheet's temporary file as it goes, so
the partnership-wide workbook of a register of any size never sits in memory whole. Cells are
written with explicit types: text is always text (never a formula or a link), dates are dates.
Headings and the words in cells are in the language of the person who asked (the CSV stays English).
"""
import re
import tempfile
from datetime import date

import xlsxwriter

from ..core.perf import collector_paused
from ..legal.words import N_, Words, page_wording
from . import rules

INVALID_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31  # Excel's limit
MAX_CELL = 32767  # characters Excel keeps in a cell
EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system (past its 1900 leap-year bug)
DATE_FORMAT = "d mmmm yyyy"  # 1 December 2027, as the pages write dates
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WIDTHS = {"Purposes": 30, "Data items": 40, "Security measures": 40, "Retention": 30, "Information shared": 40}


def sheet_name(name, taken):
    """A name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook ignoring case."""
    base = INVALID_SHEET_CHARACTERS.sub("-", name).strip("'").strip() or "Organisation"
    candidate, number = base[:MAX_SHEET_NAME], 1
    while candidate.lower() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = base[:MAX_SHEET_NAME - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


class Workbook:
    """An XLSX file written sheet by sheet: a heading, a frozen header row with filters, then the rows."""

    def __init__(self, target, wording=None):
        self.wording = wording or page_wording()
        self.book = xlsxwriter.Workbook(target, {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False, "tmpdir": tempfile.gettempdir(),
        })
        self.bold = self.book.add_format({"bold": True})
        self.header = self.book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#F3F2F1", "border": 1})
        self.date = self.book.add_format({"num_format": DATE_FORMAT, "align": "left"})
        self.taken = set()
        self.previous = None

    def add_sheet(self, name, heading, columns, date_columns, rows):
        if self.previous is not None:
            self.previous._opt_close()  # release the finished sheet's temporary file (one per sheet otherwise)
        sheet = self.previous = self.book.add_worksheet(sheet_name(name, self.taken))
        for index, column in enumerate(columns):
            sheet.set_column(index, index, WIDTHS.get(column, 18 if column not in date_columns else 16))
        wording = self.wording
        for line_number, line in enumerate(heading):
            sheet.write_string(line_number, 0, _worded(line, wording), self.bold)
        top = len(heading)
        for index, column in enumerate(columns):
            sheet.write_string(top, index, _worded(column, wording), self.header)
        dates = {index for index, column in enumerate(columns) if column in date_columns}
        write_string, write_number, date_format = sheet.write_string, sheet.write_number, self.date
        row_number = top
        for row_number, row in enumerate(rows, start=top + 1):
            for index, value in enumerate(row):
                if not value:
                    continue
                if index in dates:
                    # A date is a day number with a date format, which is all Excel stores for one.
                    write_number(row_number, index, (value - EXCEL_EPOCH).days, date_format)
                elif isinstance(value, Words):
                    write_string(row_number, index, value.worded(wording)[:MAX_CELL])
                else:
                    write_string(row_number, index, value[:MAX_CELL])
        sheet.freeze_panes(top + 1, 0)
        sheet.autofilter(top, 0, max(row_number, top), len(columns) - 1)
        return sheet

    def close(self):
        self.book.close()


def _worded(text, wording):
    return text.worded(wording) if isinstance(text, Words) else text


def processing_workbook(target, snapshot, organisation_ids, today):
    """The Art 30 record of each organisation, a sheet each, in the order given."""
    book = Workbook(target)
    with collector_paused():  # millions of short-lived cells and rows, no cycles among them
        for organisation_id in organisation_ids:
            organisation = snapshot.organisations[organisation_id]
            book.add_sheet(organisation.name, rules.controller_lines(organisation), rules.PROCESSING_COLUMNS,
                           rules.PROCESSING_DATE_COLUMNS, rules.processing_rows(snapshot, organisation_id, today))
        book.close()


def sharing_register_workbook(target, snapshot, organisation_id, today):
    organisation = snapshot.organisations[organisation_id]
    heading = [N_("Data sharing register (DSPT 1.1.2): %(name)s", name=organisation.name), N_("As at %(day)s", day=today)]
    book = Workbook(target)
    book.add_sheet(organisation.name, heading, rules.SHARING_COLUMNS, rules.SHARING_DATE_COLUMNS,
                   rules.sharing_register_rows(snapshot, organisation_id, today))
    book.close()


def csv_values(rows):
    """Rows for the CSV writer: dates as YYYY-MM-DD, so that they sort and filter."""
    for row in rows:
        yield [value.isoformat() if isinstance(value, date) else value for value in row]
