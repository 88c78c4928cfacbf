"""Every page obeys the CSP (nonced scripts and styles, no style= or on*= attributes), carries
CSRF tokens in its POST forms, and nothing but the login page and the health check is public."""

from html.parser import HTMLParser

import pytest

from .matrix import ROUTES, UNCLASSIFIED_ALLOWED
from .test_no_leaks import _path
from .urlconf import all_routes, is_format_variant

pytestmark = pytest.mark.django_db
PUBLIC = {"healthz", "accounts/login/"}
API_PUBLIC = {"api/v1/auth/token/"}


class _Markup(HTMLParser):
    """Collects CSP violations and POST forms without a CSRF token."""

    def __init__(self, nonce: str):
        super().__init__()
        self.nonce = nonce
        self.problems: list[str] = []
        self.open_post_form = False
        self.form_has_token = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in attrs:
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
        if tag in {"script", "style"} and "src" not in attrs and attrs.get("nonce") != self.nonce:
            self.problems.append(f"inline <{tag}> without the response's nonce")
        if tag == "a" and (attrs.get("href") or "").lower().startswith("javascript:"):
            self.problems.append("javascript: link")
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self.open_post_form, self.form_has_token = True, False
        if tag == "input" and attrs.get("name") == "csrfmiddlewaretoken" and attrs.get("value"):
            self.form_has_token = True

    def handle_endtag(self, tag):
        if tag == "form" and self.open_post_form:
            if not self.form_has_token:
                self.problems.append("POST form without a CSRF token")
            self.open_post_form = False


def _web_probes():
    for route in all_routes():
        if (
            route.startswith(UNCLASSIFIED_ALLOWED)
            or route.startswith("api/v1/")
            or is_format_variant(route)
        ):
            continue
        yield from ((route, probe) for probe in ROUTES[route])


def _nonce(csp: str) -> str:
    for part in csp.replace(";", " ").split():
        if part.startswith("'nonce-"):
            return part[len("'nonce-") : -1]
    return ""


@pytest.mark.parametrize("username", ["admin_user", "legal1", "alice"])
def test_every_page_obeys_the_csp_and_protects_its_forms(request, world, client, username):
    client.force_login(request.getfixturevalue(username))
    ids = world.ids()
    problems, html_pages = [], 0
    for route, probe in _web_probes():
        path = _path(route, probe, ids, False)
        response = client.get(path)
        if response.status_code >= 500:
            problems.append(f"{path}: {response.status_code}")
        if not response.get("Content-Type", "").startswith("text/html") or response.streaming:
            continue  # SVG charts are served as images (<img src>), where style= cannot run script
        html_pages += 1
        csp = response.get("Content-Security-Policy", "")
        nonce = _nonce(csp)
        body = response.content.decode()
        if "script-src" not in csp or "unsafe-inline" in csp:
            problems.append(f"{path}: no strict CSP header")
        # Django adds the nonce once a template uses it: every full page does (base.html);
        # fragments and empty error bodies carry the policy without one, so nothing inline runs.
        if "<html" in body and not nonce:
            problems.append(f"{path}: a full page without a CSP nonce")
        parser = _Markup(nonce)
        parser.feed(body)
        problems += [f"{path}: {p}" for p in dict.fromkeys(parser.problems)]
    assert html_pages > 40
    assert problems == [], "\n".join(problems)


def test_the_markup_check_catches_violations():
    parser = _Markup("abc")
    parser.feed(
        '<script>x()</script><script nonce="abc">ok()</script><div style="color:red" onclick="x()">'
        '<svg><rect style="fill:red"/></svg><form method="post"><input name="q"></form>'
    )
    assert parser.problems == [
        "inline <script> without the response's nonce",
        "<div style=...>",
        "<div onclick=...>",
        "<rect style=...>",
        "POST form without a CSRF token",
    ]


def test_anonymous_users_are_sent_to_login_from_every_page_and_get_401_from_the_api(world, client):
    ids = world.ids()
    problems = []
    for route in all_routes():
        if route.startswith(UNCLASSIFIED_ALLOWED):
            continue
        fmt = is_format_variant(route)
        from .urlconf import base_of

        probe = ROUTES[base_of(route) if fmt else route][0]
        path = _path(route, probe, ids, fmt)
        response = client.get(path)
        status = response.status_code
        if route in PUBLIC:
            ok = status == 200
        elif route in API_PUBLIC:
            ok = status == 405  # POST only; open by design
        elif path.startswith("/api/v1/"):
            ok = (
                status == 401 and "detail" in response.content.decode()
            )  # the schema answers in YAML
        else:
            ok = status == 302 and response["Location"].startswith("/accounts/login/")
        if not ok:
            problems.append(f"{path}: {status} {response.get('Location', '')}")
    assert problems == [], "\n".join(problems)
