"""The render queue benchmark, in its own process and database (run by `python -m bench`).

    .venv/bin/python -m bench.queue     (prints one JSON line)

- a stored protocol served through WSGI (the API's protocol.pdf, Hertfordshire demo agreement);
- the render throughput of one scheduler process: a backlog of Hertfordshire-sized agreements;
- the time from a material change to its stored document, with the real scheduler running idle.

Each is also given as a ratio against a trivial authenticated endpoint (/api/v1/me, "hello world")
measured in the same run.
"""
import copy
import json
import statistics
import sys
import time
from datetime import date, datetime

from isa.audit.tracking import acting_as
from isa.extensions import db

from .setup import bench_app, create_database, median_time

BACKLOG = 6  # Hertfordshire-sized agreements queued at once
RUNS = 31


def main():
    from apscheduler.schedulers.background import BackgroundScheduler

    from isa.agreements.operations import find_by_reference
    from isa.api.tokens import create_token
    from isa.documents.models import RenderJob, RenderStatus
    from isa.documents.queue import QueueSettings, protocol_state, run_queue
    from isa.documents.render import content_fingerprint
    from isa.exchange.demo import load_demo
    from isa.exchange.operations import export_register, import_register
    from isa.reminders.scheduler import LONDON, add_jobs, executors
    from isa.users.operations import create_user

    app, _folder = bench_app("queue", SWEEP_ON_START=False)
    results = {}
    with app.app_context():
        create_database()
        with acting_as("benchmark"):
            load_demo(date.today())
            officer = create_user("officer@bench.example.org", "officer", "benchmark password", name="Bench Officer")
        db.session.commit()
        with acting_as("benchmark"):
            _record, token = create_token(officer, "benchmark")
        db.session.commit()
        settings = QueueSettings.from_config(app.config)
        run_queue("bench-warm-up", settings)  # the demo's documents; templates compiled, fonts loaded

        # 1. throughput of one scheduler process: a backlog of copies of the Hertfordshire agreement
        register = export_register()
        herts = next(a for a in register["agreements"] if a["reference"] == "ISA-2024-001")
        copies = []
        for n in range(BACKLOG):
            copy_ = copy.deepcopy(herts)
            copy_["reference"] = f"ISA-BENCH-{n:03d}"
            copy_["supersedes"] = None
            copies.append(copy_)
        with acting_as("benchmark"):
            import_register({"organisations": register["organisations"], "channels": register["channels"], "agreements": copies})
        start = time.perf_counter()
        report = run_queue("bench-scheduler", settings)
        seconds = time.perf_counter() - start
        assert report.rendered == BACKLOG and report.failed == 0, report
        results["throughput_docs_per_minute"] = BACKLOG / seconds * 60
        results["seconds_per_document"] = seconds / BACKLOG

    # 2. a stored protocol served through WSGI, against the trivial endpoint
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    url = "/api/v1/agreements/ISA-2024-001/protocol.pdf"
    response = client.get(url, headers=headers)
    assert response.status_code == 200 and response.data.startswith(b"%PDF"), response.status_code
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    results["hello_world_ms"] = median_time(lambda: client.get("/api/v1/me", headers=headers), RUNS) * 1000
    results["stored_protocol_served_ms"] = median_time(lambda: client.get(url, headers=headers), RUNS) * 1000

    # 3. from a material change to its stored document, with the real scheduler idle
    scheduler = add_jobs(BackgroundScheduler(timezone=LONDON, executors=executors()), app)
    scheduler.start()
    latencies = []
    try:
        time.sleep(2)  # idle: nothing queued
        for n in range(3):
            with app.app_context():
                agreement = find_by_reference("ISA-2024-001")
                flow = agreement.flows[0]
                with acting_as("benchmark"):
                    flow.items = f"{flow.items.split(' (round')[0]} (round {n})"
                    db.session.commit()
                changed = time.perf_counter()
                wanted = content_fingerprint(agreement)
            deadline = time.perf_counter() + 60
            while time.perf_counter() < deadline:
                with app.app_context():
                    state = protocol_state(find_by_reference("ISA-2024-001"))
                    if state.document is not None and state.document.content_sha256 == wanted:
                        break
                    db.session.remove()
                time.sleep(0.02)
            latencies.append(time.perf_counter() - changed)
            time.sleep(1.5)
    finally:
        scheduler.shutdown(wait=True)
    results["change_to_stored_document_s"] = statistics.median(latencies)
    with app.app_context():
        results["jobs_failed"] = db.session.query(RenderJob).filter(RenderJob.status == RenderStatus.FAILED).count()
    results["at"] = datetime.now().isoformat(timespec="seconds")
    print(json.dumps(results))


if __name__ == "__main__":
    sys.exit(main())
