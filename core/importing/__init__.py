"""Importing spreadsheets: rows in, domain objects out, every bad row reported.

Factories keep orders, BOMs and routings in Excel. An import must either take
the whole file or nothing, and tell the clerk exactly which rows to fix, so
validation never stops at the first problem: each row is checked on its own
and against the rest of the file and what the database already holds.

Readers (bot/cli/importfile.py) hand in rows as dicts with their 1-based
source row number; `validate` turns them into an `ImportPlan`.
"""

from core.importing.plan import Existing, ImportPlan
from core.importing.sheets import (
    COLUMNS,
    SHEET_ALIASES,
    Column,
    ImportFileError,
    Kind,
    RowError,
    SourceRow,
    cell_text,
    column_key,
    kind_from_headers,
    normalise_rows,
    sheet_kind,
)
from core.importing.validate import validate

__all__ = [
    "COLUMNS", "SHEET_ALIASES", "Column", "Existing", "ImportFileError", "ImportPlan", "Kind",
    "RowError", "SourceRow", "cell_text", "column_key", "kind_from_headers", "normalise_rows",
    "sheet_kind", "validate",
]
