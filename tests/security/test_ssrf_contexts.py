"""Finding 23.1: a JSON-LD policy never makes the server fetch a URL it names.

A real HTTP listener on loopback counts every request it receives; every other outbound
connection (169.254.169.254, any address off this machine) is refused by a socket guard and
recorded, so these tests never send traffic anywhere even against unfixed code.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rdflib import Graph

from catalogue.models import ReusePolicy
from catalogue.odrl import PolicyError, parse_policy
from catalogue.odrl.vocab import ODRL_CONTEXT_URL
from catalogue.services.policy import policy_set
from tests.factories import ArtifactFactory
from tests.odrl.helpers import policy_doc


@dataclass
class Listener:
    url: str
    hits: list[str] = field(default_factory=list)


@pytest.fixture
def listener() -> Iterator[Listener]:
    """An HTTP server on 127.0.0.1 that answers every GET with a valid JSON-LD context."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            hits.append(self.path)
            body = b'{"@context": {"permission": "http://example.org/hijacked"}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Listener(url=f"http://127.0.0.1:{server.server_address[1]}", hits=hits)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def outbound(monkeypatch) -> list[object]:
    """Connections to anything but loopback are refused here and recorded (never sent)."""
    attempts: list[object] = []
    original = socket.socket.connect

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and (host.startswith("127.") or host in ("::1", "localhost")):
            return original(self, address)
        attempts.append(address)
        raise OSError("outbound connection refused by the test guard")

    def create_connection(address, *args, **kwargs):
        if address[0] not in ("127.0.0.1", "localhost", "::1"):
            attempts.append(address)
            raise OSError("outbound connection refused by the test guard")
        return original_create(address, *args, **kwargs)

    original_create = socket.create_connection
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return attempts


def _shapes(url: str) -> dict[str, tuple[dict, str]]:
    """Every place a JSON-LD document can name a context, with the path the refusal must name."""
    rule = {"action": "use"}
    return {
        "context string": (policy_doc(rule, **{"@context": url}), "@context"),
        "context list": (policy_doc(rule, **{"@context": [ODRL_CONTEXT_URL, url]}), "@context[1]"),
        "import": (
            policy_doc(rule, **{"@context": [ODRL_CONTEXT_URL, {"@import": url}]}),
            "@context[1].@import",
        ),
        "scoped context": (
            policy_doc(
                rule,
                **{
                    "@context": [
                        ODRL_CONTEXT_URL,
                        {
                            "permission": {
                                "@id": "http://www.w3.org/ns/odrl/2/permission",
                                "@context": url,
                            }
                        },
                    ]
                },
            ),
            "@context[1].permission.@context",
        ),
        "nested node context": (
            policy_doc({"action": "use", "@context": url}),
            "permission[0].@context",
        ),
        "wrapped context": (
            policy_doc(rule, **{"@context": [ODRL_CONTEXT_URL, {"@context": url}]}),
            "@context[1].@context",
        ),
    }


SHAPES = list(_shapes("http://x"))


def _refusal(doc: dict) -> PolicyError:
    with pytest.raises(PolicyError) as raised:
        parse_policy(doc)
    return raised.value


@pytest.mark.parametrize("shape", SHAPES)
def test_a_remote_context_on_loopback_is_refused_and_never_fetched(listener, outbound, shape):
    doc, where = _shapes(f"{listener.url}/ctx.jsonld")[shape]
    error = _refusal(doc)
    assert listener.hits == [] and outbound == []
    issue = error.errors[0]
    assert issue.path == where
    assert f"remote context '{listener.url}/ctx.jsonld' is not allowed" in issue.message
    assert ODRL_CONTEXT_URL in issue.message


@pytest.mark.parametrize("shape", SHAPES)
def test_the_metadata_address_is_never_reached(outbound, shape):
    doc, where = _shapes("http://169.254.169.254/latest/meta-data/")[shape]
    assert _refusal(doc).errors[0].path == where
    assert outbound == []


def test_a_file_url_is_refused_without_saying_whether_the_file_exists(outbound):
    messages = []
    for path in ("/etc/passwd", "/etc/no-such-file-here"):
        error = _refusal(policy_doc({"action": "use"}, **{"@context": f"file://{path}"}))
        messages.append(str(error).replace(path, "<path>"))
        assert "root:" not in str(error)
    assert messages[0] == messages[1]
    assert "not allowed" in messages[0]


def test_a_relative_context_is_not_read_from_the_working_directory(outbound):
    error = _refusal(
        policy_doc({"action": "use"}, **{"@context": "catalogue/odrl/odrl_context.jsonld"})
    )
    assert "not allowed" in error.errors[0].message


@pytest.mark.parametrize("url", [ODRL_CONTEXT_URL, ODRL_CONTEXT_URL.replace("http:", "https:")])
def test_the_bundled_odrl_context_still_resolves(listener, outbound, url):
    for doc in (
        policy_doc({"action": "use"}, **{"@context": url}),
        policy_doc({"action": "use"}, **{"@context": [{"@import": url}]}),
    ):
        policy = parse_policy(doc)
        assert [r.action for r in policy.permissions] == ["http://www.w3.org/ns/odrl/2/use"]
    assert listener.hits == [] and outbound == []


def test_rdflib_itself_cannot_fetch_a_context(listener, outbound):
    """Defence in depth: even a parse that skips our checks gets no context from the network."""
    doc = f'{{"@context": "{listener.url}/direct.jsonld", "@id": "urn:x", "p": "v"}}'
    with pytest.raises(Exception, match="not allowed"):
        Graph().parse(data=doc, format="json-ld")
    with pytest.raises(Exception, match="not allowed"):
        Graph().parse(
            data='{"@context": "http://169.254.169.254/", "@id": "urn:x"}', format="json-ld"
        )
    assert listener.hits == [] and outbound == []


@pytest.mark.django_db
def test_the_policy_api_answers_400_and_fetches_nothing(
    listener, outbound, api_client_for, alice, retail
):
    artifact = ArtifactFactory(owner_team=retail)
    client = api_client_for(alice)
    for shape, (doc, where) in _shapes(f"{listener.url}/api.jsonld").items():
        doc = dict(doc, target=artifact.iri)
        response = client.put(f"/api/v1/artifacts/{artifact.slug}/policy/", doc, format="json")
        assert response.status_code == 400, shape
        issue = response.json()["odrl"][0]
        assert issue["path"] == where and "is not allowed" in issue["message"], shape
    assert listener.hits == [] and outbound == []
    assert artifact.policies.count() == 0


@pytest.mark.django_db
def test_a_policy_stored_before_the_fix_is_never_fetched_when_read(
    listener, outbound, client, alice, retail
):
    """A policy saved earlier with a remote context: the artifact's pages read it without fetching."""
    artifact = ArtifactFactory(owner_team=retail)
    policy = policy_set(
        acting_user=alice,
        artifact=artifact,
        odrl=dict(policy_doc({"action": "use"}), target=artifact.iri),
    )
    doc = dict(
        policy_doc({"action": "use"}, **{"@context": f"{listener.url}/stored.jsonld"}),
        target=artifact.iri,
    )
    ReusePolicy.objects.filter(pk=policy.pk).update(odrl=doc)
    client.force_login(alice)
    assert client.get(f"/artifacts/{artifact.slug}/policy/").status_code == 200
    assert client.get(f"/artifacts/{artifact.slug}/").status_code == 200
    assert listener.hits == [] and outbound == []
