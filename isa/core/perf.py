"""Performance helpers shared by the heavy paths (the whole-register findings, PDF layout)."""
import contextlib
import gc


@contextlib.contextmanager
def collector_paused():
    """Pause Python's cycle collector for a burst that makes very many short-lived, acyclic
    objects: it would rescan them again and again and free nothing. It runs again afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
