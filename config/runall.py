"""`make run`: database roles, migrate (as the owner), seed, then web, Celery worker and beat
(as the application role), each supervised: a child that dies is restarted with backoff and
logged, the others keep running; Ctrl-C or SIGTERM stops them all."""

import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from config import dbroles

PYTHON = sys.executable
PASSWORD_FILE = Path(__file__).resolve().parent.parent / ".local" / "demo-password"
log = logging.getLogger("runall")


def _local_demo_password() -> str:
    """Generated once per checkout and kept in .local/, so restarts don't change the logins."""
    if not PASSWORD_FILE.exists():
        PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
        PASSWORD_FILE.write_text(secrets.token_urlsafe(12))
        PASSWORD_FILE.chmod(0o600)
    return PASSWORD_FILE.read_text().strip()


def manage(*args: str, env: Mapping[str, str] | None = None) -> None:
    subprocess.run([PYTHON, "manage.py", *args], check=True, env=env)  # noqa: S603


def role_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The product's environment: DATABASE_URL as the app role, DATABASE_OWNER_URL for migrate.

    Given a superuser DATABASE_URL (the embedded server, CI), the roles are created on it first.
    Given DATABASE_OWNER_URL already, both URLs are used as they are.
    """
    env = dict(environ)
    if env.get("DATABASE_OWNER_URL") or not env.get("DATABASE_URL"):
        return env
    if not dbroles.is_superuser(env["DATABASE_URL"]):
        log.warning(
            "DATABASE_URL is not a superuser and DATABASE_OWNER_URL is unset: running as that role"
        )
        return env
    env.update(dbroles.setup(env["DATABASE_URL"]))
    log.info(
        "database roles ready: migrate as %s, serve as %s", dbroles.OWNER_ROLE, dbroles.APP_ROLE
    )
    return env


@dataclass
class Child:
    name: str
    command: Sequence[str]
    process: subprocess.Popen | None = None
    restarts: int = 0
    started_at: float = 0.0
    next_start: float = 0.0


@dataclass
class Supervisor:
    """Keeps each named command running; a crash restarts only that one, after a backoff that
    doubles (capped) while it keeps crashing and resets once it has stayed up a while."""

    commands: Mapping[str, Sequence[str]]
    env: Mapping[str, str] | None = None
    backoff: float = 1.0
    max_backoff: float = 30.0
    stable_after: float = 60.0
    stop_timeout: float = 15.0
    children: dict[str, Child] = field(init=False)

    def __post_init__(self) -> None:
        self.children = {name: Child(name, list(cmd)) for name, cmd in self.commands.items()}

    def start(self) -> None:
        for child in self.children.values():
            self._spawn(child)

    def _spawn(self, child: Child) -> None:
        child.process = subprocess.Popen(child.command, env=self.env)  # noqa: S603 - our own commands
        child.started_at = time.monotonic()
        log.info("%s started (pid %s)", child.name, child.process.pid)

    def poll(self) -> None:
        """Reap dead children and restart those whose backoff has passed."""
        now = time.monotonic()
        for child in self.children.values():
            if child.process is None:
                if now >= child.next_start:
                    self._spawn(child)
                continue
            code = child.process.poll()
            if code is None:
                continue
            if now - child.started_at >= self.stable_after:
                child.restarts = 0
            delay = min(self.backoff * 2**child.restarts, self.max_backoff)
            child.restarts += 1
            log.error(
                "%s (pid %s) exited with %s: restarting in %.1fs",
                child.name,
                child.process.pid,
                code,
                delay,
            )
            child.process, child.next_start = None, now + delay

    def pids(self) -> dict[str, int | None]:
        return {name: c.process.pid if c.process else None for name, c in self.children.items()}

    def run(self, interval: float = 0.5) -> None:
        """Supervise until KeyboardInterrupt (Ctrl-C, or SIGTERM turned into one), then stop all."""
        self.start()
        try:
            while True:
                time.sleep(interval)
                self.poll()
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def stop(self) -> None:
        running = [
            c.process for c in self.children.values() if c.process and c.process.poll() is None
        ]
        for process in running:
            process.terminate()  # warm shutdown for Celery; a second SIGINT would be a cold one
        for process in running:
            try:
                process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for child in self.children.values():
            child.process = None


def _stop_on_sigterm(signum, frame) -> None:
    raise KeyboardInterrupt  # same clean shutdown as Ctrl-C


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="runall: %(message)s", stream=sys.stdout)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    port = os.environ.get("PORT", "8000")
    password = os.environ.get("DEMO_PASSWORD") or _local_demo_password()
    env = role_environment(os.environ)
    manage("migrate", "--no-input", env=env)
    manage("seed_demo", "--password", password, env=env)
    supervisor = Supervisor(
        {
            "web": [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            "worker": [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=INFO",
                "--concurrency=2",
            ],
            "beat": [PYTHON, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"],
        },
        env=env,
    )
    print(f"\n  Catalogue: http://127.0.0.1:{port}/   API docs: http://127.0.0.1:{port}/api/docs/")
    print(f"  Demo logins: admin, legal1, legal2, alice, bob, victor; password: {password}")
    print("  A crashed web, worker or beat is restarted. Ctrl-C stops everything.\n", flush=True)
    supervisor.run()


if __name__ == "__main__":
    main()
