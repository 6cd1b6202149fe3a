"""What every benchmark starts from: an app on a new SQLite database in a folder of its own, with
the schema and the legal-basis catalogue; and the median of several timed runs."""
import statistics
import tempfile
import time
from pathlib import Path

from isa import create_app
from isa.extensions import db
from isa.legal.catalogue import sync_catalogue

FAST_PASSWORDS = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024}  # sign-ins are not what is measured


def bench_app(name, **config):
    """(app, folder): the app on `folder/name.sqlite`."""
    folder = Path(tempfile.mkdtemp(prefix=f"isa-bench-{name}-" if name != "bench" else "isa-bench-"))
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / f'{name}.sqlite'}", "SECRET_KEY": "bench", "DEVELOPMENT": True,
        **FAST_PASSWORDS, **config,
    })
    return app, folder


def create_database():
    """The schema and the catalogue, in the app context."""
    db.create_all()
    sync_catalogue(db.session.connection())


def median_time(action, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
