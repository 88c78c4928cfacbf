"""Demo data for `seed_demo`. Each capability adds a seeder module; all are idempotent.

A seeder is `seed(*, password, context) -> dict`; what it returns is merged into `context`.
"""

from . import catalogue, outcomes, people

# Run in order; later seeders may rely on what earlier ones created.
SEEDERS = [people.seed, catalogue.seed]
# Rights right after the catalogue: policies, publishing and reuses (outcomes measure them).
from . import rights  # noqa: E402

SEEDERS.insert(SEEDERS.index(catalogue.seed) + 1, rights.seed)
# Outcomes report on the reuses the rights seeder records: keep this one last.
SEEDERS.append(outcomes.seed)
# Retirement last: it deprecates and archives artifacts the seeders above reuse and measure.
from . import retirement  # noqa: E402

SEEDERS.append(retirement.seed)
# Legal right after the catalogue (before rights publishes, so cleared co-created work passes the
# legal gates); the withdrawal once reuses exist, before retirement.
from . import legal  # noqa: E402

SEEDERS.insert(SEEDERS.index(catalogue.seed) + 1, legal.seed)
SEEDERS.insert(SEEDERS.index(outcomes.seed) + 1, legal.seed_withdrawal)
SEEDERS.insert(SEEDERS.index(outcomes.seed), legal.seed_live_reuse)
