from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalogue.rules import RuleViolation
from catalogue.services.artifacts import ensure_credit_within_one

shares = st.lists(st.decimals(min_value=0, max_value=1, places=3), max_size=6)


@given(shares)
def test_credit_rule_refuses_exactly_sums_over_one(values):
    authors = [{"credit_share": v} for v in values]
    if sum(values, Decimal(0)) > 1:
        with pytest.raises(RuleViolation) as exc:
            ensure_credit_within_one(authors)
        assert [r.code for r in exc.value.reasons] == ["authorship.credit_over_one"]
    else:
        ensure_credit_within_one(authors)
