"""`make run`: migrate, seed, then serve web, Celery worker and Celery beat together."""

import os
import signal
import subprocess
import sys
import time

PYTHON = sys.executable


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], check=True)  # noqa: S603


def main() -> None:
    port = os.environ.get("PORT", "8000")
    password = os.environ.get("DEMO_PASSWORD", "")
    manage("migrate", "--no-input")
    manage("seed_demo", *(["--password", password] if password else []))
    processes = [
        subprocess.Popen([PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]),  # noqa: S603
        subprocess.Popen(  # noqa: S603
            [PYTHON, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", "--concurrency=2"]
        ),
        subprocess.Popen([PYTHON, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"]),  # noqa: S603
    ]
    print(f"\n  Catalogue: http://127.0.0.1:{port}/   API docs: http://127.0.0.1:{port}/api/docs/")
    print("  Demo logins: admin, legal1, legal2, alice, bob, victor (password as printed above)")
    print("  Ctrl-C stops everything.\n", flush=True)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in processes:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in processes:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
