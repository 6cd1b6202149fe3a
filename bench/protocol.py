"""Benchmark 6: rendering the Information Sharing Protocol PDF (issue 6).

Two agreements in a register of their own (the demo register, so the Hertfordshire agreement of
seed 004 is the real one): ISA-2024-001 with its 11 parties and 11 flows, and an agreement of
60 flows between the same parties. Each is rendered in a fresh process, so the peak memory
reported is the rendering process's own (the app, WeasyPrint and the document), not the
benchmark's 20,000-agreement register.
"""
import multiprocessing
import resource
import statistics
import time
from datetime import date
from pathlib import Path

HERTFORDSHIRE = "ISA-2024-001"
SIXTY_FLOWS = "ISA-BENCH-060"
RUNS = 5


def build(folder):
    """The demo register plus the 60-flow agreement, in folder/protocol.sqlite; returns the URI."""
    from isa import create_app
    from isa.agreements.models import Agreement, Party
    from isa.agreements.operations import find_by_reference
    from isa.audit.tracking import acting_as
    from isa.exchange.demo import load_demo
    from isa.extensions import db
    from isa.flows.models import DataFlow
    from isa.legal.catalogue import sync_catalogue

    uri = f"sqlite:///{Path(folder) / 'protocol.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "DEVELOPMENT": True})
    with app.app_context(), acting_as("benchmark"):
        db.create_all()
        sync_catalogue(db.session.connection())
        db.session.commit()
        load_demo(date.today())
        source = find_by_reference(HERTFORDSHIRE)
        sixty = Agreement(
            reference=SIXTY_FLOWS, title="Benchmark: sixty data flows between the Family Safeguarding partners",
            purpose=source.purpose, scope=source.scope, status=source.status, start_date=source.start_date,
            review_date=source.review_date, lead_organisation=source.lead_organisation, data_subjects=source.data_subjects,
            retention=source.retention, security=source.security, data_location=source.data_location,
        )
        for party in source.parties:
            sixty.parties.append(Party(organisation=party.organisation, role=party.role, signatory_name=party.signatory_name,
                                       signatory_title=party.signatory_title, signed_on=party.signed_on))
        for n in range(60):
            flow = source.flows[n % len(source.flows)]
            sixty.flows.append(DataFlow(
                from_organisation=flow.from_organisation, to_organisation=flow.to_organisation, categories=flow.categories,
                items=flow.items, purposes=flow.purposes, lawful_bases=flow.lawful_bases, channel=flow.channel,
                frequency=flow.frequency, consent=flow.consent,
            ))
        db.session.add(sixty)
        db.session.commit()
    return uri


def _render_in_child(uri, reference, runs, queue):
    """In a fresh process: render `runs` times; send back the times, pages and peak RSS."""
    from isa import create_app
    from isa.agreements.operations import find_by_reference
    from isa.documents.render import render

    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench"})
    with app.app_context(), app.test_request_context():
        agreement = find_by_reference(reference)
        times, pages = [], None
        for _ in range(runs):
            start = time.perf_counter()
            rendered = render(agreement)
            times.append(time.perf_counter() - start)
            pages = rendered.page_count
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    queue.put({"times": times, "pages": pages, "peak_mb": peak_mb})


def measure(uri, reference, runs=RUNS):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_render_in_child, args=(uri, reference, runs, queue))
    child.start()
    result = queue.get(timeout=600)
    child.join()
    # the first render in a process also loads the fonts: report the median of the rest
    result["median"] = statistics.median(result["times"][1:] if len(result["times"]) > 1 else result["times"])
    result["first"] = result["times"][0]
    return result


def run(bench, folder):
    uri = build(folder)
    herts = measure(uri, HERTFORDSHIRE)
    bench.record(f"6. protocol PDF, Hertfordshire agreement ({herts['pages']} pages)", herts["median"], "s", 1.5)
    bench.record("6. protocol PDF, Hertfordshire agreement, first render in a process", herts["first"], "s")
    sixty = measure(uri, SIXTY_FLOWS)
    bench.record(f"6. protocol PDF, 60 data flows ({sixty['pages']} pages)", sixty["median"], "s", 4)
    bench.record("6. protocol PDF, 60 data flows: peak memory of the process", sixty["peak_mb"], "MB", 300)
