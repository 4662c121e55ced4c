"""Change items (`changes[]`) read clause by clause from a change message.

Each clause ("数量改成500件", "交期推迟一周", "颜色换成白色", "加急") is offered
to the readers in turn -- spec, due date, quantity, operations (one module
each) -- until none finds more; a reader blanks what it read, so one clause
may carry several items ("500件 下周三交"). Items come out in text order. A
field named without a value ("交期改一下") is reported as `missing` so the
caller can ask for it; a later clause may supply the value ("…，改成一万二件").
"""

from __future__ import annotations

from bot.parsing import synonyms as syn
from bot.parsing.command import Change
from bot.parsing.due_field import read_due
from bot.parsing.fieldkit import ASKING, FieldResult, negated
from bot.parsing.operation_field import read_operation
from bot.parsing.quantity_field import read_quantity
from bot.parsing.relative_field import read_relative
from bot.parsing.scan import Scan
from bot.parsing.spec_field import read_spec, read_spec_value


def extract_changes(scan: Scan) -> FieldResult:
    """All change items in message order."""
    result = FieldResult()
    positions: list[int] = []  # where in the text each change was read
    carry: str | None = None  # a field named without its value, for the next clause
    for start, end in scan.clauses():
        if _unchanged(scan, start, end):
            continue
        before = scan.work
        _priority(scan, start, end, result)
        _note_positions(before, scan.work, result, positions)
        found = False
        for _ in range(3):  # "500件 下周三交": a clause may hold a quantity and a date
            before = scan.work
            if not (read_relative(scan, start, end, result)
                    or read_spec(scan, start, end, result, carry)
                    or read_due(scan, start, end, result, carry)
                    or read_quantity(scan, start, end, result, carry)
                    or read_operation(scan, start, end, result)
                    or read_spec_value(scan, start, end, result)):
                break
            _note_positions(before, scan.work, result, positions)
            found = True
            if result.missing is not None:
                break
        if result.missing is not None:  # "颜色改一下，改成灰色": the next clause may say
            carry, result.missing = result.missing, None
        elif found:
            carry = None
        else:
            carry = _named_field(scan, start, end, result) or carry
    if carry and not any(c.field == carry for c in result.changes):
        result.missing = carry
    _in_text_order(result, positions)
    return result


def _note_positions(before: str, after: str, result: FieldResult, positions: list[int]) -> None:
    """Record, for changes just added, the first character their reading consumed."""
    if len(result.changes) == len(positions):
        return
    changed = next((i for i, (a, b) in enumerate(zip(before, after, strict=False))
                    if a != b and not a.isspace() and a != "#"), len(after))
    positions.extend([changed] * (len(result.changes) - len(positions)))


def _in_text_order(result: FieldResult, positions: list[int]) -> None:
    """Changes in the order they were written, whatever the order of reading."""
    order = sorted(range(len(result.changes)), key=lambda i: positions[i])
    if order == list(range(len(order))):
        return
    moved = {old: new for new, old in enumerate(order)}
    result.changes = [result.changes[i] for i in order]
    result.uncertain = [(moved[i], kind, match) for i, kind, match in result.uncertain]


def _unchanged(scan: Scan, start: int, end: int) -> bool:
    """"数量不变", "交期照旧", "qty stays the same": a field named to say it
    stays; the clause is read (blanked) and yields nothing."""
    hit = syn.NO_CHANGE_LEX.search(scan.work, start, end)
    if hit is None or scan.numbers_in(start, end) or scan.dates_in(start, end):
        return False
    cue = (syn.QTY_CUE_LEX.search(scan.work, start, hit.start)
           or syn.DUE_CUE_LEX.search(scan.work, start, hit.start)
           or syn.SPEC_KEY_LEX.search(scan.work, start, hit.start)
           or syn.PRIORITY_LEX.search(scan.work, start, hit.start))
    if cue is None:
        return False
    scan.blank(start, end)
    return True


def _priority(scan: Scan, start: int, end: int, result: FieldResult) -> None:
    hit = syn.PRIORITY_LEX.search(scan.work, start, end)
    if hit is None:
        return
    tag = hit.tag
    if tag == "rush" and negated(scan.work, start, hit.start):
        tag = "normal"  # "不要加急", "别加急", "no need to rush"
    scan.blank(hit.start, hit.end)
    if not any(c.field == "priority" for c in result.changes):
        result.changes.append(Change("priority", tag))


def _named_field(scan: Scan, start: int, end: int, result: FieldResult) -> str | None:
    """"交期改一下" -> "due_date": the field is named, its value is not.

    A verb of changing must be there too: "数量是多少" asks, it changes nothing.
    The verb may stand in an earlier clause ("change SO-12 | due date").
    """
    changing = syn.CHANGE_VERB_LEX.search(scan.work, 0, end) is not None
    if syn.QTY_CUE_LEX.search(scan.work, start, end) and (changing or any(
            h.tag != "none" for h in syn.QTY_VERB_LEX.finditer(scan.work, start, end))):
        return "quantity"
    if syn.DUE_CUE_LEX.search(scan.work, start, end) and (
            changing or syn.DATE_SET_LEX.search(scan.work, start, end)):
        return "due_date"
    if (scan.order is not None and syn.DUE_SHIFT_LEX.search(scan.work, start, end)
            and not ASKING.search(scan.work, start, end)
            and "会不会" not in scan.work[start:end]):
        return "due_date"  # "SO-12 尽量提前": earlier, but by how much? ("会延期吗" only asks)
    key = syn.SPEC_KEY_LEX.search(scan.work, start, end)
    if key and key.text != "色" and changing:
        result.missing_key = key.tag
        return "spec"
    return None
