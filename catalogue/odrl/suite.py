"""Run an ODRL evaluator test suite laid out like SolidLabResearch/ODRL-Test-Suite.

Usage: ``python -m catalogue.odrl.suite DIR`` (DIR holds test_cases/, policies/,
requests/ and sotw/). Prints PASS/FAIL per case and ``N passed, M failed``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, Graph, URIRef

from .errors import PolicyError
from .evaluate import evaluate
from .parse import EX, REPORT, parse_policy, parse_request, parse_state_of_world


@dataclass(frozen=True)
class CaseResult:
    """Outcome of one test case; ``problems`` lists disagreements with the expectation."""

    name: str
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


def _defining_file(folder: Path, subject: URIRef) -> Graph:
    """Graph of the one file in ``folder`` that describes ``subject``."""
    for path in sorted(folder.glob("*.ttl")):
        # Cheap text pre-filter before parsing: big policies make full parses slow.
        if str(subject) not in path.read_text("utf-8"):
            continue
        graph = Graph().parse(path, format="turtle")
        if (subject, RDF.type, None) in graph:
            return graph
    raise FileNotFoundError(f"no file in {folder} defines {subject}")


def _expected(graph: Graph, report: URIRef) -> tuple[dict[str, str], dict[str, str]]:
    """Expected rule activation states and constraint satisfaction states."""
    rules: dict[str, str] = {}
    constraints: dict[str, str] = {}
    todo = list(graph.objects(report, URIRef(REPORT + "ruleReport")))
    for rule_report in todo:
        rule = graph.value(rule_report, URIRef(REPORT + "rule"))
        state = graph.value(rule_report, URIRef(REPORT + "activationState"))
        if rule is not None and state is not None:
            rules[str(rule)] = str(state).rsplit("#", 1)[-1]
        premises = list(graph.objects(rule_report, URIRef(REPORT + "premiseReport")))
        while premises:
            premise = premises.pop()
            constraint = graph.value(premise, URIRef(REPORT + "constraint"))
            sat = graph.value(premise, URIRef(REPORT + "satisfactionState"))
            if constraint is not None and sat is not None:
                constraints[str(constraint)] = str(sat).rsplit("#", 1)[-1]
            premises.extend(graph.objects(premise, URIRef(REPORT + "premiseReport")))
    return rules, constraints


def run_case(root: Path, case_file: Path) -> CaseResult:
    """Evaluate one test case with only its own policy, request and sotw files."""
    case = Graph().parse(case_file, format="turtle")
    node = next(case.subjects(RDF.type, URIRef(EX + "TestCase")))

    def ref(name: str) -> URIRef:
        return URIRef(str(case.value(node, URIRef(EX + name))))

    try:
        policy_uid, request_uid, sotw_uid = ref("policy"), ref("request"), ref("sotw")
        policy = parse_policy(
            _defining_file(root / "policies", policy_uid), uid=policy_uid, require_action=False
        )
        request = parse_request(_defining_file(root / "requests", request_uid), uid=request_uid)
        state = parse_state_of_world(_defining_file(root / "sotw", sotw_uid), uid=sotw_uid)
    except (PolicyError, FileNotFoundError) as exc:
        return CaseResult(case_file.stem, (f"could not load: {exc}",))
    report = evaluate(policy, request, state)
    rules, constraints = _expected(case, ref("expectedReport"))
    got_rules = {r.rule.uid: r.activation_state for r in report.rules}
    got_constraints = {
        c.uid: "Satisfied" if c.satisfied else "Unsatisfied" for c in report.constraint_reports()
    }
    problems = [
        f"rule {uid} expected {want}, got {got_rules.get(uid, 'no report')}"
        for uid, want in rules.items()
        if got_rules.get(uid) != want
    ] + [
        f"constraint {uid} expected {want}, got {got_constraints.get(uid, 'no report')}"
        for uid, want in constraints.items()
        if got_constraints.get(uid) != want
    ]
    return CaseResult(case_file.stem, tuple(problems))


def run_suite(root: Path) -> list[CaseResult]:
    """Results of every ``test_cases/*.ttl`` under ``root``, in name order."""
    return [run_case(root, f) for f in sorted((root / "test_cases").glob("*.ttl"))]


def main(argv: list[str] | None = None) -> int:
    """CLI entry point; returns the process exit code."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m catalogue.odrl.suite DIR", file=sys.stderr)
        return 2
    results = run_suite(Path(args[0]))
    for result in results:
        print(
            f"PASS {result.name}" if result.passed else f"FAIL {result.name}: {result.problems[0]}"
        )
    failed = sum(not r.passed for r in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
