"""Members from a CSV or XLSX file: read it, check every row as the invitation form would, and
show a preview. The import itself (services.memberships_import) is all or nothing."""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from projects.core.forms import InviteForm
from projects.core.models import Membership, Project, User
from projects.permissions import Role

MAX_BYTES = 1024 * 1024


MAX_ROWS = 500


MAX_UNZIPPED = 20 * 1024 * 1024  # an XLSX is a zip: refuse one that inflates beyond this


# openpyxl trusts a sheet's declared dimensions and pads every row to them: a stray cell at XFD2000
# would make 16,384 × 2,000 cells. A sheet declaring more than this is refused before it is read.
MAX_COLUMNS = 50

MAX_CELL = 1000  # characters; the csv module's own limit (128 KB) would raise instead


# Field → column title. A column is recognised by its key or its title in either language.
COLUMNS = {
    "email": gettext_lazy("E-mail address"),
    "full_name": pgettext_lazy("person", "Name"),
    "role": gettext_lazy("Role"),
    "department": gettext_lazy("Department"),
    "title": gettext_lazy("Job title"),
    "active_until": gettext_lazy("Active until"),
    "is_key": gettext_lazy("Key person"),
    "receives_reports": gettext_lazy("Receives status reports"),
}


ALIASES = {"email": {"e-mail", "mail", "邮箱"}, "full_name": {"name", "姓名"}}


YES = {"1", "y", "yes", "true", "x", "是", "✓"}


NO = {"0", "n", "no", "false", "否"}


class ImportFileError(Exception):
    """The file as a whole cannot be read (too big, not a spreadsheet, no e-mail column …)."""


class ImportRowsInvalid(Exception):
    def __init__(self, preview: "Preview"):
        super().__init__("rows with errors")
        self.preview = preview


@dataclass
class ImportRow:
    line: int
    values: dict
    errors: list[str] = field(default_factory=list)


@dataclass
class Preview:
    rows: list[ImportRow]

    @property
    def has_errors(self) -> bool:
        return any(row.errors for row in self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)


def _in_languages(text) -> set[str]:
    names = set()
    for language in ("en", "zh-hans"):
        with translation.override(language):
            names.add(str(text).strip().lower())
    return names


def _header_map(headers: list) -> dict[int, str]:
    known = {}
    for name, title in COLUMNS.items():
        for alias in {name, *_in_languages(title), *ALIASES.get(name, set())}:
            known[alias] = name
    mapping = {}
    for position, header in enumerate(headers):
        name = known.get(str(header or "").strip().lower())
        if name and name not in mapping.values():
            mapping[position] = name
    if "email" not in mapping.values():
        raise ImportFileError(_("The first row must name the columns, with at least an e-mail column."))
    return mapping


# --- Reading ------------------------------------------------------------------------------------


def _cell(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _csv_rows(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("gb18030", errors="replace")  # Excel in China saves CSV as GBK
    try:
        yield from csv.reader(io.StringIO(text))
    except csv.Error as error:
        raise ImportFileError(_("A cell of the file is too long or badly quoted.")) from error


def _xlsx_rows(content: bytes):
    from openpyxl import load_workbook  # imported here: openpyxl takes a second to load, only imports need it

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED:
                raise ImportFileError(_("The spreadsheet is too large."))
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds on a malformed or unusual workbook (chart sheets …)
        raise ImportFileError(_("This file cannot be read as an Excel workbook (.xlsx).")) from error
    if not workbook.worksheets:
        raise ImportFileError(_("The workbook has no sheet of rows (only charts)."))
    sheet = workbook.worksheets[0]
    if (sheet.max_row or 0) > MAX_ROWS + 1 or (sheet.max_column or 0) > MAX_COLUMNS:
        raise ImportFileError(
            _("The sheet is too large: at most %(rows)s rows and %(columns)s columns.")
            % {"rows": MAX_ROWS + 1, "columns": MAX_COLUMNS}
        )
    # Bounded even when the sheet declares no size at all.
    return sheet.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS, values_only=True)


def read_rows(name: str, content: bytes) -> list[dict]:
    """The rows of the file as {field: text}, with their line numbers; empty lines skipped."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 1 MB."))
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension == "csv":
        lines = _csv_rows(content)
    elif extension == "xlsx":
        lines = _xlsx_rows(content)
    else:
        raise ImportFileError(_("Upload a .csv or .xlsx file."))
    mapping = None
    rows = []
    for line, cells in enumerate(lines, 1):
        cells = [_cell(value) for value in cells]
        if any(len(cell) > MAX_CELL for cell in cells):
            raise ImportFileError(
                _("Line %(line)s has a cell longer than %(count)s characters.") % {"line": line, "count": MAX_CELL}
            )
        if not any(cells):
            continue
        if mapping is None:
            mapping = _header_map(cells)
            continue
        if len(rows) == MAX_ROWS:
            raise ImportFileError(_("At most %(count)s people per file.") % {"count": MAX_ROWS})
        values = {name: cells[position] if position < len(cells) else "" for position, name in mapping.items()}
        rows.append({"line": line, **{name: values.get(name, "") for name in COLUMNS}})
    if mapping is None:
        raise ImportFileError(_("The file is empty."))
    if not rows:
        raise ImportFileError(_("The file has no one to import."))
    return rows


# --- Checking -------------------------------------------------------------------------------------


def _role_names() -> dict[str, str]:
    names = {}
    for role in Role:
        for name in {role.value, *_in_languages(role.label)}:
            names[name.lower()] = role.value
    return names


def _flag(text: str, *, column, row: ImportRow, empty):
    lowered = text.strip().lower()
    if not lowered:
        return empty
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    row.errors.append(_("%(column)s: write yes or no, not “%(value)s”.") % {"column": column, "value": text})
    return empty


def check_rows(project: Project, raw_rows: list[dict]) -> Preview:
    """Every problem of every row, as the invitation would find it, plus those of the file as a whole."""
    roles = _role_names()
    emails = [User.objects.normalize_email(r["email"]).lower() for r in raw_rows]
    members = set(
        Membership.objects.active()
        .filter(project=project, user__email__in=emails)
        .values_list("user__email", flat=True)
    )
    inactive = set(User.objects.filter(email__in=emails, is_active=False).values_list("email", flat=True))
    seen: dict[str, int] = {}
    rows = []
    for raw, email in zip(raw_rows, emails, strict=True):
        row = ImportRow(line=raw["line"], values=dict(raw))
        role_text = raw["role"].strip().lower()
        role = roles.get(role_text, role_text)
        form = InviteForm(
            data={
                "email": raw["email"],
                "full_name": raw["full_name"],
                "role": role,
                "department": raw["department"],
                "title": raw["title"],
                "active_until": raw["active_until"],
            }
        )
        if form.is_valid():
            until = form.cleaned_data["active_until"]
            row.values["active_until"] = until.isoformat() if until else ""
        else:
            for name, errors in form.errors.items():
                if name == "role" and role_text:
                    row.errors.append(_("Unknown role “%(value)s”.") % {"value": raw["role"]})
                    continue
                label = form.fields[name].label if name in form.fields else ""
                row.errors += [f"{label}: {error}" if label else error for error in errors]
        row.values["role"] = role if role in Role.values else raw["role"]
        row.values["is_key"] = _flag(raw["is_key"], column=COLUMNS["is_key"], row=row, empty=False)
        row.values["receives_reports"] = _flag(
            raw["receives_reports"], column=COLUMNS["receives_reports"], row=row, empty=None
        )
        if email in seen:
            row.errors.append(_("Also on line %(line)s of the file.") % {"line": seen[email]})
        elif email:
            seen[email] = row.line
        if email in members:
            row.errors.append(_("Already a member of this project."))
        if email in inactive:
            row.errors.append(_("This account is deactivated; ask a site administrator to reactivate it."))
        rows.append(row)
    return Preview(rows=rows)


def invitation_of(row: ImportRow) -> dict:
    """The keyword arguments of membership_invite for a checked row."""
    values = row.values
    return {
        "email": values["email"],
        "full_name": values["full_name"],
        "role": values["role"],
        "department": values["department"],
        "title": values["title"],
        "active_until": datetime.date.fromisoformat(values["active_until"]) if values["active_until"] else None,
        "is_key": values["is_key"],
        "receives_reports": values["receives_reports"],
    }


def template_rows() -> tuple[list, list]:
    """The column titles in the reader's language and one example row."""
    headers = [str(title) for title in COLUMNS.values()]
    example = ["li.lei@example.com", "李雷", str(Role.KEY_USER.label), "销售部", "销售经理", "2027-06-30", "no", ""]
    return headers, example
