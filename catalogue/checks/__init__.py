"""The rights check (Rule 3) as a registry of small checks, each with its set form.

A check is `check(request: RightsRequest, ctx: RightsContext) -> CheckOutcome`. It adds deny
reasons, warnings, duties and notes (reasons that explain a permit) with stable codes; the
service `services/rights.rights_check` runs every registered check and combines them:
any deny reason denies.

Every check that can deny must also give its *set form* to `register(..., set_form=...)`:
`set_form(queryset, request: SetRequest) -> queryset` narrows an artifact queryset to the
artifacts the check would not deny. `querysets.reusable_by` applies every set form, so the
list filter and the single check stay the same rule (tests/rights asserts they agree).

Registration order is the `order` number: lifecycle 10, policy 20; the legal checks
(review, IP chain, consent) use 30+ from `checks/legal.py`. The request, context and registry
are in `checks/base.py`; importing this package registers every check. Checks must use `ctx` for shared data (ancestors, policy, authorships): it loads each
thing once, so a check costs a bounded number of queries whatever the lineage size.
"""

# Registration happens on import; the `order` numbers, not the import order, set the sequence.
from . import legal, lifecycle, policy  # noqa: F401
from .base import (
    BOTH,
    CHECKS,
    CheckOutcome,
    RegisteredCheck,
    RightsContext,
    RightsRequest,
    SetRequest,
    home_jurisdiction,
    register,
    set_forms,
)

__all__ = [
    "BOTH",
    "CHECKS",
    "CheckOutcome",
    "RegisteredCheck",
    "RightsContext",
    "RightsRequest",
    "SetRequest",
    "home_jurisdiction",
    "register",
    "set_forms",
]
