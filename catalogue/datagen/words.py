"""Word lists and templates for generated bank-domain text.

Titles and summaries mix a few very common words ("customer", "journey") with rarer ones and
a per-artifact codename from a large synthetic vocabulary, so search has both common and
selective terms. "mortgage" appears in a share of titles, so "mortage" exercises typo tolerance.
"""

DOMAINS = (
    "mortgage",
    "credit card",
    "current account",
    "savings",
    "personal loan",
    "business banking",
    "wealth",
    "insurance",
    "payments",
    "fraud",
    "collections",
    "onboarding",
    "pensions",
    "foreign exchange",
    "overdraft",
    "car finance",
    "student account",
    "trade finance",
)
TOPICS = (
    "affordability",
    "churn",
    "retention",
    "pricing",
    "eligibility",
    "risk",
    "complaints",
    "cross-sell",
    "activation",
    "arrears",
    "identity",
    "authentication",
    "statement",
    "rewards",
    "cashback",
    "limit increase",
    "switching",
    "dispute",
    "vulnerability",
    "hardship",
)
KIND_NOUNS = {
    "ai_model": ("scoring model", "propensity model", "classifier", "forecasting model"),
    "prompt_template": ("prompt template", "assistant prompt", "summarisation prompt"),
    "customer_journey": ("journey", "customer journey", "flow"),
    "product_concept": ("product concept", "proposition", "concept"),
    "pricing_design": ("pricing design", "tariff", "rate card"),
    "content": ("email copy", "landing page copy", "FAQ content", "letter template"),
    "design_component": ("design component", "form pattern", "card component"),
    "experiment_template": ("experiment template", "A/B test plan", "trial design"),
    "dataset": ("dataset", "feature set", "training data extract"),
    "code_component": ("service component", "API client", "rules engine module"),
    "other": ("playbook", "toolkit", "checklist"),
}
ADJECTIVES = (
    "simplified",
    "digital",
    "instant",
    "guided",
    "personalised",
    "automated",
    "accessible",
    "mobile-first",
    "explainable",
    "real-time",
    "low-friction",
    "inclusive",
    "proactive",
)
AUDIENCES = (
    "first-time buyers",
    "small businesses",
    "students",
    "retirees",
    "high-net-worth clients",
    "customers in financial difficulty",
    "new-to-bank customers",
    "premier customers",
)
OUTCOMES = (
    "reduce drop-off",
    "lower cost to serve",
    "improve conversion",
    "cut complaint volumes",
    "speed up decisions",
    "increase digital adoption",
    "improve fairness of outcomes",
    "reduce fraud losses",
    "shorten time to market",
)
CONSTRAINTS = (
    "Consumer Duty fair value assessment required before reuse.",
    "No special category data; UK GDPR Article 9 applies to any extension.",
    "Model risk tier 2: annual validation by the model risk team.",
    "Marketing use needs a fresh financial promotions approval.",
    "Customer data stays in the UK region.",
    "PCI DSS scope: card numbers must be tokenised.",
    "Explainability: adverse decisions need reason codes.",
)
CONSTRAINT_TAGS = (
    "consumer-duty",
    "gdpr",
    "model-risk",
    "finprom",
    "data-residency",
    "pci-dss",
    "explainability",
)
TAGS = (
    "mortgages",
    "cards",
    "loans",
    "savings",
    "payments",
    "fraud",
    "onboarding",
    "retention",
    "pricing",
    "ml",
    "genai",
    "accessibility",
    "branch",
    "mobile",
    "web",
    "email",
    "collections",
    "wealth",
    "insurance",
    "sme",
    "open-banking",
    "kyc",
    "aml",
    "vulnerability",
    "esg",
    "experimentation",
    "design-system",
    "analytics",
    "nlp",
    "forecasting",
)
TEAM_NAMES = (
    "Retail Mortgages",
    "Cards",
    "Personal Loans",
    "Savings",
    "Payments",
    "Fraud Strategy",
    "Collections",
    "Onboarding",
    "Wealth",
    "Insurance",
    "Business Banking",
    "Digital Channels",
    "Branch Network",
    "Contact Centre",
    "Data Science",
    "Marketing",
    "Pricing",
    "Design System",
    "Risk Analytics",
    "Customer Experience",
)
INITIATIVES = (
    "Spring campaign",
    "Journey refresh",
    "Cost-to-serve programme",
    "Digital first",
    "Fair value review",
    "Retention drive",
    "New app release",
    "Branch modernisation",
    "Pricing review",
    "Fraud sprint",
)
ORGANISATIONS = (
    "Acme Research",
    "Northwind Agency",
    "Contoso Partners",
    "University of Leeds",
    "Fabrikam Design",
    "",
)

_ONSETS = (
    "b",
    "d",
    "f",
    "g",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "z",
    "br",
    "dr",
    "kr",
    "st",
    "tr",
    "vel",
)
_VOWELS = ("a", "e", "i", "o", "u")
_CODAS = ("", "n", "r", "x", "k", "l", "s")


def codename(i: int) -> str:
    """A pronounceable pseudo-word unique per i below ~1.6M (a selective search term)."""
    parts = []
    for _ in range(3):
        i, a = divmod(i, len(_ONSETS))
        i, b = divmod(i, len(_VOWELS))
        parts.append(_ONSETS[a] + _VOWELS[b])
    i, c = divmod(i, len(_CODAS))
    word = "".join(parts) + _CODAS[c]
    return word if i == 0 else f"{word}{i}"
