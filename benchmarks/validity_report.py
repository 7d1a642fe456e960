"""The validity benchmark's Markdown report and its PNG plots of the disruption curves."""

from __future__ import annotations

import datetime as dt
import html
import os
import platform
import re
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: the benchmark runs on servers and in CI with no display

import matplotlib.pyplot as plt

from benchmarks.validity_measures import Curve
from benchmarks.validity_scoring import Result, fmt

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|])")  # what can start emphasis, code, a link or a cell
_STYLE = {
    "Disrupt": {"color": "black", "linewidth": 2.4},
    "as reported": {"color": "black", "linewidth": 1.2, "linestyle": ":"},
    "betweenness": {"color": "tab:red", "linewidth": 1.6},
    "degree": {"color": "tab:blue", "linewidth": 1.6},
    "random": {"color": "grey", "linewidth": 1.4, "linestyle": "--"},
}


def md(text: object) -> str:
    """Text from the data as literal Markdown: tags escaped, Markdown punctuation backslashed."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False)).replace("\n", " ")


def _style(name: str) -> dict[str, object]:
    return next((s for key, s in _STYLE.items() if name.startswith(key)), {})


def plot_curves(result: Result, path: Path) -> Path | None:
    """A PNG of the curves: largest component share and, where roles exist, children still reachable."""
    if not result.curves:
        return None
    panels = 2 if result.curves[0].reachable is not None else 1
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 4.2), squeeze=False)
    reported = [c for c in result.reported if c.name.endswith("the plan")]
    for curve in [*result.curves, *reported]:
        steps = range(len(curve.largest))
        axes[0][0].plot(steps, curve.largest, label=curve.name, **_style(curve.name))
        if panels == 2 and curve.reachable is not None:
            axes[0][1].plot(steps, curve.reachable, label=curve.name, **_style(curve.name))
    axes[0][0].set_ylabel("largest component (share of people)")
    axes[0][0].set_ylim(0, 1.02)
    if panels == 2:
        axes[0][1].set_ylabel("children still reachable from a suspect")
        axes[0][1].set_ylim(bottom=0)
    for ax in axes[0]:
        ax.set_xlabel("actions taken")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
        marks: dict[int, list[str]] = {}
        for name, k in result.checkpoints:
            if "%" in name:
                marks.setdefault(k, []).append(name.split(" ")[0])
        for k, names in marks.items():
            ax.axvline(k, color="grey", linewidth=0.6, linestyle=":")
            ax.text(k, 1.0, " " + ", ".join(names), transform=ax.get_xaxis_transform(), fontsize=7, va="bottom")
    handles, labels = axes[0][0].get_legend_handles_labels()
    columns = 3 if panels == 2 else 2  # a one-panel figure is narrower: two columns keep every label whole
    fig.legend(handles, labels, loc="lower center", ncol=columns, fontsize=7, frameon=False)
    fig.suptitle(result.title, fontsize=10)
    rows = -(-len(labels) // columns)
    fig.tight_layout(rect=(0, 0.04 + 0.045 * rows, 1, 1))  # room below the axes for the legend, clear of every curve
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _pairs(rows: Iterable[tuple[str, str]]) -> list[str]:
    """A two-column table of a measure and its value; "read from" names result tables, as code."""
    cells = []
    for measure, value in rows:
        shown = f"`{value.replace('`', '')}`" if measure == "read from" else md(value)
        cells.append([md(measure), shown])
    return _table(["measure", "value"], cells)


def _curve_table(curves: Sequence[Curve], checkpoints: Sequence[tuple[str, int]]) -> list[str]:
    checkpoints = [("at the start", 0), *checkpoints]
    header = ["after ... actions", *(name for name, _ in checkpoints)]
    rows = []
    for curve in curves:
        rows.append([f"{md(curve.name)}: largest component", *(_at(curve.largest, k, 2) for _, k in checkpoints)])
    for curve in curves:
        if curve.reachable is not None:
            rows.append(
                [f"{md(curve.name)}: children reachable", *(_at(curve.reachable, k, 1) for _, k in checkpoints)]
            )
    return _table(header, rows)


def _at(values: Sequence[float], k: int, digits: int) -> str:
    return f"{values[k]:.{digits}f}" if k < len(values) else "-"


def _machine() -> str:
    memory = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            kb = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB memory"
    except (OSError, StopIteration, ValueError):
        memory = ""
    return (
        f"{os.cpu_count()} cores{memory}, {platform.system()} {platform.machine()}, Python {platform.python_version()}"
    )


def _commit() -> str:
    """The commit measured: ``DISRUPT_VALIDITY_COMMIT`` when the run is of an exported snapshot
    (``git archive``), else the checkout's HEAD and whether its tracked files differ from it."""
    if os.environ.get("DISRUPT_VALIDITY_COMMIT"):
        return os.environ["DISRUPT_VALIDITY_COMMIT"]
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"
    return head.stdout.strip() + (" with uncommitted changes" if dirty.stdout.strip() else "")


def _headline(results: Sequence[Result]) -> list[str]:
    rows = []
    for r in results:
        h = r.headline
        if r.kind == "failed":
            rows.append([md(r.title), "-", "the analysis failed: see its section", *["-"] * 5])
            continue
        if r.kind == "published":
            central = ", ".join(f"{md(who)}: {x or 'not ranked'}" for who, x in h.get("central_ranks", []))
            groups = f"ARI {fmt(h.get('ari'))} (baseline {fmt(h.get('ari_baseline'))})" if "ari" in h else "-"
        else:
            central = "; ".join(
                f"organisers in the {cut}: {a} of {n} (betweenness {b})" for cut, a, b, n in h.get("organisers", [])
            )
            groups = f"members P {fmt(h.get('members_precision'))} R {fmt(h.get('members_recall'))}"
            if "core_precision" in h:
                groups += f"; core P {fmt(h.get('core_precision'))} R {fmt(h.get('core_recall'))}"
        at = "5%"
        curve = " / ".join(fmt(h.get(f"largest {at} {key}")) for key in ("plan", "betweenness", "degree", "random"))
        reach = ""
        if r.kind == "synthetic":
            reach = " / ".join(
                fmt(h.get(f"reachable k=5 {key}"), 0) for key in ("plan", "betweenness", "degree", "random")
            )
        never = {True: "yes", False: "NO", None: "no plan"}[h.get("plan_never_worse")]
        rows.append(
            [md(r.title), f"{r.nodes:,}", fmt(h.get("rho_betweenness")), central, groups, curve, reach or "-", never]
        )
    header = [
        "network",
        "people",
        "Spearman rho, Disrupt's ranking vs betweenness",
        "published or planted central players: Disrupt's rank",
        "groups",
        "largest component after acting on 5%: Disrupt / betweenness / degree / random",
        "children reachable after 5 actions: Disrupt / betweenness / degree / random",
        "plan no worse than the best baseline at every checkpoint",
    ]
    return _table(header, rows)


def render(results: Sequence[Result], *, seconds: float, argv: Sequence[str] | None) -> str:
    """The whole report as Markdown (plots already written; linked relative to the report)."""
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = "python -m benchmarks.validity" + ("".join(f" {a}" for a in argv) if argv else "")
    lines = [
        "# Validity benchmark",
        "",
        "Disrupt's analytics (`analytics.analysis.analyse`) run on networks whose answers are published or",
        "planted, and scored against standard baselines computed by the benchmark itself in the same run",
        "(`benchmarks/validity_measures.py`: betweenness and degree with igraph, unweighted; removal orders by",
        "betweenness or degree recomputed after each removal; the mean of random orders). The published",
        "networks are the ones NetworkX ships, each written out as an analyst's file and loaded through the",
        "import into a new SQLite store (`ingest.graph_import`: an edge list, or for the two-mode Southern Women",
        "a neo4j-admin bundle of women and meetings), so the analysis sees them as it sees an analyst's import:",
        "`Other` nodes joined by `RELATED_TO` links. The synthetic worlds are generated, ingested and resolved",
        "as `disrupt` does it.",
        "",
        f"Generated by `{command}` at {when} on commit {_commit()}; machine: {_machine()}.",
        f"The whole run took {seconds:.0f} s; the analysis alone: "
        + ", ".join(f"{md(r.slug)} {r.seconds:.1f} s" for r in results)
        + ".",
        "",
        "## Headline figures",
        "",
        *_headline(results),
        "Each plan optimises one objective and says which: on the published networks (no roles) the largest",
        "component, on the synthetic worlds the children cut off from every suspect, so on the worlds a plan",
        "can leave a larger component than betweenness does while cutting more children off. The checkpoints",
        "and the plan's verdict at each are in the network's section.",
        "",
    ]
    missing = sorted({m for r in results for m in r.missing})
    if missing:
        lines += ["## Figures still missing", "", "Parts of the analysis this run could not score yet:", ""]
        lines += [f"- {md(m)} ({', '.join(md(r.slug) for r in results if m in r.missing)})" for m in missing]
        lines.append("")
    for r in results:
        lines += _section(r)
    lines += _method()
    return "\n".join(lines).rstrip("\n") + "\n"


def _section(r: Result) -> list[str]:
    lines = [f"## {md(r.title)}", ""]
    if r.kind == "failed":
        return [*lines, *(f"- {md(m)}" for m in r.missing), ""]
    lines += [f"- {md(a)}" for a in [f"{r.nodes:,} nodes, {r.edges:,} ties", *r.about]]
    lines += ["", "### Ranking", ""]
    lines += _pairs(r.ranking)
    if r.top:
        lines += ["Top 5 of each order:", ""]
        lines += _table(["rank", "Disrupt", "betweenness", "degree"], [[md(c) for c in row] for row in r.top])
    if r.central:
        lines += ["Where the published or planted central players stand:", ""]
        lines += _table(["who", "Disrupt's rank", "rank by betweenness"], [[md(c) for c in row] for row in r.central])
    lines += ["### Groups", ""]
    lines += _pairs(r.groups)
    lines += ["### Disruption", ""]
    if r.curve_note:
        lines += [md(r.curve_note), ""]
    lines += _curve_table(r.curves, r.checkpoints)
    if r.reported:
        lines += ["The same curves as the analysis reports them (its own baselines, on its own network):", ""]
        lines += _curve_table(r.reported, r.checkpoints)
    if r.checks:
        lines += ["The plan against the best baseline on the plan's own objective:", ""]
        header = ["after", "objective", "the plan's actions, replayed", "as reported", "best baseline", "no worse?"]
        lines += _table(header, [[md(c) for c in row] for row in r.checks])
    if r.plot is not None:
        lines += [f"![Disruption curves: {md(r.title)}](validity/{r.plot.name})", ""]
    if r.hotspots:
        lines += ["### Hotspots", ""]
        lines += _pairs(r.hotspots)
    return lines


def _method() -> list[str]:
    return [
        "## How each figure is computed",
        "",
        "- **Ranking.** Disrupt's network-wide ranking is read from its result tables; Spearman's rho is taken",
        "  over every node of the network, against betweenness and degree computed here (unranked nodes share",
        "  the last rank). On the synthetic worlds the baselines are computed on the whole person network.",
        "- **Groups.** The adjusted Rand index compares the groups (every member a group lists; a node in no",
        "  group is a group of its own) with the known split. On the worlds each found group is matched to",
        "  the planted group it overlaps most; precision counts every person listed (core members for the core",
        "  figures), recall every planted member. Baselines: NetworkX's greedy modularity and Kernighan-Lin.",
        "- **Disruption.** Each curve is measured here on the same network: the imported graph for the published",
        "  networks; on the worlds, the concern network (the person network within the concern radius of",
        "  exploitation suspects and victims). The largest component is counted in people and shown as a share",
        "  of the people at the start; a child is reachable while a component holds both the child and an",
        "  exploitation suspect. Disrupt's plan is replayed step by step: an action on a person removes the",
        "  person, an action on a thing (a phone, a vehicle, premises, a licence) removes the people it names and",
        "  every tie whose evidence lies wholly in what was acted on. Each baseline removes one person per action,",
        "  never a child. 1%, 3% and 5% of the people are rounded to the nearest action, at least one.",
        "- **Hotspots.** A flagged cell is a Gi* hotspot cell; a planted hotspot is found when a flagged cell's",
        "  centre lies within one cell edge of its circle.",
        "",
    ]


def write_report(results: Sequence[Result], out: Path, *, seconds: float, argv: Sequence[str] | None) -> None:
    """Write the plots under ``<out folder>/validity/`` and the report to ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    for r in results:
        r.plot = plot_curves(r, out.parent / "validity" / f"{r.slug}.png")
    out.write_text(render(results, seconds=seconds, argv=argv), encoding="utf-8")
