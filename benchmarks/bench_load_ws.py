"""The load test without a browser: many signed-in sessions over Streamlit's websocket, from one process.

    python benchmarks/bench_load_ws.py                          # 50 sessions, at most 4 minutes
    python benchmarks/bench_load_ws.py --sessions 2 --minutes 0.5 --actions 8   # a smoke run

``bench_load.py`` drives a headless chromium context per session, and 50 of them do not fit a
2-core machine (most never load the page), so its 50-session figures measure chromium, not the
server. This driver does the same work per role with :mod:`ws_client` instead, a client of
Streamlit's own protocol (cookies, XSRF token, widget states, the one-use session claim), so the
server meets 50 or more real signed-in sessions while the client costs little:

- analyst: a search by name (the search form), the first hit's profile (its row selected, Open
  profile pressed), the network by the profile's link, a licensing check, the hotspot map;
- licensing officer: a licensing check (licence number, VRM, name or premises), another subject of
  the hits, the national register check of an applicant;
- strategic lead: the hotspot map by quarter, the management information, the map.

The store, the users (``load-<role>-NN``), the timed server (``load_server.py``), the audit checks
and the report are ``bench_load.py``'s. An error is an exception element, an error alert with the
app's refusal text, a page found signed out, a lost connection, or a run not finished within
``--timeout``. The client draws nothing and runs no JavaScript: the network chart and the map are
components (iframes) whose drawing in a browser is not measured, and the client time is the time
from sending the request to the end of the run, not to pixels on screen.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import datetime as dt
import json
import logging
import os
import random
import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from rich.console import Console

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench_load import (  # noqa: E402 (after the path is set)
    LICENSING_BOX,
    PASSWORD,
    PURPOSE,
    SEARCH_BOX,
    Action,
    Inputs,
    Sampler,
    audit_head,
    audit_rows,
    cli,
    ensure_store,
    ensure_users,
    load_users,
    print_report,
    read_inputs,
    read_server_log,
    report,
    start_server,
)
from ws_client import ProtocolError, Run, StreamlitSession  # noqa: E402

log = logging.getLogger(__name__)
ERROR_ALERT = 1  # Alert.Format.ERROR
# the app's refusals, and its message for a failure it caught (app/main.py shows it instead of a traceback)
REFUSALS = (
    "Sign in first.",
    "Give the purpose of this session first.",
    "is not available to",
    "something failed on the server",
)
FIRST_PAGE = {"analyst": "Search", "licensing": "Licensing check", "strategic": "Hotspot map"}


class Failed(Exception):
    """What went wrong in an action, as the report should say it."""


class WsSession:
    """One signed-in user doing what their role does, over the websocket protocol."""

    def __init__(self, number: int, role: str, user: str, args: argparse.Namespace, inputs: Inputs) -> None:
        self.number, self.role, self.user = number, role, user
        self.args, self.inputs = args, inputs
        self.rng = random.Random(args.seed * 1000 + number)
        self.actions: list[Action] = []
        self.blocked: list[str] = []  # the report's field; nothing leaves loopback here
        self.client: StreamlitSession | None = None
        self.page = ""
        self.hits = False  # the last search found something
        self.seen: list[str] = []  # entity ids of networks opened, for one when no profile is open
        self.trade_rows = 0
        self.subjects = 0

    def moves(self) -> list[Callable[[], Awaitable[None]]]:
        if self.role == "analyst":
            return [self.search, self.profile, self.network, self.licence, self.map]
        if self.role == "licensing":
            return [self.licence, self.other_subject, self.register]
        return [self.quarter, self.dashboard, self.map]

    async def run(self, url: str, deadline: float) -> None:
        self.client = StreamlitSession(url, timeout=self.args.timeout)
        try:
            await self.act("sign in", self.sign_in)
            if self.actions[-1].error:
                return
            moves, done = self.moves(), 1
            while done < self.args.actions and time.time() < deadline:
                await asyncio.sleep(self.args.think * self.rng.uniform(0.5, 1.5))
                await moves[(done - 1) % len(moves)]()
                done += 1
                if self.actions and self.actions[-1].error.startswith(("signed out", "connection")):
                    return
            await self.act("sign out", self.sign_out)
        finally:
            await self.client.close()

    async def act(self, kind: str, step: Callable[[], Awaitable[int]]) -> None:
        action = Action(self.number, self.user, kind, time.time())
        self.actions.append(action)
        try:
            action.expected_rows = await step()
            action.end = time.time()
        except (Failed, ProtocolError) as exc:
            action.end = time.time()
            action.error = str(exc)[:300] or type(exc).__name__
            # what the page shows now is not known: the next action opens its page afresh, so that one
            # error is not counted again as a missing form (as a person would reload the page)
            self.page = ""

    def _c(self) -> StreamlitSession:
        assert self.client is not None
        return self.client

    def check(self, run: Run, kind: str, heading: str | None = None) -> Run:
        """Errors on the page a run drew: an exception, a refusal, the sign-in page, or the wrong page."""
        if exceptions := run.exceptions():
            raise Failed("an exception is shown: " + exceptions[0][:200])
        if run.status == 1:
            raise Failed("the script did not compile")
        for text in run.alerts(ERROR_ALERT):
            if any(r in text for r in REFUSALS):
                raise Failed(f"shown: {text[:120]}")
        if kind != "sign out" and run.widget("text_input", "User name") is not None:
            raise Failed("signed out: the sign-in page is shown")
        if heading is not None and heading not in run.headings():
            raise Failed(f"not the {heading!r} page: headings {run.headings()[:3]}")
        return run

    async def _open(self, page: str, heading: str, query: str = "") -> Run:
        run = self.check(await self._c().open_page(page, query), "open", heading)
        self.page = page
        return run

    # -- every role

    async def sign_in(self) -> int:
        c = self._c()
        await c.open("/", fragments=not self.args.no_fragments)
        run = await c.rerun()
        if run.widget("text_input", "User name") is None:
            raise Failed(f"no sign-in form: {run.headings()}")
        run = await c.submit("Sign in", {"User name": self.user, "Password": PASSWORD})
        if run.widget("text_input", "Purpose") is None:
            raise Failed(f"not signed in: {run.texts()[:3]}")
        if not await c.claim(run):
            raise Failed("no session claim on the page after signing in")
        run = await c.submit("Continue", {"Purpose": PURPOSE})
        self.check(run, "sign in", FIRST_PAGE[self.role])
        self.page = {"analyst": "search", "licensing": "licensing", "strategic": "hotspot-map"}[self.role]
        return 1 + (self.role == "strategic")  # "sign in"; the strategic lead's first page is the map

    async def sign_out(self) -> int:
        run = await self._c().click("Sign out")
        if run.widget("text_input", "User name") is None:
            raise Failed("not signed out")
        return 1

    # -- analyst

    async def search(self) -> None:
        async def step() -> int:
            if self.page != "search":
                await self._open("search", "Search")
            run = self.check(await self._c().submit("Search", {SEARCH_BOX: self.rng.choice(self.inputs.names)}), "")
            if run.tables():
                self.hits = True
            elif run.has_text("Nothing matches."):
                self.hits = False
            else:
                raise Failed("neither hits nor 'Nothing matches.' shown")
            return 1  # "search"

        await self.act("search", step)

    async def profile(self) -> None:
        """The first hit's profile, as a person opens it: select its row, press Open profile."""
        if not self.hits or self.page != "search":
            return
        self.hits = False

        async def step() -> int:
            c = self._c()
            run = self.check(await c.select_row(0), "")  # the page reruns with the same hits, searching nothing
            if run.widget("button", "Open profile") is None:
                raise Failed("no 'Open profile' after selecting the first hit")
            run = self.check(await c.click("Open profile"), "", "Profile and timeline")
            self.page = "profile"
            if not run.has_text("Timeline"):
                raise Failed("no timeline on the profile")
            return 1  # "profile"

        await self.act("profile", step)

    async def network(self) -> None:
        """The network around the profile's entity, by the profile's link (or an entity seen before)."""
        if self.page != "profile" and not self.seen:
            return

        async def step() -> int:
            c = self._c()
            if self.page == "profile":
                run = self.check(await c.follow("Open network around it"), "open", "Network")
                self.page = "network"
                found = re.search(r"(?:^|&)entity=([^&]+)", run.query_string)
                if found:
                    self.seen = [*self.seen, found.group(1)][-30:]
            else:
                run = await self._open("network", "Network", f"entity={self.rng.choice(self.seen)}")
            if not run.has_text("Centred on"):
                raise Failed("no 'Centred on' on the network page")
            return 1  # "network"

        await self.act("network", step)

    # -- licensing (officers and analysts)

    async def licence(self) -> None:
        async def step() -> int:
            if self.page != "licensing":
                await self._open("licensing", "Licensing check")
            text = self.rng.choice(self.inputs.licensing)
            self._c().forget("selectbox", "Subject")  # a new search lists new subjects, the first chosen
            run = self.check(await self._c().submit("Check", {LICENSING_BOX: text}), "")
            found = next((t for t in run.texts() if re.match(r"^\d+ licensed subject\(s\) found", t)), None)
            if found is not None:
                self.subjects = int(found.split()[0])
                if not run.has_text("concern level"):
                    raise Failed("no concern level shown for the first subject")
                self.trade_rows = 2  # "licensing search" and "licensing check" of the first subject
            elif run.has_text("No licensed driver, vehicle, operator or premises matches."):
                self.subjects = 0
                # "licensing search", a name's register look-up, the rows set aside at ingest
                name = any(c.isalpha() for c in text) and not any(c.isdigit() for c in text)
                self.trade_rows = 2 + name
            else:
                raise Failed("neither subjects nor 'No licensed ... matches.' shown")
            # a check pressed reads (and records) only its own tab: the register tab's answer is kept
            return self.trade_rows

        await self.act("licensing check", step)

    async def other_subject(self) -> None:
        if self.subjects < 2 or self.page != "licensing":
            return

        async def step() -> int:
            run = self.check(await self._c().choose("Subject", 1), "")
            if not run.has_text("concern level"):
                raise Failed("no concern level shown for the subject chosen")
            return 1  # "licensing check" of the subject chosen (the search is not read again)

        await self.act("other subject", step)

    async def register(self) -> None:
        async def step() -> int:
            if self.page != "licensing":
                await self._open("licensing", "Licensing check")
            name, born = self.rng.choice(self.inputs.applicants)
            fields = {"Applicant's name": name, "Applicant's date of birth (dd/mm/yyyy)": born}
            run = self.check(await self._c().submit("Check the register", fields), "")
            if not run.has_text("national register decision"):
                raise Failed("no register answer shown")
            # "licensing register check" (the other tab's answer is kept, not read again); when nothing is
            # found under that date of birth, the name is looked up again under any date of birth
            return 1 + run.has_text("No national register decision found for")

        await self.act("register check", step)

    # -- the map and management information

    async def map(self) -> None:
        async def step() -> int:
            run = await self._open("hotspot-map", "Hotspot map")
            if not run.srcdocs():
                raise Failed("no map frame")
            return 1  # "hotspot map"

        await self.act("hotspot map", step)

    async def quarter(self) -> None:
        if self.page != "hotspot-map":
            return

        async def step() -> int:
            last = self._c().last
            box = last.widget("selectbox", "Quarter") if last is not None else None
            if box is None or len(box.options) < 2:
                raise Failed("no quarters to choose")
            run = self.check(await self._c().choose("Quarter", self.rng.randrange(1, len(box.options))), "")
            if not run.srcdocs():
                raise Failed("no map frame")
            return 1  # "hotspot map" for the quarter

        await self.act("map quarter", step)

    async def dashboard(self) -> None:
        async def step() -> int:
            await self._open("dashboard", "Management information")
            return 1  # "dashboard"

        await self.act("dashboard", step)


async def drive(
    url: str, sessions: list[WsSession], minutes: float, ramp: float, console: Console
) -> tuple[float, float]:
    started = time.time()
    deadline = started + minutes * 60

    async def one(s: WsSession, delay: float) -> None:
        await asyncio.sleep(delay)
        try:
            await asyncio.wait_for(s.run(url, deadline), timeout=minutes * 60 + 300)
        except TimeoutError:
            s.actions.append(Action(s.number, s.user, "session", time.time(), time.time(), 0, "session cap passed"))

    gap = ramp / max(1, len(sessions))
    await asyncio.gather(*(one(s, i * gap) for i, s in enumerate(sessions)))
    ended = time.time()
    console.print(f"{len(sessions)} sessions done in {ended - started:.0f} s")
    return started, ended


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=4.0, help="wall-clock cap: no action starts after it")
    parser.add_argument("--actions", type=int, default=40, help="actions per session, signing in included")
    parser.add_argument("--store", type=Path, default=Path("/tmp/bench100k"))
    parser.add_argument("--app-db", type=Path, default=None, help="users and audit log (default <store>/load/app.db)")
    parser.add_argument("--people", type=int, default=100_000, help="the world to build when --store holds none")
    parser.add_argument("--mix", default="analyst=3,licensing=1,strategic=1", help="roles of the sessions, by weight")
    parser.add_argument("--think", type=float, default=3.0, help="mean pause between a session's actions, s")
    parser.add_argument("--ramp", type=float, default=30.0, help="sessions start evenly over this many seconds")
    parser.add_argument("--timeout", type=float, default=120.0, help="an action not done in this many s is an error")
    parser.add_argument("--no-fragments", action="store_true", help="do not rerun the idle watch on its timer")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    console = Console()
    args.load_before = [round(x, 2) for x in os.getloadavg()]
    args.client = "ws"
    env = ensure_store(args.store, args.people, console)
    if args.app_db is not None:
        env["DISRUPT_APP_DB"] = str(args.app_db.resolve())
    users = load_users(args.sessions, args.mix)
    ensure_users(env, users)
    inputs = read_inputs(env["DISRUPT_STORE"], random.Random(args.seed))
    run_dir = args.store / "load" / f"run-ws-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}"
    run_dir.mkdir(parents=True)
    app_db = Path(env["DISRUPT_APP_DB"])
    head = audit_head(app_db)
    server_log = run_dir / "server.jsonl"
    proc = start_server(env, args.port, server_log)
    sampler = Sampler(proc.pid)
    sampler.start()
    sessions = [WsSession(i + 1, role, user, args, inputs) for i, (user, role) in enumerate(users)]
    cpu_before = time.process_time()
    try:
        window = asyncio.run(drive(f"http://127.0.0.1:{args.port}", sessions, args.minutes, args.ramp, console))
    finally:
        sampler.stop.set()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    client_cpu = time.process_time() - cpu_before
    verify = cli(env, "audit", "verify")
    result = report(sessions, read_server_log(server_log), audit_rows(app_db, head), verify, sampler, window, args)  # type: ignore[arg-type]
    # the client is this process (no child processes): its own CPU and peak memory
    result["resources"]["client_process"] = {
        "cpu_seconds": round(client_cpu, 1),
        "cpu_percent_mean": round(100 * client_cpu / max(1.0, window[1] - window[0]), 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    # the app catches a failing page itself (app/main.py logs it and shows a plain message), so such a
    # fault is not an uncaught exception in the run lines: count it from the server's log
    out = (run_dir / "server.out").read_text(errors="replace").split("\n")
    faults = [i for i, line in enumerate(out) if "a page failed at" in line]
    causes = [next((x for x in out[i + 1 : i + 80] if re.match(r"^[\w.]+(Error|Exception)\b", x)), "?") for i in faults]
    result["server_caught_faults"] = {"count": len(faults), "causes": dict(collections.Counter(causes))}
    clients = [s.client for s in sessions if s.client is not None]
    failures = [f for c in clients for f in c.fragment_failures]
    # the idle watch each signed-in page reruns on its timer, as a browser's page does
    result["timed_fragment_reruns"] = {
        "runs": sum(c.fragment_runs for c in clients),
        "failed": len(failures),
        "failures": failures[:10],
    }
    result["actions_log"] = [dataclasses.asdict(a) for s in sessions for a in s.actions]
    (run_dir / "result.json").write_text(json.dumps(result, indent=1, default=str))
    print_report(result, console)
    cp = result["resources"]["client_process"]
    console.print(
        f"client (this process): {cp['cpu_seconds']} s CPU, mean {cp['cpu_percent_mean']}% of a core, "
        f"max RSS {cp['max_rss_mb']} MB; timed fragment reruns {result['timed_fragment_reruns']['runs']}, "
        f"failed {result['timed_fragment_reruns']['failed']}; pages failed on the server (caught) "
        f"{result['server_caught_faults']}"
    )
    console.print(f"Everything in {run_dir / 'result.json'}")


if __name__ == "__main__":
    main()
