"""`make run`: migrate, seed, then serve web, Celery worker and Celery beat together."""

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

PYTHON = sys.executable
PASSWORD_FILE = Path(__file__).resolve().parent.parent / ".local" / "demo-password"


def _local_demo_password() -> str:
    """Generated once per checkout and kept in .local/, so restarts don't change the logins."""
    if not PASSWORD_FILE.exists():
        PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
        PASSWORD_FILE.write_text(secrets.token_urlsafe(12))
        PASSWORD_FILE.chmod(0o600)
    return PASSWORD_FILE.read_text().strip()


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], check=True)  # noqa: S603


def _stop_on_sigterm(signum, frame) -> None:
    raise KeyboardInterrupt  # same clean shutdown as Ctrl-C


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    port = os.environ.get("PORT", "8000")
    password = os.environ.get("DEMO_PASSWORD") or _local_demo_password()
    manage("migrate", "--no-input")
    manage("seed_demo", "--password", password)
    processes = [
        subprocess.Popen([PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]),  # noqa: S603
        subprocess.Popen(  # noqa: S603
            [PYTHON, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", "--concurrency=2"]
        ),
        subprocess.Popen([PYTHON, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"]),  # noqa: S603
    ]
    print(f"\n  Catalogue: http://127.0.0.1:{port}/   API docs: http://127.0.0.1:{port}/api/docs/")
    print(f"  Demo logins: admin, legal1, legal2, alice, bob, victor; password: {password}")
    print("  Ctrl-C stops everything.\n", flush=True)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in processes:
            if p.poll() is None:
                p.terminate()  # warm shutdown for Celery; a second SIGINT would be a cold one
        for p in processes:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
