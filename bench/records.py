"""The partnership-wide Art 30 workbook benchmark, in its own process so that its peak memory is its own.

    .venv/bin/python -m bench.records DATABASE.sqlite     (run by `python -m bench`; prints one JSON line)

It reads the benchmark register the main benchmark built and writes every organisation's record
of processing activities, a sheet each, as the officers' download does (`/records/processing-records.xlsx`).
"""
import json
import os
import sys
import tempfile
import time
from datetime import date

from isa import create_app
from isa.extensions import db

from .pdf import peak_rss_mb


def main(database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "bench", "DEVELOPMENT": True})
    from isa.records import rules
    from isa.records.queries import snapshot
    from isa.records.spreadsheets import processing_workbook

    with app.app_context(), tempfile.TemporaryDirectory() as folder:
        target = os.path.join(folder, "processing-records.xlsx")
        today = date.today()
        start, cpu = time.perf_counter(), time.process_time()
        register = snapshot()
        loaded = time.perf_counter() - start
        order = sorted(register.organisations, key=lambda org_id: (register.organisations[org_id].name, org_id))
        processing_workbook(target, register, order, today)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        rows = sum(len(rules.processing_rows(register, org_id, today)) for org_id in order)
        size = os.path.getsize(target)
        db.session.remove()
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "load_seconds": loaded, "peak_rss_mb": peak_rss_mb(), "sheets": len(order),
                      "rows": rows, "size_mb": size / 1e6}))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
