"""``disrupt app``'s Streamlit server, with every script run and audit write timed to a log file.

    python benchmarks/load_server.py LOG.jsonl streamlit run app/main.py --server.port N ...

Used by ``bench_load.py`` to measure server time without changing the app: before Streamlit
starts, this wraps three functions in memory (nothing on disk changes) and then runs Streamlit's
own command line with the arguments given:

- ``ScriptRunner._run_script``: one client request (a click, a submitted form) from the moment the
  session's script thread takes it until every chained rerun (``st.rerun``, ``st.switch_page``)
  has finished: the ``request`` lines.
- ``exec_func_with_error_handling``: each execution of the script within it, with its page and any
  uncaught exception: the ``run`` lines.
- ``AuditLog.record``: each audit write, its id or its error, and how long it waited: the ``audit``
  lines.

Each line is JSON with the wall-clock time (``time.time()``), so the load client can put the
server's requests beside its own actions.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

_LOCK = threading.Lock()


def _writer(path: str) -> Callable[[dict[str, Any]], None]:
    out = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 (open for the server's life)

    def write(line: dict[str, Any]) -> None:
        text = json.dumps(line, default=str)
        with _LOCK:
            out.write(text + "\n")

    return write


def _user(ctx: Any) -> str:
    """The signed-in user of a run's session, or "" (read after the run, never changed)."""
    try:
        user = ctx.session_state["disrupt_user"]
    except (KeyError, AttributeError):
        return ""
    return str(getattr(user, "name", ""))


def _page(ctx: Any) -> str:
    try:
        info = ctx.pages_manager.get_pages().get(ctx.page_script_hash) or {}
    except Exception:
        return ""
    return str(info.get("url_pathname") or info.get("page_name") or "")


def install(path: str) -> None:
    """Wrap the three functions so that each call writes a line to ``path``."""
    from streamlit.runtime.scriptrunner import script_runner

    from common.audit import AuditLog

    write = _writer(path)
    run_script = script_runner.ScriptRunner._run_script
    exec_with_handling = script_runner.exec_func_with_error_handling  # type: ignore[attr-defined]
    record = AuditLog.record

    def timed_request(self: Any, rerun_data: Any) -> None:
        started, cpu = time.time(), time.thread_time()
        try:
            run_script(self, rerun_data)
        finally:
            write(
                {
                    "type": "request",
                    "session": self._session_id,
                    "start": started,
                    "seconds": time.time() - started,
                    "cpu_seconds": time.thread_time() - cpu,
                    "fragment": bool(rerun_data.fragment_id_queue or rerun_data.fragment_id),
                    "auto": bool(rerun_data.is_auto_rerun),
                }
            )

    def timed_exec(func: Any, ctx: Any) -> Any:
        started = time.time()
        result = exec_with_handling(func, ctx)
        uncaught = result[4]
        write(
            {
                "type": "run",
                "session": ctx.session_id,
                "user": _user(ctx),
                "page": _page(ctx),
                "start": started,
                "seconds": time.time() - started,
                "rerun": result[2] is not None,
                "exception": "".join(traceback.format_exception(uncaught))[-2000:] if uncaught else "",
            }
        )
        return result

    def timed_record(self: Any, **fields: Any) -> int:
        started = time.time()
        try:
            entry = record(self, **fields)
        except BaseException as exc:
            write({"type": "audit", "user": fields.get("user"), "action": fields.get("action"), "error": repr(exc)})
            raise
        write(
            {
                "type": "audit",
                "user": fields.get("user"),
                "action": fields.get("action"),
                "outcome": fields.get("outcome"),
                "id": entry,
                "start": started,
                "seconds": time.time() - started,
            }
        )
        return entry

    script_runner.ScriptRunner._run_script = timed_request  # type: ignore[method-assign]
    script_runner.exec_func_with_error_handling = timed_exec  # type: ignore[attr-defined]
    AuditLog.record = timed_record  # type: ignore[method-assign]


def main() -> None:
    log_path, *streamlit_args = sys.argv[1:]
    install(log_path)
    from streamlit.web.cli import main as streamlit_main

    sys.argv = ["streamlit", *streamlit_args]
    streamlit_main()


if __name__ == "__main__":
    main()
