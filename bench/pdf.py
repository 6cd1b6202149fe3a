"""The protocol PDF benchmark, in its own process so that its peak memory is its own.

    .venv/bin/python -m bench.pdf     (run by `python -m bench`; prints one JSON line)
"""
import json
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from isa.audit.tracking import acting_as
from isa.extensions import db

from . import register
from .setup import bench_app, create_database


def peak_rss_mb():
    """This process's own peak resident memory. VmHWM belongs to the address space exec made, where
    getrusage's ru_maxrss keeps the high-water mark of the parent's memory the fork copied."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    app, _folder = bench_app("pdf")
    from isa.agreements.operations import find_by_reference
    from isa.documents.render import render_protocol
    from isa.exchange.demo import load_demo
    from isa.exchange.operations import import_register

    results = {}
    with app.app_context():
        create_database()
        with acting_as("benchmark"):
            load_demo(date.today())
            import_register(register.sixty_flow_agreement())
        db.session.commit()
        for name, reference in (("demo Hertfordshire agreement (11 parties)", "ISA-2024-001"), ("60-flow agreement", "ISA-B-SIXTY")):
            agreement = find_by_reference(reference)
            render_protocol(agreement)  # warm: templates compiled, fonts loaded
            times, cpu = [], []
            for _ in range(5):
                start, start_cpu = time.perf_counter(), time.process_time()
                render_protocol(agreement)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            results[name] = statistics.median(times)
            results[f"{name}, CPU seconds"] = statistics.median(cpu)  # what a busy shared host does not inflate
    results["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(results))


if __name__ == "__main__":
    sys.exit(main())
