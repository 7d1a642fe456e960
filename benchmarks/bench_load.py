"""A load test: many signed-in browser sessions using the app at once against the 100,000-person store.

    python benchmarks/bench_load.py                          # 50 sessions, at most 4 minutes
    python benchmarks/bench_load.py --sessions 5 --minutes 0.5 --actions 12   # a smoke run

Each session is a browser context in one headless chromium (Playwright), signed in over
Streamlit's websocket on loopback as a user of its own, and does what a person does, with a pause
between actions: an analyst types a search, opens the first hit's profile, opens the network
around it, clicks a node and expands it, checks a licence and opens the hotspot map; a licensing
officer checks licences and vehicles, picks another subject and checks an applicant against the
national register; a strategic lead reads the hotspot map by quarter and the management
information. Every session stops after ``--actions`` actions or when ``--minutes`` have passed,
whichever is first, and signs out.

The store is built once with the project's CLI (``disrupt demo --people N --no-serve``: generate,
ingest, resolve, analyse) in ``--store`` and reused. Users ``load-<role>-NN`` are added with
``disrupt users add`` to an app database of the load test's own (``<store>/load/app.db``).

The server is ``disrupt app``'s Streamlit command started through ``load_server.py``, which times
every script run and audit write in memory (the app's files are not changed). Afterwards:

- errors: any Streamlit exception block on a page, a session found signed out that did not sign out,
  a lost connection, an action that did not finish within ``--timeout`` seconds;
- audit: the rows each session should have written (counted by the client from what it did, one per
  view, search or check the page runs) against the rows ``app.db`` holds for its user, every id the
  server's audit writes returned found in ``app.db``, and ``disrupt audit verify``;
- server time per action (the session's script runs during the action) and per page, client time
  (click to drawn), CPU and memory of the server and of chromium, the load average.

Prints a table and writes everything to ``<store>/load/run-<time>/result.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import logging
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, Route, async_playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Request as PWRequest
from rich.console import Console
from rich.table import Table

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
PASSWORD = "load test password, synthetic data only"
PURPOSE = "LOAD-TEST-1 concurrent sessions benchmark"
CHROMIUM = os.environ.get("DISRUPT_TEST_CHROMIUM", "/usr/bin/chromium")
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
SEARCH_BOX = "Name, reference, VRM, phone, licence number or address"
LICENSING_BOX = "Licence number, VRM, name or address"
NETWORK = "iframe[title*='disrupt_network']"
MAP = "iframe[srcdoc]"
# Counts the times the page's script state leaves "notRunning" (a run requested or running), so an
# action waits for the run its click started to finish, not for the state before the click.
WATCH_RUNS = """
(() => {
  window.__runs = 0;
  let last = 'initial';
  // watch the whole document: Streamlit may draw its app element again, which a watcher on it would miss
  new MutationObserver(() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const now = app ? app.dataset.testScriptState : last;
    if (now !== last && last === 'notRunning') { window.__runs += 1; }
    last = now;
  }).observe(document, {
    attributes: true, subtree: true, childList: true, attributeFilter: ['data-test-script-state'],
  });
})();
"""
IDLE = (
    "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
    " return a && a.dataset.testScriptState === 'notRunning'; }"
)
RAN_SINCE = (
    "(n) => { const a = document.querySelector('[data-testid=\"stApp\"]');"
    " return window.__runs > n && a && a.dataset.testScriptState === 'notRunning'; }"
)


# -- what the sessions type: values read from the store, as a person would read them off a report


@dataclasses.dataclass(frozen=True)
class Inputs:
    names: tuple[str, ...]  # people, half of them members of the groups the analysis found
    licensing: tuple[str, ...]  # licence labels, licence numbers, VRMs and premises names
    applicants: tuple[tuple[str, str], ...]  # name and date of birth (dd/mm/yyyy)


def read_inputs(store_url: str, rng: random.Random) -> Inputs:
    from graph import open_store

    store = open_store(store_url)
    try:
        groups = store.read_results("groups")
        flags = store.read_results("flags")
        assert groups is not None and flags is not None, "the store has not been analysed"
        members = sorted({str(m["label"]) for g in groups.rows for m in g.get("members", []) if m.get("label")})
        people = [
            e
            for e in store.records_of_kind("Person")
            if e.merged_into is None and "1900" < e.properties.get("date_of_birth", "") < "2006"
        ]
        vehicles = [str(e.properties["vrm"]) for e in store.records_of_kind("Vehicle") if e.properties.get("vrm")]
        licences = [str(e.properties["number"]) for e in store.records_of_kind("Licence") if e.properties.get("number")]
    finally:
        store.close()
    chosen = rng.sample(members, min(200, len(members))) + [e.label for e in rng.sample(people, 200)]
    rng.shuffle(chosen)
    trade = (
        [str(r["label"]) for r in rng.sample(list(flags.rows), 150)]
        + rng.sample(licences, 100)
        + [f"{v[:4]} {v[4:]}" for v in rng.sample(vehicles, 50)]  # a VRM as people write it
    )
    rng.shuffle(trade)
    applicants = [
        (e.label, dt.date.fromisoformat(e.properties["date_of_birth"]).strftime("%d/%m/%Y"))
        for e in rng.sample(people, 100)
    ]
    return Inputs(tuple(chosen), tuple(trade), tuple(applicants))


# -- the store, the users and the server


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("disrupt")), *args]
    return subprocess.run(command, env=env, input=stdin, capture_output=True, text=True, check=False)


def ensure_store(folder: Path, people: int, console: Console) -> dict[str, str]:
    """The environment for a store of ``people`` in ``folder``, built with ``disrupt demo`` unless already there."""
    env = {
        **os.environ,
        "DISRUPT_DATA_DIR": str(folder),
        "DISRUPT_STORE": f"sqlite:///{folder / 'graph.db'}",
        "DISRUPT_APP_DB": str(folder / "load" / "app.db"),
        "DISRUPT_BOUNDARIES": str(folder / "boundaries" / "wards.geojson"),
    }
    if not (folder / "boundaries" / "wards.geojson").is_file():
        console.print(f"Building the {people:,}-person store in {folder} (several minutes, once) ...")
        done = cli(env, "demo", "--people", str(people), "--no-serve", "--quiet")
        if done.returncode != 0:
            raise SystemExit(f"disrupt demo failed:\n{done.stdout}\n{done.stderr}")
    (folder / "load").mkdir(exist_ok=True)
    return env


def ensure_users(env: dict[str, str], users: Iterable[tuple[str, str]]) -> None:
    from app.accounts import Accounts
    from common.app_db import open_app_db

    db = open_app_db(Path(env["DISRUPT_APP_DB"]))
    have = {name for name, _ in users if Accounts(db).get(name) is not None}
    db.close()

    def add(name: str, role: str) -> None:
        done = cli(env, "users", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
        if done.returncode != 0:
            raise SystemExit(f"disrupt users add {name} failed:\n{done.stdout}\n{done.stderr}")

    with ThreadPoolExecutor(4) as pool:  # each is a process start and an argon2 hash
        list(pool.map(lambda user: add(*user), [u for u in users if u[0] not in have]))


def start_server(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
    from disrupt.commands_app import streamlit_command

    command = streamlit_command("127.0.0.1", port)
    assert command[1:3] == ["-m", "streamlit"], command
    # the same arguments as `disrupt app`, with the timing wrapper in front of Streamlit's own CLI
    wrapped = [sys.executable, str(HERE / "load_server.py"), str(log_path), *command[3:]]
    out = open(log_path.with_name("server.out"), "wb")  # noqa: SIM115 (the server's output, for its life)
    proc = subprocess.Popen(wrapped, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
        if proc.poll() is not None:
            raise SystemExit(f"the app server exited ({proc.returncode}); see {log_path.with_name('server.out')}")
    raise SystemExit("the app server did not answer within 2 minutes")


# -- a session, doing what a person does


@dataclasses.dataclass
class Action:
    session: int
    user: str
    kind: str
    start: float
    end: float = 0.0
    expected_rows: int = 0
    error: str = ""


class Failed(Exception):
    """What went wrong in an action, as the report should say it."""


class Session:
    def __init__(self, number: int, role: str, user: str, args: argparse.Namespace, inputs: Inputs, run_dir: Path):
        self.number, self.role, self.user = number, role, user
        self.args, self.inputs, self.run_dir = args, inputs, run_dir
        self.rng = random.Random(args.seed * 1000 + number)
        self.actions: list[Action] = []
        self.page: Page | None = None
        self.blocked: list[str] = []
        self.signed_out_by_us = False
        # audit rows each rerun of the licensing page writes again while its boxes hold text: the trade
        # tab's search and check, and the register tab's check (each form keeps what was typed)
        self.trade_rows = 0
        self.register_rows = 0
        self.found_subjects = 0
        self.network_nodes: list[str] = []
        self.centre = ""

    # the moves of each role, in the order a person makes them
    def moves(self) -> list[Callable[[], Awaitable[None]]]:
        if self.role == "analyst":
            return [self.search, self.profile, self.network, self.select_node, self.expand, self.licence, self.map]
        if self.role == "licensing":
            return [self.licence, self.other_subject, self.register]
        return [self.quarter, self.dashboard, self.map]

    async def run(self, url: str, browser: Browser, deadline: float) -> None:
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            await context.add_init_script(WATCH_RUNS)
            await self._route(context)
            self.page = await context.new_page()
            self.page.set_default_timeout(self.args.timeout * 1000)
            await self.act("sign in", self.sign_in, url)
            if self.actions[-1].error:
                return
            moves = self.moves()
            done = 1
            while done < self.args.actions and time.time() < deadline:
                await asyncio.sleep(self.args.think * self.rng.uniform(0.5, 1.5))
                move = moves[(done - 1) % len(moves)]
                await move()
                done += 1
                if self.actions[-1].error.startswith("signed out"):
                    return
            await self.act("sign out", self.sign_out)
        finally:
            await context.close()

    async def _route(self, context: BrowserContext) -> None:
        async def only_local(route: Route, request: PWRequest) -> None:
            if request.url.startswith(LOCAL):
                await route.continue_()
            else:
                self.blocked.append(request.url)
                await route.abort()

        await context.route("**/*", only_local)

    async def act(self, kind: str, step: Callable[..., Awaitable[int]], *args: Any) -> None:
        """Time one action, note the audit rows it should have written, and look for errors on screen."""
        action = Action(self.number, self.user, kind, time.time())
        self.actions.append(action)
        try:
            action.expected_rows = await step(*args)
            action.end = time.time()
            await self._check_screen(kind)
        except (Failed, PlaywrightError, TimeoutError) as exc:
            action.end = action.end or time.time()
            action.error = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
            await self._shot(kind)
            with contextlib.suppress(PlaywrightError):  # let the run it started finish before the next action
                await self._idle()

    async def _check_screen(self, kind: str) -> None:
        page = self._page()
        if await page.locator("[data-testid='stException']").count():
            raise Failed(
                "an exception block is shown: "
                + (await page.locator("[data-testid='stException']").first.inner_text())[:200]
            )
        if await page.get_by_text("This app has encountered an error").count():
            raise Failed("Streamlit's error message is shown")
        state = await page.locator("[data-testid='stApp']").get_attribute("data-test-connection-state")
        if state not in (None, "CONNECTED"):
            raise Failed(f"connection state {state}")
        if kind != "sign out" and await page.get_by_role("textbox", name="User name").count():
            raise Failed("signed out: the sign-in page is shown")
        for text in ("Sign in first.", "Give the purpose of this session first.", "is not available to"):
            if await page.get_by_text(text).count():
                raise Failed(f"shown: {text}")

    async def _shot(self, kind: str) -> None:
        shots = sorted(self.run_dir.glob("error-*.png"))
        if self.page is not None and len(shots) < 12:
            name = f"error-{self.number:02d}-{len(self.actions):02d}-{re.sub(r'[^a-z]+', '-', kind)}.png"
            with contextlib.suppress(PlaywrightError):
                await self.page.screenshot(path=str(self.run_dir / name), timeout=20000)

    def _page(self) -> Page:
        assert self.page is not None
        return self.page

    async def _runs(self) -> int:
        return int(await self._page().evaluate("window.__runs || 0"))

    async def _settled(self, runs_before: int) -> None:
        """Wait for the run a click started to finish (the script state left notRunning, came back)."""
        await self._page().wait_for_function(RAN_SINCE, arg=runs_before, timeout=self.args.timeout * 1000)

    async def _idle(self) -> None:
        await self._page().wait_for_function(IDLE, timeout=self.args.timeout * 1000)

    async def _go(self, link: str, heading: str) -> None:
        page = self._page()
        runs = await self._runs()
        await page.get_by_role("link", name=link, exact=True).click()
        await page.get_by_role("heading", name=heading, exact=True).wait_for()
        await self._settled(runs)

    # -- every role

    async def sign_in(self, url: str) -> int:
        page = self._page()
        await page.goto(url)
        await page.get_by_role("textbox", name="User name").fill(self.user)
        await page.get_by_role("textbox", name="Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.get_by_role("textbox", name="Purpose").fill(PURPOSE)
        await page.get_by_role("button", name="Continue").click()
        await page.get_by_text(self.user).first.wait_for()
        first = {"analyst": "Search", "licensing": "Licensing check", "strategic": "Hotspot map"}[self.role]
        await page.get_by_role("heading", name=first, exact=True).wait_for()
        if self.role == "strategic":
            await self._map_drawn()
        await self._idle()
        # "sign in"; a strategic lead's first page is the hotspot map, which records its view
        return 1 + (self.role == "strategic")

    async def sign_out(self) -> int:
        page = self._page()
        self.signed_out_by_us = True
        await page.get_by_role("button", name="Sign out").click()
        await page.get_by_role("textbox", name="User name").wait_for()
        return 1

    # -- analyst

    async def search(self) -> None:
        async def step() -> int:
            page = self._page()
            if not await page.get_by_role("heading", name="Search", exact=True).count():
                await self._go("Search", "Search")
            runs = await self._runs()
            await page.get_by_role("textbox", name=SEARCH_BOX).fill(self.rng.choice(self.inputs.names))
            await page.get_by_role("button", name="Search", exact=True).click()
            await self._settled(runs)
            found = page.locator("[data-testid='stDataFrame'] [role=gridcell]").first
            none = page.get_by_text("Nothing matches.")
            await found.or_(none).first.wait_for(state="attached")
            self.found_subjects = int(await found.count())
            return 1  # "search"

        await self.act("search", step)

    async def profile(self) -> None:
        if not self.found_subjects:
            return
        self.found_subjects = 0

        async def step() -> int:
            page = self._page()
            grid = page.locator("[data-testid='stDataFrame']").first
            await grid.scroll_into_view_if_needed()
            runs = await self._runs()
            await grid.click(position={"x": 15, "y": 35 + 17})  # the first hit's box
            await self._settled(runs)  # the page reruns with the same hits, searching nothing again
            runs = await self._runs()
            await page.get_by_role("button", name="Open profile").click()
            await page.get_by_role("heading", name="Profile and timeline", exact=True).wait_for()
            await page.get_by_text("Timeline", exact=True).wait_for()
            await self._settled(runs)
            return 1  # "profile"

        await self.act("profile", step)

    async def network(self) -> None:
        page = self._page()
        if not await page.get_by_role("link", name="Open network around it").count():
            return

        async def step() -> int:
            runs = await self._runs()
            await page.get_by_role("link", name="Open network around it").click()
            await page.get_by_text("Centred on").wait_for()
            self.network_nodes = await self._drawn()
            self.centre = re.sub(r".*entity=([^&]+).*", r"\1", page.url)
            await self._settled(runs)
            return 2  # the profile page's rerun ("profile") and the network ("network")

        await self.act("network", step)

    async def _drawn(self) -> list[str]:
        frame = self._page().frame_locator(NETWORK)
        await frame.locator("body[data-settled='1']").wait_for()
        ids: list[str] = await frame.locator("#net canvas").evaluate(
            "c => window.disruptNetwork.body.data.nodes.getIds()"
        )
        return ids

    async def select_node(self) -> None:
        page = self._page()
        others = [n for n in self.network_nodes if n != self.centre and n not in self.centre]
        if not others or not await page.get_by_text("Centred on").count():
            return

        async def step() -> int:
            frame = page.frame_locator(NETWORK)
            canvas = frame.locator("#net canvas")
            for node in self.rng.sample(others, min(3, len(others))):
                where = await canvas.evaluate(
                    "(c, id) => { const n = window.disruptNetwork; return n.canvasToDOM(n.getPositions([id])[id]); }",
                    node,
                )
                size = await canvas.bounding_box()
                if size is None or not (5 < where["x"] < size["width"] - 5 and 5 < where["y"] < size["height"] - 5):
                    continue
                hit = await canvas.evaluate("(c, p) => window.disruptNetwork.getNodeAt(p)", where)
                if hit is None:
                    continue  # another node or nothing drawn there: a click would select it, or nothing
                runs = await self._runs()
                await canvas.click(position={"x": where["x"], "y": where["y"]})
                await page.get_by_text("Selected:").wait_for()
                await self._settled(runs)
                return 1  # the network page's rerun with the node selected ("network")
            raise Failed("no node of the chart could be clicked")

        await self.act("select node", step)

    async def expand(self) -> None:
        page = self._page()
        if not await page.get_by_role("button", name="Expand around it").count():
            return

        async def step() -> int:
            runs = await self._runs()
            await page.get_by_role("button", name="Expand around it").click()
            await page.get_by_text("Expanded: its neighbours are drawn.").wait_for()
            await page.frame_locator(NETWORK).locator("body[data-settled='1']").wait_for()
            await self._settled(runs)
            return 2  # the button's rerun and the rerun with the expansion in the address ("network" twice)

        await self.act("expand", step)

    # -- licensing (officers and analysts)

    async def licence(self) -> None:
        async def step() -> int:
            page = self._page()
            if not await page.get_by_role("heading", name="Licensing check", exact=True).count():
                await self._go("Licensing check", "Licensing check")
                self.trade_rows = self.register_rows = 0
            await page.get_by_role("tab", name="Licensed driver, vehicle, operator or premises").click()
            runs = await self._runs()
            text = self.rng.choice(self.inputs.licensing)
            await page.get_by_role("textbox", name=LICENSING_BOX).fill(text)
            await page.get_by_role("button", name="Check", exact=True).click()
            await self._settled(runs)
            found = page.get_by_text(re.compile(r"^\d+ licensed subject\(s\) found")).first
            none = page.get_by_text("No licensed driver, vehicle, operator or premises matches.")
            await found.or_(none).first.wait_for()
            self.found_subjects = int((await found.inner_text()).split()[0]) if await found.count() else 0
            if self.found_subjects:
                await page.get_by_text("concern level").first.wait_for()
                self.trade_rows = 2  # one run: "licensing search" and "licensing check" of the first subject
            else:
                # "licensing search"; a name (letters, no digits) is looked up in the national register
                # too; and the licensing rows set aside at ingest are shown, and recorded
                name = any(c.isalpha() for c in text) and not any(c.isdigit() for c in text)
                self.trade_rows = 2 + name
            return self.trade_rows + self.register_rows

        await self.act("licensing check", step)

    async def other_subject(self) -> None:
        if self.found_subjects < 2:
            return

        async def step() -> int:
            page = self._page()
            runs = await self._runs()
            await page.get_by_role("combobox", name="Subject").click()
            await page.get_by_role("option").nth(1).click()
            await self._settled(runs)
            await page.get_by_text("concern level").first.wait_for()
            # the page runs again: the search, the newly chosen subject's check and any register check
            return self.trade_rows + self.register_rows

        await self.act("other subject", step)

    async def register(self) -> None:
        async def step() -> int:
            page = self._page()
            await page.get_by_role("tab", name="Applicant: national register").click()
            name, born = self.rng.choice(self.inputs.applicants)
            await page.get_by_role("textbox", name="Applicant's name").fill(name)
            await page.get_by_role("textbox", name="Applicant's date of birth (dd/mm/yyyy)").fill(born)
            runs = await self._runs()
            await page.get_by_role("button", name="Check the register").click()
            await self._settled(runs)
            await page.get_by_text(re.compile("national register decision")).first.wait_for()
            # the register check, and the trade tab's search and check again while its box holds text
            self.register_rows = 1
            return 1 + self.trade_rows

        await self.act("register check", step)

    # -- the map (analysts and strategic leads) and management information

    async def _map_drawn(self) -> None:
        frame = self._page().frame_locator(MAP).first
        await frame.locator(".leaflet-overlay-pane canvas, .leaflet-overlay-pane svg").first.wait_for()

    async def map(self) -> None:
        async def step() -> int:
            await self._go("Hotspot map", "Hotspot map")
            await self._map_drawn()
            return 1  # "hotspot map"

        await self.act("hotspot map", step)

    async def quarter(self) -> None:
        page = self._page()
        if not await page.get_by_role("heading", name="Hotspot map", exact=True).count():
            return

        async def step() -> int:
            runs = await self._runs()
            await page.get_by_role("combobox", name="Quarter").click()
            options = page.get_by_role("option")
            await options.nth(self.rng.randrange(1, await options.count())).click()
            await self._settled(runs)
            await self._map_drawn()
            return 1  # "hotspot map" for the quarter

        await self.act("map quarter", step)

    async def dashboard(self) -> None:
        async def step() -> int:
            await self._go("Management information", "Management information")
            return 1  # "dashboard"

        await self.act("dashboard", step)


# -- measuring the machine while the sessions run


class Sampler(threading.Thread):
    """Once a second, from /proc: the server's and chromium's CPU and memory, the machine's CPU, the load average."""

    def __init__(self, server_pid: int) -> None:
        super().__init__(daemon=True)
        self.server = server_pid
        self.samples: list[dict[str, float]] = []
        self.stop = threading.Event()
        self._ticks: dict[int, int] = {}
        self._tick = os.sysconf("SC_CLK_TCK")
        self._page = os.sysconf("SC_PAGE_SIZE")

    @staticmethod
    def _stat(pid: int) -> list[str] | None:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        return text[text.rindex(")") + 2 :].split()  # the fields after the command name

    def _processes(self) -> dict[int, tuple[int, int, int]]:
        """Every process: its parent, CPU ticks so far (user + system) and resident pages."""
        found = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (fields := self._stat(int(entry.name))) is not None:
                found[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[21]))
        return found

    @staticmethod
    def _descendants(root: int, procs: dict[int, tuple[int, int, int]]) -> set[int]:
        children: dict[int, list[int]] = defaultdict(list)
        for pid, (parent, _, _) in procs.items():
            children[parent].append(pid)
        found, todo = set(), [root]
        while todo:
            for child in children[todo.pop()]:
                found.add(child)
                todo.append(child)
        return found

    @staticmethod
    def _machine_ticks() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # all, idle + iowait

    def _cpu(self, pids: Iterable[int], procs: dict[int, tuple[int, int, int]], seconds: float) -> float:
        used = 0
        for pid in pids:
            ticks = procs[pid][1]
            used += ticks - self._ticks.get(pid, ticks)
        return 100.0 * used / self._tick / seconds

    def run(self) -> None:
        procs = self._processes()
        self._ticks = {pid: p[1] for pid, p in procs.items()}
        machine, last = self._machine_ticks(), time.monotonic()
        while not self.stop.wait(1.0):
            procs, now = self._processes(), time.monotonic()
            if self.server not in procs:
                break
            server = {self.server} | self._descendants(self.server, procs)
            client = self._descendants(os.getpid(), procs) - server
            total, idle = self._machine_ticks()
            busy = 1 - (idle - machine[1]) / max(1, total - machine[0])
            self.samples.append(
                {
                    "at": time.time(),
                    "server_cpu_percent": self._cpu(server, procs, now - last),
                    "server_rss_mb": sum(procs[p][2] for p in server) * self._page / 2**20,
                    "client_cpu_percent": self._cpu(client, procs, now - last),
                    "client_rss_mb": sum(procs[p][2] for p in client) * self._page / 2**20,
                    "machine_cpu_percent": 100.0 * busy,
                    "load_1min": os.getloadavg()[0],
                }
            )
            self._ticks = {pid: p[1] for pid, p in procs.items()}
            machine, last = (total, idle), now


# -- the run and its report


def _memory_kb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1])
    return 0


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, nearest rank; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def spread(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": round(percentile(values, 0.5), 3),
        "p95": round(percentile(values, 0.95), 3),
        "max": round(max(values, default=0.0), 3),
    }


def read_server_log(path: Path) -> list[dict[str, Any]]:
    lines = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            lines.append(json.loads(line))
    return lines


def audit_rows(app_db: Path, after: int) -> list[tuple[int, str, str]]:
    db = sqlite3.connect(f"file:{app_db}?mode=ro", uri=True)
    try:
        return [
            (int(i), str(u), str(a))
            for i, u, a in db.execute("SELECT id, user, action FROM audit WHERE id > ?", (after,))
        ]
    finally:
        db.close()


def audit_head(app_db: Path) -> int:
    if not app_db.exists():
        return 0
    db = sqlite3.connect(f"file:{app_db}?mode=ro", uri=True)
    try:
        exists = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'audit'").fetchone()
        return int(db.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]) if exists else 0
    finally:
        db.close()


def load_users(sessions: int, mix_text: str) -> list[tuple[str, str]]:
    """(user name, role) for each session: ``load-<role>-NN``, numbered within each role."""
    counter: dict[str, int] = defaultdict(int)
    users = []
    for role in mix(sessions, mix_text):
        counter[role] += 1
        users.append((f"load-{role}-{counter[role]:02d}", role))
    return users


def mix(sessions: int, text: str) -> list[str]:
    """The role of each session from a mix such as ``analyst=3,licensing=1,strategic=1``."""
    weights = {k: float(v) for k, v in (part.split("=") for part in text.split(","))}
    total = sum(weights.values())
    roles: list[str] = []
    for role, weight in weights.items():
        roles += [role] * round(sessions * weight / total)
    roles = (roles + [next(iter(weights))] * sessions)[:sessions]
    return _interleave(roles)  # so that sessions starting together do different things


def _interleave(roles: list[str]) -> list[str]:
    by_role: dict[str, list[str]] = defaultdict(list)
    for role in roles:
        by_role[role].append(role)
    out: list[str] = []
    while any(by_role.values()):
        for role in list(by_role):
            if by_role[role]:
                out.append(by_role[role].pop())
    return out


async def drive(
    url: str, sessions: list[Session], minutes: float, ramp: float, console: Console
) -> tuple[float, float]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        started = time.time()
        deadline = started + minutes * 60

        async def one(s: Session, delay: float) -> None:
            await asyncio.sleep(delay)
            try:
                await asyncio.wait_for(s.run(url, browser, deadline), timeout=minutes * 60 + 300)
            except TimeoutError:
                s.actions.append(Action(s.number, s.user, "session", time.time(), time.time(), 0, "session cap passed"))

        gap = ramp / max(1, len(sessions))
        await asyncio.gather(*(one(s, i * gap) for i, s in enumerate(sessions)))
        ended = time.time()
        await browser.close()
    console.print(f"{len(sessions)} sessions done in {ended - started:.0f} s")
    return started, ended


def report(
    sessions: list[Session],
    server: list[dict[str, Any]],
    rows: list[tuple[int, str, str]],
    verify: subprocess.CompletedProcess[str],
    sampler: Sampler,
    window: tuple[float, float],
    args: argparse.Namespace,
) -> dict[str, Any]:
    users = {s.user for s in sessions}
    user_of = {line["session"]: line["user"] for line in server if line["type"] == "run" and line.get("user")}
    requests: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in server:
        if line["type"] == "request" and line["session"] in user_of:
            requests[user_of[line["session"]]].append(line)
    actions = [a for s in sessions for a in s.actions]
    failed: dict[str, int] = defaultdict(int)
    for a in actions:
        if a.error:
            failed[a.kind] += 1
    kinds: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"client": [], "server": [], "cpu": []})
    for a in actions:
        if a.error:
            continue
        mine = [r for r in requests[a.user] if not r["fragment"] and a.start - 0.05 <= r["start"] <= a.end]
        kinds[a.kind]["client"].append(a.end - a.start)
        kinds[a.kind]["server"].append(sum(r["seconds"] for r in mine))
        kinds[a.kind]["cpu"].append(sum(r["cpu_seconds"] for r in mine))
    pages: dict[str, list[float]] = defaultdict(list)
    exceptions = []
    for line in server:
        if line["type"] == "run" and line.get("user") in users:
            pages[line["page"] or "?"].append(line["seconds"])
            if line["exception"]:
                exceptions.append(line["exception"])
    audit_lines = [line for line in server if line["type"] == "audit" and line.get("user") in users]
    written: dict[str, int] = defaultdict(int)
    for _, user, _ in rows:
        written[user] += 1
    held_ids = {i for i, _, _ in rows}
    returned = [line["id"] for line in audit_lines if "id" in line]
    audit_errors = [line["error"] for line in audit_lines if "error" in line]
    per_session: list[dict[str, Any]] = []
    for s in sessions:
        expected = sum(a.expected_rows for a in s.actions if not a.error)
        per_session.append(
            {
                "session": s.number,
                "user": s.user,
                "role": s.role,
                "actions": len(s.actions),
                "errors": [f"{a.kind}: {a.error}" for a in s.actions if a.error],
                "audit_expected": expected,
                "audit_written": written[s.user],
                "uncertain": any(a.error for a in s.actions),
                "blocked_requests": len(s.blocked),
            }
        )
    fragments = [r["seconds"] for rs in requests.values() for r in rs if r["fragment"]]
    samples = sampler.samples
    cores = os.cpu_count() or 1
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cores": cores,
            "memory_gb": round(_memory_kb() / 2**20, 1),
            "load_before": args.load_before,
        },
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "load_before"},
        "wall_seconds": round(window[1] - window[0], 1),
        "sessions": len(sessions),
        "actions": len(actions),
        "actions_by_kind": {k: len(v["client"]) for k, v in sorted(kinds.items())},
        "errors": sum(len(p["errors"]) for p in per_session),
        "errors_by_kind": dict(sorted(failed.items())),
        "sessions_with_errors": sum(bool(p["errors"]) for p in per_session),
        "server_exceptions": exceptions[:20],
        "server_exception_count": len(exceptions),
        "audit": {
            "expected": sum(p["audit_expected"] for p in per_session),
            "written": sum(written[u] for u in users),
            "sessions_matching": sum(p["audit_expected"] == p["audit_written"] for p in per_session),
            # an action that failed on screen may still have been run (and audited) by the server later
            "error_free_sessions_matching": sum(
                p["audit_expected"] == p["audit_written"] for p in per_session if not p["errors"]
            ),
            "error_free_sessions": sum(not p["errors"] for p in per_session),
            "returned_ids_missing_from_db": len([i for i in returned if i not in held_ids]),
            "write_errors": audit_errors[:20],
            "write_error_count": len(audit_errors),
            "write_seconds": spread([line["seconds"] for line in audit_lines if "seconds" in line]),
            "verify_exit_code": verify.returncode,
            "verify_output": (verify.stdout + verify.stderr).strip()[-500:],
        },
        "per_action": {
            k: {
                "client_seconds": spread(v["client"]),
                "server_seconds": spread(v["server"]),
                "server_cpu_seconds": spread(v["cpu"]),
            }
            for k, v in sorted(kinds.items())
        },
        "per_page_run_seconds": {k: spread(v) for k, v in sorted(pages.items())},
        "idle_fragment_seconds": spread(fragments),
        "resources": {
            "server_cpu_percent": spread([x["server_cpu_percent"] for x in samples]),
            "server_rss_mb": spread([x["server_rss_mb"] for x in samples]),
            "client_cpu_percent": spread([x["client_cpu_percent"] for x in samples]),
            "client_rss_mb": spread([x["client_rss_mb"] for x in samples]),
            "machine_cpu_percent": spread([x["machine_cpu_percent"] for x in samples]),
            "load_1min": spread([x["load_1min"] for x in samples]),
            "cpu_percent_means": f"100 = one core busy; the machine has {cores}",
        },
        "per_session": per_session,
    }
    return result


def print_report(result: dict[str, Any], console: Console) -> None:
    table = Table(title=f"{result['sessions']} sessions, {result['actions']} actions, {result['wall_seconds']} s")
    for column in ("action", "n", "client p50", "client p95", "client max", "server p50", "server p95", "server max"):
        table.add_column(column, justify="left" if column == "action" else "right")
    for kind, v in result["per_action"].items():
        c, s = v["client_seconds"], v["server_seconds"]
        table.add_row(
            kind,
            str(c["n"]),
            *(f"{c[q]:.2f}" for q in ("p50", "p95", "max")),
            *(f"{s[q]:.2f}" for q in ("p50", "p95", "max")),
        )
    console.print(table)
    pages = Table(title="server: each script run, by page (s)")
    for column in ("page", "runs", "p50", "p95", "max"):
        pages.add_column(column, justify="left" if column == "page" else "right")
    for page, v in result["per_page_run_seconds"].items():
        pages.add_row(page, str(v["n"]), f"{v['p50']:.2f}", f"{v['p95']:.2f}", f"{v['max']:.2f}")
    console.print(pages)
    r, a = result["resources"], result["audit"]
    console.print(
        f"errors {result['errors']} {result['errors_by_kind']} in {result['sessions_with_errors']} sessions, "
        f"server exceptions {result['server_exception_count']}; "
        f"audit rows expected {a['expected']}, written {a['written']} "
        f"({a['sessions_matching']}/{result['sessions']} sessions exact; "
        f"{a['error_free_sessions_matching']}/{a['error_free_sessions']} of those without errors), "
        f"returned ids missing {a['returned_ids_missing_from_db']}, write errors {a['write_error_count']}, "
        f"audit write p95 {a['write_seconds']['p95']:.3f} s, verify exit {a['verify_exit_code']}"
    )
    console.print(
        f"server CPU p50 {r['server_cpu_percent']['p50']:.0f}% p95 {r['server_cpu_percent']['p95']:.0f}%, "
        f"RSS max {r['server_rss_mb']['max']:.0f} MB; chromium CPU p50 {r['client_cpu_percent']['p50']:.0f}% "
        f"p95 {r['client_cpu_percent']['p95']:.0f}%, RSS max {r['client_rss_mb']['max']:.0f} MB; machine CPU p50 "
        f"{r['machine_cpu_percent']['p50']:.0f}%; load average (1 min) p50 {r['load_1min']['p50']:.1f} max "
        f"{r['load_1min']['max']:.1f} on {result['machine']['cores']} cores ({result['machine']['load_before']} before)"
    )
    for p in result["per_session"]:
        if p["errors"] or p["audit_expected"] != p["audit_written"]:
            console.print(
                f"  session {p['session']} {p['user']}: audit {p['audit_expected']} expected, "
                f"{p['audit_written']} written; {p['errors'][:3]}"
            )


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
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    console = Console()
    args.load_before = [round(x, 2) for x in os.getloadavg()]
    env = ensure_store(args.store, args.people, console)
    if args.app_db is not None:
        env["DISRUPT_APP_DB"] = str(args.app_db.resolve())
    sys.path.insert(0, str(HERE.parent))
    users = load_users(args.sessions, args.mix)
    ensure_users(env, users)
    inputs = read_inputs(env["DISRUPT_STORE"], random.Random(args.seed))
    run_dir = args.store / "load" / f"run-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}"
    run_dir.mkdir(parents=True)
    app_db = Path(env["DISRUPT_APP_DB"])
    head = audit_head(app_db)
    server_log = run_dir / "server.jsonl"
    proc = start_server(env, args.port, server_log)
    sampler = Sampler(proc.pid)
    sampler.start()
    sessions = [Session(i + 1, role, user, args, inputs, run_dir) for i, (user, role) in enumerate(users)]
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
    verify = cli(env, "audit", "verify")
    result = report(sessions, read_server_log(server_log), audit_rows(app_db, head), verify, sampler, window, args)
    result["actions_log"] = [dataclasses.asdict(a) for s in sessions for a in s.actions]
    (run_dir / "result.json").write_text(json.dumps(result, indent=1, default=str))
    print_report(result, console)
    console.print(f"Everything in {run_dir / 'result.json'}")


if __name__ == "__main__":
    main()
