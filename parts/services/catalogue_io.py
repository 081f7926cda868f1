"""Import and export of the parts catalogue and a dealer's price list (Excel .xlsx or CSV in UTF-8 / GBK).

An import is all or nothing: every row is checked first and a bad row is reported with its
line number and reason; only a file without errors is written, inside one transaction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.permissions import require
from core.uploads import UploadRule
from organization.models import Dealer
from parts.choices import PartCategory, Unit
from parts.models import Part, PartPrice, normalize_part_number

MAX_ROWS = 20_000
MONEY_STEP = Decimal("0.01")
MONEY_MAX = Decimal("9999999999.99")
CATALOGUE_UPLOAD = UploadRule(
    kinds=("xlsx", "csv"),
    max_bytes=10 * 1024 * 1024,
    too_large=gettext_lazy("The file is larger than 10 MB."),
    wrong_kind=gettext_lazy("Upload an Excel workbook (.xlsx) or a CSV file."),
)

# (field, Chinese header, English header); the export writes the Chinese ones, the import accepts either.
COLUMNS: list[tuple[str, str, str]] = [
    ("part_number", "配件号", "part_number"),
    ("name", "名称", "name"),
    ("brand", "品牌", "brand"),
    ("category", "类别", "category"),
    ("unit", "单位", "unit"),
    ("superseded_by", "替代号", "superseded_by"),
    ("fitment", "适用车型", "fitment"),
    ("cost_price", "成本价", "cost_price"),
    ("retail_price", "零售价", "retail_price"),
]
HEADER = [chinese for _field, chinese, _english in COLUMNS]
_HEADER_FIELDS = {
    **{chinese: name for name, chinese, _english in COLUMNS},
    **{english: name for name, _chinese, english in COLUMNS},
}
_LIMITS = {"part_number": 40, "name": 100, "brand": 50, "fitment": 200}
_LABELS = {
    "part_number": gettext_lazy("part number"),
    "name": gettext_lazy("name"),
    "brand": gettext_lazy("brand"),
    "fitment": gettext_lazy("fits"),
    "cost_price": gettext_lazy("cost price"),
    "retail_price": gettext_lazy("retail price"),
}


@dataclass(frozen=True)
class RowError:
    """One refused row: its line in the file (the header is line 1) and why."""

    line: int
    message: str


@dataclass
class ImportReport:
    """What an import did (nothing at all when there are errors)."""

    created: int = 0
    updated: int = 0
    prices: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    line: int
    values: dict
    key: tuple[str, str] = ("", "")


def _choice_lookup(choices) -> dict[str, str]:
    """Code, English and Chinese label (case-insensitive) → code."""
    lookup = {}
    for value, label in choices.choices:
        lookup[value.lower()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup[str(label).strip().lower()] = value
    return lookup


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else GBK/GB18030 (how Chinese Excel saves CSV)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _read_rows(file) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of a .xlsx or .csv upload, header included."""
    raw = file.read()
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    name = (getattr(file, "name", "") or "").lower()
    if raw.startswith(b"PK\x03\x04") or name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise ValidationError(_("The file could not be read as an Excel workbook (.xlsx).")) from exc
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_text(v) for v in row]
        workbook.close()
        return
    try:
        text = _decode(raw)
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file is neither UTF-8 nor GBK text.")) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for cells in reader:
            yield reader.line_num, [_text(v) for v in cells]
    except csv.Error as exc:
        raise ValidationError(_("The CSV file could not be read: %(error)s") % {"error": exc}) from exc


def _money(value: str) -> Decimal:
    try:
        amount = Decimal(value.replace(",", "").replace("¥", "").replace("￥", ""))
    except InvalidOperation as exc:
        raise ValueError from exc
    if not amount.is_finite() or amount < 0 or amount > MONEY_MAX:
        raise ValueError
    return amount.quantize(MONEY_STEP)


def _parse(line: int, cells: list[str], columns: dict[int, str], categories, units) -> tuple[_Row, list[str]]:
    values = {name: cells[index] if index < len(cells) else "" for index, name in columns.items()}
    problems = []
    for name, limit in _LIMITS.items():
        if len(values.get(name, "")) > limit:
            problems.append(
                _("%(field)s is longer than %(limit)s characters.") % {"field": _LABELS[name], "limit": limit}
            )
    key = normalize_part_number(values.get("part_number", ""))
    if not key:
        problems.append(_("The part number is missing."))
    for name, lookup, message in (
        ("category", categories, _("Unknown category “%(value)s”.")),
        ("unit", units, _("Unknown unit “%(value)s”.")),
    ):
        if values.get(name):
            code = lookup.get(values[name].lower())
            if code is None:
                problems.append(message % {"value": values[name]})
            values[name] = code
    for name in ("cost_price", "retail_price"):
        given = values.get(name, "")
        values[name] = None
        if given:
            try:
                values[name] = _money(given)
            except ValueError:
                values["bad_price"] = True
                problems.append(
                    _("%(field)s “%(value)s” is not an amount of zero or more.")
                    % {"field": _LABELS[name], "value": given}
                )
    values["superseded_key"] = normalize_part_number(values.get("superseded_by", ""))
    return _Row(line=line, values=values, key=(values.get("brand", ""), key)), problems


def catalogue_import(*, file, dealer: Dealer | None, by: User) -> ImportReport:
    """Create or update parts (and the dealer's prices) from a .xlsx/.csv file; all rows or none."""
    report = ImportReport()
    categories, units = _choice_lookup(PartCategory), _choice_lookup(Unit)
    rows: list[_Row] = []
    columns: dict[int, str] | None = None
    for line, cells in _read_rows(file):
        if not any(cells):
            continue
        if columns is None:
            columns = {i: _HEADER_FIELDS[c] for i, c in enumerate(cells) if c in _HEADER_FIELDS}
            missing = {"part_number", "name"} - set(columns.values())
            if missing:
                report.errors.append(
                    RowError(line, _("The header needs the columns 配件号/part_number and 名称/name."))
                )
                return report
            continue
        if len(rows) >= MAX_ROWS:
            report.errors.append(RowError(line, _("At most %(max)s rows per file.") % {"max": MAX_ROWS}))
            return report
        row, problems = _parse(line, cells, columns, categories, units)
        report.errors.extend(RowError(line, problem) for problem in problems)
        rows.append(row)
    if columns is None:
        report.errors.append(RowError(1, _("The file is empty.")))
        return report
    report.rows = len(rows)
    with_prices = any(r.values["cost_price"] is not None or r.values["retail_price"] is not None for r in rows)
    if with_prices and dealer is None:
        report.errors.append(RowError(1, _("Choose the dealer whose prices the file holds.")))
        return report
    require(by, ("parts.add_part", "parts.change_part"), message=_("Your role may not change the parts catalogue."))
    if with_prices:
        require(
            by, ("parts.add_partprice", "parts.change_partprice"), message=_("Your role may not change part prices.")
        )
        require(by, dealer=dealer)  # after the permissions: their message wins when both fail

    existing = _existing_parts({r.key[1] for r in rows} | {r.values["superseded_key"] for r in rows})
    prices = (
        {p.part_id: p for p in PartPrice.objects.filter(dealer=dealer, part__in=list(existing.values()))}
        if with_prices
        else {}
    )
    file_keys = {r.key for r in rows}
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.key in seen and row.key[1]:
            report.errors.append(
                RowError(row.line, _("The same part is already on line %(line)s.") % {"line": seen[row.key]})
            )
        seen.setdefault(row.key, row.line)
        part = existing.get(row.key)
        if part is None and row.key[1] and not row.values.get("name"):
            report.errors.append(RowError(row.line, _("A new part needs a name.")))
        replacement = (row.key[0], row.values["superseded_key"])
        if replacement[1] == row.key[1] and replacement[1]:
            report.errors.append(RowError(row.line, _("A part cannot be superseded by itself.")))
        elif replacement[1] and replacement not in file_keys and replacement not in existing:
            report.errors.append(
                RowError(
                    row.line,
                    _("Replacement part %(number)s is neither in the file nor in the catalogue.")
                    % {"number": row.values["superseded_by"]},
                )
            )
        cost, retail = row.values["cost_price"], row.values["retail_price"]
        has_price = part is not None and part.pk in prices
        if (cost is None) != (retail is None) and not has_price and not row.values.get("bad_price"):
            report.errors.append(RowError(row.line, _("A new price needs both the cost and the retail price.")))
    if not report.errors:
        report.errors.extend(_supersession_loops(rows))
    if report.errors:
        report.errors.sort(key=lambda e: e.line)
        return report
    _write(rows, existing, prices, dealer, by, report)
    return report


def _supersession_loops(rows: list[_Row]) -> list[RowError]:
    """Rows whose replacement, with the file applied to the catalogue, leads back to the part (A → B → A)."""
    replaced_by = {
        (brand, key): (new_brand, new_key)
        for brand, key, new_brand, new_key in Part.objects.filter(superseded_by__isnull=False).values_list(
            "brand", "number_key", "superseded_by__brand", "superseded_by__number_key"
        )
    }
    numbers = {}
    for row in rows:
        numbers[row.key] = row.values["part_number"]
        if row.values["superseded_key"]:
            replaced_by[row.key] = (row.key[0], row.values["superseded_key"])
    errors = []
    for row in rows:
        if not row.values["superseded_key"]:
            continue
        path, step, seen = [row.key], replaced_by.get(row.key), {row.key}
        while step is not None and step not in seen:
            seen.add(step)
            path.append(step)
            step = replaced_by.get(step)
        if step == row.key:
            chain = " → ".join(numbers.get(key, key[1]) for key in [*path, row.key])
            errors.append(
                RowError(row.line, _("The replacements make a loop (%(chain)s): a chain must end.") % {"chain": chain})
            )
    return errors


def _existing_parts(keys: set[str]) -> dict[tuple[str, str], Part]:
    found: dict[tuple[str, str], Part] = {}
    keys = sorted(k for k in keys if k)
    for start in range(0, len(keys), 500):
        for part in Part.objects.filter(number_key__in=keys[start : start + 500]):
            found[(part.brand, part.number_key)] = part
    return found


_PART_FIELDS = ("name", "category", "unit", "fitment")


@transaction.atomic
def _write(rows, existing, prices, dealer, by, report: ImportReport) -> None:
    """Write a checked file: parts first, then supersessions (a replacement may come later in the file), then prices."""
    parts: dict[tuple[str, str], Part] = dict(existing)
    updated: set[int] = set()
    for row in rows:
        part = parts.get(row.key)
        created = part is None
        if created:
            part = Part(brand=row.key[0], number=row.values["part_number"])
        changed = created
        for name in _PART_FIELDS:
            value = row.values.get(name)
            if value and getattr(part, name) != value:
                setattr(part, name, value)
                changed = True
        if changed:
            part._history_user = by
            part.save()
            report.created += created
            if not created:
                updated.add(part.pk)
        parts[row.key] = part
    for row in rows:
        replacement_key = row.values["superseded_key"]
        if not replacement_key:
            continue
        part, replacement = parts[row.key], parts[(row.key[0], replacement_key)]
        if part.superseded_by_id != replacement.pk:
            part.superseded_by = replacement
            part._history_user = by
            part.save(update_fields=["superseded_by"])
            if row.key in existing:
                updated.add(part.pk)
    report.updated = len(updated)
    for row in rows:
        cost, retail = row.values["cost_price"], row.values["retail_price"]
        if cost is None and retail is None:
            continue
        part = parts[row.key]
        price = prices.get(part.pk) or PartPrice(dealer=dealer, part=part)
        cost = price.cost_price if cost is None else cost
        retail = price.retail_price if retail is None else retail
        if price.pk and (price.cost_price, price.retail_price) == (cost, retail):
            continue
        price.cost_price, price.retail_price = cost, retail
        price._history_user = by
        price.save()
        report.prices += 1


def catalogue_export(*, dealer: Dealer | None) -> Iterator[list]:
    """The catalogue as rows in the order of ``HEADER``, with ``dealer``'s prices (blank without one)."""
    parts = Part.objects.select_related("superseded_by").order_by("brand", "number_key")
    if dealer is not None:
        parts = parts.prefetch_related(
            Prefetch("prices", queryset=PartPrice.objects.filter(dealer=dealer), to_attr="dealer_prices")
        )
    for part in parts.iterator(chunk_size=1000):
        price = part.dealer_prices[0] if dealer is not None and part.dealer_prices else None
        yield [
            part.number,
            part.name,
            part.brand,
            str(part.get_category_display()),
            str(part.get_unit_display()),
            part.superseded_by.number if part.superseded_by_id else "",
            part.fitment,
            price.cost_price if price else "",
            price.retail_price if price else "",
        ]
