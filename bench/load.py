"""Load while the register is being imported: 20 concurrent clients ask /api/v1/permitted of the
app as it is served (gunicorn, on 127.0.0.1 only) while `flask import` loads the 20,000-agreement
benchmark register into the same database, once on SQLite and once on a throwaway PostgreSQL.

    .venv/bin/python -m bench.load        (also run by `make bench`)

What must hold: no answer is a 5xx (no "database is locked"), whatever the import does. Reported:
requests answered, their statuses, p50 / p95 / max latency, and how long the import took. The
run stops by itself: when the import ends, or after DEADLINE seconds whatever happens.
"""
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import http.client
from contextlib import contextmanager, nullcontext
from pathlib import Path

import sqlalchemy as sa

from . import register

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 20
DEADLINE = 900  # seconds per database, whatever happens
PASSWORD = "benchmark password"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(uri):
    env = dict(os.environ)
    env.update(ISA_SQLALCHEMY_DATABASE_URI=uri, ISA_SECRET_KEY="bench-load", ISA_DEVELOPMENT="true",
               ISA_ARGON2_TIME_COST="1", ISA_ARGON2_MEMORY_COST="1024", FLASK_APP="isa")
    return env


def _prepare(uri):
    """Schema, catalogue, an officer with an API token, and a small register whose pair the clients ask about."""
    from isa import create_app
    from isa.api.tokens import create_token
    from isa.audit.tracking import acting_as
    from isa.exchange.operations import import_register
    from isa.extensions import db
    from isa.legal.catalogue import sync_catalogue
    from isa.users.operations import create_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench-load", "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024})
    with app.app_context():
        db.drop_all()
        db.create_all()
        sync_catalogue(db.session.connection())
        with acting_as("benchmark"):
            officer = create_user("officer@bench.example.org", "officer", PASSWORD, name="Bench Officer")
            db.session.flush()
            _record, token = create_token(officer, "load benchmark")
            # the clients' register: its own slugs and references, so the big import only adds
            seed = json.loads(json.dumps(register.build(organisations=40, agreements=200, seed=11))
                              .replace('"org-', '"load-org-').replace('"ISA-B-', '"ISA-L-'))
            import_register(seed)
        db.session.commit()
        pair = db.session.execute(sa.text(
            "SELECT a.organisation_id, b.organisation_id, count(*) AS n FROM parties a JOIN parties b "
            "ON a.agreement_id = b.agreement_id AND a.organisation_id < b.organisation_id "
            "GROUP BY 1, 2 ORDER BY n DESC LIMIT 1")).one()
        slugs = dict(db.session.execute(sa.text("SELECT id, slug FROM organisations WHERE id IN (:a, :b)"),
                                        {"a": pair[0], "b": pair[1]}).all())
        db.session.remove()
        db.engine.dispose()
    return token, f"/api/v1/permitted?discloser={slugs[pair[0]]}&recipient={slugs[pair[1]]}&category=personal"


@contextmanager
def _gunicorn(uri, port):
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(
        [gunicorn, "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{port}", "--timeout", "120", "isa:create_app()"],
        cwd=ROOT, env=_environment(uri), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/api/v1/openapi.json")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start")
                time.sleep(0.3)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _client(port, path, token, stop, results):
    headers = {"Authorization": f"Bearer {token}"}
    connection = None
    while not stop.is_set():
        started = time.perf_counter()
        try:
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException) as error:
            status = f"connection error: {type(error).__name__}"
            connection = None
        results.append((status, time.perf_counter() - started))


def run_backend(name, uri, folder):
    token, path = _prepare(uri)
    big = folder / "register.json"
    big.write_text(json.dumps(register.build(owner_email="officer@bench.example.org")))
    port = _free_port()
    results, stop = [], threading.Event()
    with _gunicorn(uri, port):
        threads = [threading.Thread(target=_client, args=(port, path, token, stop, results), daemon=True) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(2)  # the clients are answering before the import starts
        started = time.perf_counter()
        importer = subprocess.Popen([sys.executable, "-m", "flask", "import", str(big)], cwd=ROOT, env=_environment(uri),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            output, errors = importer.communicate(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            importer.kill()
            output, errors = importer.communicate()
        import_seconds = time.perf_counter() - started
        stop.set()
        for thread in threads:
            thread.join(130)
    statuses = {}
    for status, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    times = sorted(seconds for _, seconds in results)
    server_errors = sum(n for status, n in statuses.items() if not status.isdigit() or int(status) >= 500)
    return {
        "database": name, "clients": CLIENTS, "requests": len(results), "statuses": statuses,
        "server_errors": server_errors, "import_ok": importer.returncode == 0,
        "import_seconds": round(import_seconds, 1), "import_output": ((output or "") + (errors or "")).strip().splitlines()[-12:],
        "p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
        "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 1) if times else None,
        "max_ms": round(times[-1] * 1000, 1) if times else None,
    }


def _postgresql():
    sys.path.insert(0, str(ROOT))
    from tests.pg_server import postgres_server

    return postgres_server()


def run(backends=("sqlite", "postgresql")):
    reports = []
    for name in backends:
        folder = Path(tempfile.mkdtemp(prefix=f"isa-load-{name}-"))
        server = _postgresql() if name == "postgresql" else nullcontext(f"sqlite:///{folder / 'load.sqlite'}")
        with server as uri:
            report = run_backend(name, uri, folder)
        print(f"load during import ({name}): {report['requests']} requests from {CLIENTS} clients while the import ran "
              f"{report['import_seconds']} s; statuses {report['statuses']}; p50 {report['p50_ms']} ms, "
              f"p95 {report['p95_ms']} ms, max {report['max_ms']} ms; import {'ok' if report['import_ok'] else 'FAILED'}",
              flush=True)
        if not report["import_ok"]:
            print("\n".join(report["import_output"]), flush=True)
        reports.append(report)
    return reports


if __name__ == "__main__":
    reports = run(sys.argv[1:] or ("sqlite", "postgresql"))
    sys.exit(0 if all(r["server_errors"] == 0 and r["import_ok"] for r in reports) else 1)
