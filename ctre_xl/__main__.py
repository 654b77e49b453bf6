"""The ``ctre-xl`` program (``run``), also as ``python -m ctre_xl`` (handy where Scripts/ is not on PATH).

``run`` guards the whole life of the process against Ctrl-C, not only the command: the heavy
imports come after its handler is in place, and once the command is over the process exits with
the command's code even if Ctrl-C arrives while it shuts down (its outputs are complete by then);
after a successful command, or Ctrl-C, it exits without the interpreter's teardown (``exit_without_teardown``).
Before anything is printed, standard output and error are made safe for any character
(``streams.make_output_safe``: UTF-8 to files and pipes, replaced rather than raised).
"""

from __future__ import annotations

import _thread
import os
import signal
import sys
import threading
import time

from ctre_xl.errors import interrupt_within

INTERRUPTED_EXIT = 130  # 128 + SIGINT, as shells report it
BEFORE_START = "Đã dừng theo yêu cầu (Ctrl-C) trước khi bắt đầu: chưa đọc, chưa ghi tệp nào."
AGAIN = "Đã dừng theo yêu cầu (Ctrl-C)."


def run() -> None:
    code: object = INTERRUPTED_EXIT
    started = False
    try:
        # Imported here, not at the top: a Ctrl-C while they load is then this handler's, not a
        # traceback (the json module alone takes 7 ms to load, more on a busy machine).
        from ctre_xl.streams import make_output_safe

        make_output_safe()
        sys.unraisablehook = interrupt_again
        from ctre_xl.cli import main

        started = True
        try:
            main(prog_name="ctre-xl")
        except SystemExit as exc:
            code = exc.code
    except KeyboardInterrupt:  # the command reports its own Ctrl-C; this is before it, or a second one
        _say(AGAIN if started else BEFORE_START)
    except Exception as exc:  # the imports before the command's handler: a wrapped Ctrl-C is a Ctrl-C
        if interrupt_within(exc) is None:
            raise
        _say(AGAIN if started else BEFORE_START)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if code in (0, None, INTERRUPTED_EXIT):
        # After Ctrl-C too: CPython marks a KeyboardInterrupt raised inside code it compiled from a
        # string (a dataclass's methods, a named tuple, while modules are imported) as unhandled,
        # even once caught, and at the end of the interpreter's teardown kills the process with
        # SIGINT instead of exiting with the code given (-2 to a caller, STATUS_CONTROL_C_EXIT on
        # Windows): one early Ctrl-C in ten here.
        exit_without_teardown(INTERRUPTED_EXIT if code == INTERRUPTED_EXIT else 0)
    sys.exit(code)


def _say(line: str) -> None:
    """``line`` on stderr, made safe first (``streams.make_output_safe`` had not run if Ctrl-C came
    while it loaded); if even that is cut by a second Ctrl-C, a letter the stream cannot carry
    becomes "?" rather than a traceback."""
    try:
        from ctre_xl.streams import make_output_safe

        make_output_safe()
    except BaseException:  # noqa: BLE001 - a second Ctrl-C: we are stopping already
        try:
            sys.stderr.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, OSError, ValueError):
            pass
    print(line, file=sys.stderr)


def interrupt_again(unraisable: "sys.UnraisableHookArgs") -> None:
    """Ctrl-C that lands in code Python runs on the side (a weakref or finaliser callback during
    a garbage collection) cannot be raised there: Python would print "Exception ignored in …" with
    a traceback and go on as if no Ctrl-C had come. It is sent again, just after, to the main flow
    (not from here: it would land in this hook), so the command stops as for any Ctrl-C."""
    if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
        threading.Thread(target=_send_interrupt, daemon=True).start()
        return
    sys.__unraisablehook__(unraisable)


def _send_interrupt() -> None:
    time.sleep(0.02)  # the main thread is out of the hook by then
    if hasattr(signal, "pthread_sigmask"):  # POSIX: a real SIGINT, which a held Ctrl-C (workers.py) waits for
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # taken by the main thread, not this one
        os.kill(os.getpid(), signal.SIGINT)
    else:
        _thread.interrupt_main()


def exit_without_teardown(code: int = 0) -> None:
    """End the run at once with ``code``: a successful run's outputs are written, closed and in
    place by now (an interrupted one's removed or left whole), and freeing every object of a large
    merge one by one takes seconds (about 7 s at 66,000 files). Only the standard streams still
    hold buffered text; if they cannot be flushed (a closed pipe), the ordinary exit reports it
    instead."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


if __name__ == "__main__":
    run()
