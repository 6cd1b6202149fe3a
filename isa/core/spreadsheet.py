"""CSV downloads that open safely in Excel and LibreOffice."""
import csv
import io

from flask import Response, stream_with_context

from .text import neutralise_bidi

# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 64 * 1024  # characters sent at a time


def cell(value):
    """The value as text, with a leading apostrophe when a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = neutralise_bidi(value if isinstance(value, str) else str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(header, rows):
    """The CSV text in chunks: a log or a register of any size never sits in memory whole."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
        if buffer.tell() > CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_download(filename, header, make_rows):
    """A CSV attachment; the byte-order mark makes Excel read it as UTF-8.

    `make_rows()` is called only once the body is being sent: the request's database session has
    closed by then, and the query must run in the fresh one the streamed body gets (results read
    in the view itself would belong to the closed session and die half-way through the download).
    """
    if not callable(make_rows):
        raise TypeError("csv_download needs a function that makes the rows, not the rows themselves")

    def body():
        yield "\ufeff"
        yield from csv_lines(header, make_rows())

    response = Response(stream_with_context(body()), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
