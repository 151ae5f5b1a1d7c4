"""Wall-clock budgets that really stop SymPy: the work runs in a forked worker process, killed on expiry.
(SymPy has no timeout; signal alarms are blind inside C calls and threads cannot be stopped.)"""
from __future__ import annotations

import multiprocessing
import pickle
import traceback
from dataclasses import dataclass
from typing import Any, Optional

from .kinds import Finish


@dataclass(frozen=True)
class Outcome:
    """``value`` when ``status`` is DONE; TIMEOUT after ``seconds``; ERROR with the message."""

    status: Finish
    value: Any = None
    message: Optional[str] = None


def _child(connection, function, args):
    try:
        result = (Finish.DONE, function(*args), None)
        payload = pickle.dumps(result)
    except Exception as exc:  # reported to the parent, never raised past the worker
        payload = pickle.dumps((Finish.ERROR, None, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"))
    connection.send_bytes(payload)
    connection.close()


def run_with_budget(function, *args, seconds: float) -> Outcome:
    """Run ``function(*args)`` in a forked process for at most ``seconds``."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, function, args), daemon=True)
    process.start()
    sender.close()
    try:
        if receiver.poll(seconds):
            try:
                status, value, message = pickle.loads(receiver.recv_bytes())
            except EOFError:
                return Outcome(Finish.ERROR, message=f"worker died (exit code {process.exitcode})")
            return Outcome(status, value, message)
        return Outcome(Finish.TIMEOUT, message=f"no answer within {seconds:g} s")
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
