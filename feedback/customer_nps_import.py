"""Reading a company's own NPS export: a CSV or Excel file from whatever survey tool it uses.

Chosen tools: the standard `csv` module, `charset-normalizer` to tell the encoding when the file is not UTF-8
(Swedish and Danish Excel still saves CSV as Windows-1252), and `openpyxl` (read-only, values only) for .xlsx.
pandas or polars would add tens of megabytes and a second way of reading numbers for one small table.

What is read: a score 0–10 per row (required), and when there are such columns a date, a comment and a segment.
Columns are found by their header in English, Swedish or Danish ("Score", "Betyg", "Karakter", "Kommentar",
"Datum", "Dato", …); a file without a header row is read as scores in its first column. `;` and `,` (and tab)
separators are both understood. Every row that cannot be read is reported by its row number as the company's
spreadsheet shows it ("row 17: 'elva' is not a score from 0 to 10"), and the file is then refused as a whole,
so a snapshot never silently counts only part of an export.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_ERRORS_SHOWN = 20
COMMENT_MAX_CHARS = 2000
SEGMENT_MAX_CHARS = 100

HEADERS = {
    "score": ("score", "nps", "nps score", "rating", "betyg", "poang", "rekommendation", "rekommendera",
              "karakter", "anbefaling", "anbefale", "vurdering", "likelihood to recommend", "recommend", "value",
              "svar nps", "nps svar", "nps-svar", "0-10"),
    "date": ("date", "datum", "dato", "answered", "answered at", "svarsdatum", "svarsdag", "besvaret",
             "besvarelsesdato", "timestamp", "created", "created at", "submitted", "submitted at", "tid",
             "tidspunkt", "day"),
    "comment": ("comment", "comments", "kommentar", "kommentarer", "feedback", "reason", "motivering",
                "begrundelse", "fritext", "fritekst", "open answer", "oppet svar", "aben besvarelse", "text", "tekst"),
    "segment": ("segment", "group", "grupp", "gruppe", "kundgrupp", "kundegruppe", "customer group", "category",
                "kategori", "region", "butik", "store", "shop", "afdeling", "avdelning", "department"),
}
# Encodings a Nordic export comes in besides UTF-8; a guess outside these is treated as Windows-1252.
WESTERN = {"cp1252", "windows-1252", "latin_1", "iso8859_1", "iso8859_15", "cp850", "mac_roman", "utf_16", "utf_8"}
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d", "%d.%m.%Y",
                "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y %H:%M", "%d-%m-%Y %H:%M", "%d/%m/%Y %H:%M", "%Y%m%d")


class ImportRefused(Exception):
    """The file cannot be used; `errors` are the messages for people (row-level where they concern a row)."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


@dataclass
class ParsedAnswer:
    score: int
    answered_on: date | None = None
    comment: str = ""
    segment: str = ""


@dataclass
class ParsedExport:
    counts: list[int]
    monthly: dict[str, list[int]]
    comments: list[ParsedAnswer]
    rows: int
    encoding: str = ""
    delimiter: str = ""
    columns: dict = field(default_factory=dict)

    @property
    def responses(self) -> int:
        return sum(self.counts)


def _norm(text) -> str:
    """A header as we compare it: lower case, no accents (ä → a, ø → o), no punctuation, single spaces."""
    text = unicodedata.normalize("NFKD", str(text or "")).replace("ø", "o").replace("Ø", "o").replace("æ", "ae")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower().strip().lstrip("\ufeff")
    text = re.sub(r"\(.*?\)", " ", text)
    return " ".join(re.sub(r"[^a-z0-9\-]+", " ", text).split())


def _columns(header: list) -> dict[str, int]:
    found: dict[str, int] = {}
    names = [_norm(h) for h in header]
    for key, words in HEADERS.items():
        for i, name in enumerate(names):
            if i in found.values() or not name:
                continue
            if name in words or any(name.startswith(w + " ") for w in words if len(w) > 3):
                found[key] = i
                break
    return found


def _score(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() and 0 <= value <= 10 else None
    text = str(value).strip().replace(",", ".")
    if re.fullmatch(r"\d{1,2}(\.0+)?", text):
        number = int(float(text))
        return number if 0 <= number <= 10 else None
    return None


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text[:19], fmt).date()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError(text) from None


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM) when it is that, otherwise what charset-normalizer finds
    among the Western encodings, otherwise Windows-1252 (which never fails)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf_16"
    try:
        return data.decode("utf-8-sig"), "utf_8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000]).best()
    encoding = best.encoding if best is not None and best.encoding in WESTERN else "cp1252"
    return data.decode(encoding, errors="replace"), encoding


def _csv_rows(data: bytes) -> tuple[list[list[str]], str, str]:
    text, encoding = decode(data)
    sample = text[:8192]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        delimiter = max(";,\t", key=first.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), encoding, delimiter


def _xlsx_rows(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — any unreadable workbook is the same answer to the company
        raise ImportRefused([_("This file could not be read as an Excel workbook (.xlsx).")]) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(["" if v is None else v for v in row])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def parse_export(*, data: bytes, filename: str) -> ParsedExport:
    """Read an export. Raises ImportRefused with the reasons (too big, no score column, bad rows)."""
    if len(data) > MAX_BYTES:
        raise ImportRefused([_("The file is larger than 5 MB. Export only the score, date and comment columns.")])
    if not data.strip():
        raise ImportRefused([_("The file is empty.")])
    encoding = delimiter = ""
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data)
    else:
        rows, encoding, delimiter = _csv_rows(data)
    top = next((i for i, r in enumerate(rows) if any(str(c).strip() for c in r)), None)
    if top is None:
        raise ImportRefused([_("The file is empty.")])
    columns = _columns(rows[top])
    first_data_row = top + 2  # row numbers as the spreadsheet shows them (the header is row top + 1)
    if "score" not in columns:
        if _score(rows[top][0] if rows[top] else "") is not None:  # no header: scores in the first column
            columns, first_data_row = {"score": 0}, top + 1
        else:
            raise ImportRefused([_("No column with the scores was found. Name it “Score”, “Betyg” or "
                                   "“Karakter”, or put the scores 0–10 in the first column without a header.")])
    body = rows[first_data_row - 1:]
    if len(body) > MAX_ROWS:
        raise ImportRefused([_("The file has more than %(max)s rows.") % {"max": f"{MAX_ROWS:,}".replace(",", " ")}])
    counts = [0] * 11
    monthly: dict[str, list[int]] = {}
    comments: list[ParsedAnswer] = []
    errors: list[str] = []
    read = 0

    def cell(row, key):
        i = columns.get(key)
        return row[i] if i is not None and i < len(row) else ""

    for number, row in enumerate(body, start=first_data_row):
        if not any(str(c).strip() for c in row):
            continue
        raw = cell(row, "score")
        score = _score(raw)
        if score is None:
            if str(raw).strip() == "":
                errors.append(_("row %(row)s: the score is missing") % {"row": number})
            else:
                errors.append(_("row %(row)s: '%(value)s' is not a score from 0 to 10")
                              % {"row": number, "value": str(raw).strip()[:40]})
            continue
        answered_on = None
        raw_date = cell(row, "date")
        if "date" in columns and str(raw_date).strip():
            try:
                answered_on = _date(raw_date)
            except ValueError:
                errors.append(_("row %(row)s: '%(value)s' is not a date") % {"row": number,
                                                                             "value": str(raw_date).strip()[:40]})
                continue
        read += 1
        counts[score] += 1
        if answered_on is not None:
            monthly.setdefault(answered_on.strftime("%Y-%m"), [0] * 11)[score] += 1
        comment = " ".join(str(cell(row, "comment")).split())[:COMMENT_MAX_CHARS]
        if comment:
            comments.append(ParsedAnswer(score=score, answered_on=answered_on, comment=comment,
                                         segment=" ".join(str(cell(row, "segment")).split())[:SEGMENT_MAX_CHARS]))
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > MAX_ERRORS_SHOWN:
            shown.append(_("… and %(n)s more rows like these") % {"n": len(errors) - MAX_ERRORS_SHOWN})
        raise ImportRefused(shown)
    if not read:
        raise ImportRefused([_("The file has no scores.")])
    return ParsedExport(counts=counts, monthly=dict(sorted(monthly.items())), comments=comments, rows=read,
                        encoding=encoding, delimiter=delimiter, columns=columns)
