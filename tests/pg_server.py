"""A throwaway PostgreSQL server for the test suite, from the machine's PostgreSQL binaries.

Started once per test session when ISA_TEST_BACKEND=postgresql: initdb into a temporary folder,
listening only on a Unix socket there, removed at the end. Needs nothing running beforehand.
"""
import glob
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager


def _bin_dir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(initdb)
    raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")


def _as_server_user(command):
    """initdb and postgres refuse to run as root: run them as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + command
    return command


@contextmanager
def postgres_server():
    bin_dir = _bin_dir()
    base = tempfile.mkdtemp(prefix="isa-pg-")
    data, sockets = os.path.join(base, "data"), os.path.join(base, "run")
    os.makedirs(sockets)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    run = lambda cmd: subprocess.run(_as_server_user(cmd), check=True, capture_output=True)  # noqa: E731
    try:
        run([f"{bin_dir}/initdb", "-D", data, "-U", "isa", "-A", "trust", "-E", "UTF8", "--no-sync"])
        run([
            f"{bin_dir}/pg_ctl", "-D", data, "-w", "-l", os.path.join(base, "log"), "-o",
            f"-k {sockets} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            "start",
        ])
        run([f"{bin_dir}/createdb", "-h", sockets, "-U", "isa", "isa_test"])
        yield f"postgresql+psycopg://isa@/isa_test?host={sockets}"
    finally:
        subprocess.run(_as_server_user([f"{bin_dir}/pg_ctl", "-D", data, "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
