"""Hostile strings for the sweep of issue 21 ("prove it safe"), and a small world that carries them.

Every payload carries its own marker (``HX00`` ... ``HX63``), so a test can say where each one was
shown. A payload that would run, were it ever rendered as markup, sets ``window.__pwn`` or calls
``alert``; a payload that would make an element gives it the class or id ``hxpwn``; a link points
at ``evil.example``. :func:`poison_world` writes them into every free-text column of a generated
world's exports (and its ward names), rotating so that each payload lands in many columns.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

MARKER = re.compile(r"(?<![A-Za-z0-9])HX\d\d(?!\d)")  # never part of a word, such as a file name
EVIL = "evil.example"
FORMULA_START = ("=", "+", "-", "@", "\t")

_RAW: tuple[str, ...] = (
    "<script>window.__pwn=1;alert(1)</script>{m}",
    '{m}<img src=x class=hxpwn onerror="window.__pwn=1;alert(1)">',
    '{m}<svg class=hxpwn onload="window.__pwn=1;alert(1)">',
    "{m}<svg><script>window.__pwn=1</script></svg>",
    '{m}<iframe class=hxpwn src="javascript:window.__pwn=1;alert(1)"></iframe>',
    '{m}<a class=hxpwn href="javascript:window.__pwn=1;alert(1)">click</a>',
    "javascript:window.__pwn=1;alert(1)//{m}",
    "{m} &lt;script&gt;window.__pwn=1&lt;/script&gt;",
    "{m} &#60;img src=x onerror=window.__pwn=1&#62;",
    "{m} &amp;lt;b&amp;gt; &#x6A;avascript:alert(1)",
    "[{m} click](javascript:window.__pwn=1)",
    "[{m} site](http://evil.example/x)",
    "![{m} pic](http://evil.example/pwn.png)",
    '![{m}](x" onerror="window.__pwn=1)',
    "{m} www.evil.example",
    "{m} http://evil.example/x",
    "{m} ada@evil.example",
    "{m} <http://evil.example/auto>",
    "{m} :red[alarm] :blue-background[calm]",
    "{m} $$\\href{javascript:window.__pwn=1}{x}$$",
    "{m} $x^2$ and $$\\int_0^1 x$$",
    "{m} :smile: :warning: :material/home:",
    "{m} <!-- hidden --> shown",
    "{m} </script><script>window.__pwn=1</script>",
    "{m} {{7*7}} ${7*7} #{7*7} <%= 7*7 %>",
    '=HYPERLINK("http://evil.example/{m}","open")',
    "+SUM(1,1) {m}",
    "-2+3 {m}",
    "@SUM(1,1) {m}",
    "=1+2 {m}",
    "\t=1+2 {m}",
    "{m} " + "LONG" * 1500,
    "{m} \u202egnp.exe",
    "{m} zero\u200b\u200c\u200d\u2060\ufeffwidth",
    "{m} nul\x00here",
    "{m} soh\x01here",
    "{m} esc\x1b[31mred",
    "{m} del\x7fhere",
    "{m} **bold** _em_ ~~strike~~ `code`",
    "# {m} heading",
    "{m} | a | b |",
    '{m} <b class=hxpwn onmouseover="window.__pwn=1">hover</b>',
    '{m} <details class=hxpwn open ontoggle="window.__pwn=1;alert(1)">',
    "{m} <math><mtext><table><mglyph><style><img class=hxpwn src=x onerror=window.__pwn=1>",
    "{m} <style>*{background:red}</style>",
    "{m} <body onload=window.__pwn=1>",
    '{m} <object class=hxpwn data="javascript:window.__pwn=1"></object>',
    '{m} <form class=hxpwn action="javascript:window.__pwn=1"><button>go</button></form>',
    "{m} ${alert(1)} `${window.__pwn=1}`",
    "{m} '\"><script>window.__pwn=1</script>",
    "{m} \\u003cimg class=hxpwn src=x onerror=window.__pwn=1\\u003e",
    "{m} data:text/html,<script>window.__pwn=1</script>",
    "{m} vbscript:msgbox(1)",
    "{m} <a class=hxpwn href=//evil.example/x>rel</a>",
    "{m} <input class=hxpwn autofocus onfocus=window.__pwn=1>",
    "{m} <marquee class=hxpwn onstart=window.__pwn=1>",
    '{m} <video><source class=hxpwn onerror="window.__pwn=1"></video>',
    "{m} \\<img class=hxpwn src=x onerror=window.__pwn=1\\>",
    "{m} <img/class=hxpwn/src=x/onerror=window.__pwn=1>",
    "{m} [ref] and [ref]: javascript:window.__pwn=1",
    "{m} <link rel=stylesheet href=http://evil.example/s.css>",
    '{m} <meta http-equiv=refresh content="0;url=http://evil.example/">',
    "{m} <base href=http://evil.example/>",
    "{m} \u0000\u0001 both",
)


@dataclass(frozen=True, slots=True)
class Payload:
    """One hostile string and the marker that names it."""

    marker: str
    text: str

    @property
    def control(self) -> str | None:
        """The first control character in the text (other than tab) that ingest may set aside, if any."""
        found = re.search("[\x00-\x08\x0b-\x1f\x7f]", self.text)
        return found.group() if found else None

    @property
    def formula(self) -> bool:
        """Whether a spreadsheet would read the text as a formula."""
        return self.text.startswith(FORMULA_START)


PAYLOADS: tuple[Payload, ...] = tuple(
    Payload(f"HX{i:02d}", raw.replace("{m}", f"HX{i:02d}")) for i, raw in enumerate(_RAW)
)

# The free-text columns of each export (names, addresses, descriptions, notes): every column a
# mapping reads as text. Identifiers, dates, codes and closed lists stay as generated so the
# world still joins up; a payload there would only be set aside.
TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "police/nominals.csv": ("surname", "forenames", "ethnicity", "address"),
    "police/associations.csv": ("association_type",),
    "police/occurrences.csv": ("offence_category", "location_address", "summary"),
    "police/occurrence_vehicles.csv": ("involvement",),
    "police/intelligence.csv": ("topic", "report_text"),
    "police/missing_persons.csv": ("found_address",),
    "care/children.xlsx": ("first_name", "last_name", "ethnicity", "address", "referral_source"),
    "care/return_interviews.csv": ("push_factors", "pull_factors"),
    "licensing/drivers.csv": ("surname", "forenames", "address"),
    "licensing/licence_history.csv": ("note",),
    "licensing/national_register.csv": ("surname", "forenames", "reason"),
    "licensing/operators.csv": ("trading_name", "address"),
    "licensing/vehicles.csv": ("make", "colour"),
    "premises/premises.csv": ("name", "business_type", "address"),
    "anpr/cameras.csv": ("description",),
    "geography/postcodes.csv": ("ward_name",),
}


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a payload was written: file, row as ingest numbers it (the header is row 1) and column."""

    marker: str
    file: str
    row: int
    column: str


def _hostile(original: str, payload: Payload) -> str:
    """The payload, with the original value after it so that names and addresses still tell people apart."""
    return f"{payload.text} {original}".rstrip() if original else payload.text


def _rotation(rows: int, columns: int, salt: int) -> list[list[Payload]]:
    return [[PAYLOADS[(r * 5 + c * 11 + salt) % len(PAYLOADS)] for c in range(columns)] for r in range(rows)]


def _poison_csv(path: Path, columns: tuple[str, ...], rel: str, salt: int) -> list[Placement]:
    raw = path.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t|")
    rows = list(csv.reader(io.StringIO(text), delimiter=dialect.delimiter))
    header, body = rows[0], [r for r in rows[1:] if r]
    at = [header.index(c) for c in columns]
    placed = []
    for r, (row, chosen) in enumerate(zip(body, _rotation(len(body), len(at), salt), strict=True), start=2):
        for k, p in zip(at, chosen, strict=True):
            row[k] = _hostile(row[k], p)
            placed.append(Placement(p.marker, rel, r, header[k]))
    out = io.StringIO()
    csv.writer(out, delimiter=dialect.delimiter, lineterminator="\n").writerows([header, *body])
    path.write_bytes(out.getvalue().encode("utf-8-sig"))  # every payload survives; the BOM says UTF-8
    return placed


def _poison_xlsx(path: Path, columns: tuple[str, ...], rel: str, salt: int) -> list[Placement]:
    book = load_workbook(path)
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    at = [header.index(c) for c in columns]
    placed = []
    body = list(ws.iter_rows(min_row=2))
    for r, (cells, chosen) in enumerate(zip(body, _rotation(len(body), len(at), salt), strict=True), start=2):
        for k, p in zip(at, chosen, strict=True):
            if ILLEGAL_CHARACTERS_RE.search(p.text):
                continue  # a workbook cannot hold it at all (openpyxl refuses), so no partner can send it
            cell = cells[k]
            cell.value = _hostile("" if cell.value is None else str(cell.value), p)
            cell.data_type = "s"  # written as text, never evaluated, as a partner's export holds it
            placed.append(Placement(p.marker, rel, r, str(header[k])))
    book.save(path)
    return placed


def poison_world(folder: Path) -> list[Placement]:
    """Write the payloads into every free-text column of the exports in ``folder`` (and its ward names)."""
    placed: list[Placement] = []
    for salt, (rel, columns) in enumerate(TEXT_COLUMNS.items()):
        path = folder / rel
        poison = _poison_xlsx if path.suffix == ".xlsx" else _poison_csv
        placed += poison(path, columns, rel, salt * 3)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["path"] in TEXT_COLUMNS and entry["format"] != "xlsx":
            entry["encoding"] = "utf-8-sig"
    manifest_path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    wards_path = folder / "geography" / "wards.geojson"
    wards = json.loads(wards_path.read_text(encoding="utf-8"))
    for i, feature in enumerate(wards["features"]):
        p = PAYLOADS[(i * 7) % len(PAYLOADS)]
        feature["properties"]["ward_name"] = _hostile(feature["properties"]["ward_name"], p)
        placed.append(Placement(p.marker, "geography/wards.geojson", i + 1, "ward_name"))
    wards_path.write_text(json.dumps(wards), encoding="utf-8")
    return placed


def markers_in(text: str) -> set[str]:
    """The payload markers a text holds."""
    return set(MARKER.findall(text))
