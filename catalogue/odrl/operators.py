"""Typed comparison of operand values and the ODRL 2.2 constraint operators."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from .model import Operand, StateOfWorld
from .vocab import ODRL


def _local(text: str) -> str:
    for sep in ("#", "/", ":"):
        text = text.rsplit(sep, 1)[-1]
    return text


def _as_decimal(value: object) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def compare(left: Operand, right: Operand) -> int | None:
    """-1/0/1 ordering of two operands after type coercion; None when incomparable."""
    lv, rv = left.value, right.value
    if isinstance(lv, datetime) or isinstance(rv, datetime):
        if isinstance(lv, datetime) and isinstance(rv, datetime):
            return (lv > rv) - (lv < rv)
        # dateTime against date compares calendar days (in UTC).
        ld = lv.astimezone(UTC).date() if isinstance(lv, datetime) else lv
        rd = rv.astimezone(UTC).date() if isinstance(rv, datetime) else rv
        if type(ld) is not type(rd):
            return None
        return (ld > rd) - (ld < rd)  # type: ignore[operator]
    if left.kind == "date" and right.kind == "date":
        return (lv > rv) - (lv < rv)  # type: ignore[operator]
    if "decimal" in (left.kind, right.kind):
        ln, rn = _as_decimal(lv), _as_decimal(rv)
        if ln is None or rn is None:
            return None
        return (ln > rn) - (ln < rn)
    ls, rs = str(lv), str(rv)
    if ls != rs and "iri" in (left.kind, right.kind) and left.kind != right.kind:
        # A plain code ("marketing") matches an IRI ending in that code.
        ls, rs = _local(ls), _local(rs)
    return (ls > rs) - (ls < rs)


def equal(left: Operand, right: Operand) -> bool:
    """Typed equality."""
    return compare(left, right) == 0


def _ordered(test: Callable[[int], bool]) -> Callable[..., bool]:
    def check(lefts: tuple[Operand, ...], rights: tuple[Operand, ...], _: StateOfWorld) -> bool:
        results = [compare(lv, rv) for lv in lefts for rv in rights]
        return bool(results) and all(r is not None and test(r) for r in results)

    return check


def _eq(lefts: tuple[Operand, ...], rights: tuple[Operand, ...], _: StateOfWorld) -> bool:
    return all(any(equal(lv, rv) for rv in rights) for lv in lefts)


def _none_of(lefts: tuple[Operand, ...], rights: tuple[Operand, ...], _: StateOfWorld) -> bool:
    return not any(equal(lv, rv) for lv in lefts for rv in rights)


def _all_of(lefts: tuple[Operand, ...], rights: tuple[Operand, ...], _: StateOfWorld) -> bool:
    # The left value set must contain every right operand value.
    return all(any(equal(lv, rv) for lv in lefts) for rv in rights)


def _is_a(lefts: tuple[Operand, ...], rights: tuple[Operand, ...], state: StateOfWorld) -> bool:
    def one(lv: Operand) -> bool:
        classes = state.types.get(str(lv.value), set())
        return any(equal(lv, rv) or str(rv.value) in classes for rv in rights)

    return all(one(lv) for lv in lefts)


def _part_of(lefts: tuple[Operand, ...], rights: tuple[Operand, ...], state: StateOfWorld) -> bool:
    def one(lv: Operand) -> bool:
        parents = state.collections_of(str(lv.value))
        return any(equal(lv, rv) or str(rv.value) in parents for rv in rights)

    return all(one(lv) for lv in lefts)


def _has_part(lefts: tuple[Operand, ...], rights: tuple[Operand, ...], state: StateOfWorld) -> bool:
    def one(rv: Operand) -> bool:
        parents = state.collections_of(str(rv.value))
        return any(equal(lv, rv) or str(lv.value) in parents for lv in lefts)

    return all(one(rv) for rv in rights)


OPERATOR_FUNCS: dict[str, Callable[[tuple[Operand, ...], tuple[Operand, ...], StateOfWorld], bool]]
OPERATOR_FUNCS = {
    ODRL + "eq": _eq,
    ODRL + "neq": _none_of,
    ODRL + "lt": _ordered(lambda c: c < 0),
    ODRL + "lteq": _ordered(lambda c: c <= 0),
    ODRL + "gt": _ordered(lambda c: c > 0),
    ODRL + "gteq": _ordered(lambda c: c >= 0),
    ODRL + "isAnyOf": _eq,
    ODRL + "isAllOf": _all_of,
    ODRL + "isNoneOf": _none_of,
    ODRL + "isA": _is_a,
    ODRL + "isPartOf": _part_of,
    ODRL + "hasPart": _has_part,
}


def apply_operator(
    operator: str, lefts: tuple[Operand, ...], rights: tuple[Operand, ...], state: StateOfWorld
) -> bool:
    """Whether ``lefts operator rights`` holds; an empty left side never satisfies."""
    func = OPERATOR_FUNCS.get(operator)
    return bool(lefts) and func is not None and func(lefts, rights, state)
