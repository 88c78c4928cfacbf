"""`make run` supervision (issue 23 finding 5): a crashed child is restarted and logged, the others
keep running, SIGTERM still stops everything. Real processes: the supervisor from config.runall
in its own process, tiny sleeping children in place of web, worker and beat."""

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from config.runall import Supervisor

ROOT = Path(__file__).resolve().parents[2]
SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
STARTED = re.compile(r"(\w+) started \(pid (\d+)\)")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) still answers kill 0.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ", 1)[1][0] != "Z"


def _wait_for(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_a_killed_child_is_restarted_with_backoff_and_the_others_keep_their_pids():
    supervisor = Supervisor(
        {"web": SLEEPER, "worker": SLEEPER, "beat": SLEEPER}, backoff=0.2, max_backoff=0.4
    )
    supervisor.start()
    try:
        before = supervisor.pids()
        for crash in range(3):
            os.kill(supervisor.pids()["worker"], signal.SIGKILL)
            killed_at = time.monotonic()
            _wait_for(lambda: (supervisor.poll(), supervisor.children["worker"].process is None)[1])
            new_pid = _wait_for(lambda: (supervisor.poll(), supervisor.pids()["worker"])[1])
            # The backoff doubles and is capped: 0.2 s, then 0.4 s, 0.4 s.
            assert time.monotonic() - killed_at >= min(0.2 * 2**crash, 0.4) - 0.05
            assert new_pid != before["worker"] and _alive(new_pid)
        after = supervisor.pids()
        assert (after["web"], after["beat"]) == (before["web"], before["beat"])
        assert all(_alive(pid) for pid in after.values() if pid)
    finally:
        pids = [pid for pid in supervisor.pids().values() if pid]
        supervisor.stop()
    assert not any(_alive(pid) for pid in pids)


def test_supervisor_process_restarts_a_killed_child_logs_it_and_stops_all_on_sigterm(tmp_path):
    script = textwrap.dedent(f"""
        import logging, signal, sys
        from config.runall import Supervisor, _stop_on_sigterm
        logging.basicConfig(level=logging.INFO, format="runall: %(message)s", stream=sys.stdout, force=True)
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
        sleeper = {SLEEPER!r}
        Supervisor({{"web": sleeper, "worker": sleeper, "beat": sleeper}}, backoff=0.2).run(interval=0.1)
    """)
    log_path = tmp_path / "runall.log"
    with log_path.open("w") as log:
        runall = subprocess.Popen(
            [sys.executable, "-u", "-c", script], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )  # noqa: S603

    def started() -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for name, pid in STARTED.findall(log_path.read_text()):
            found.setdefault(name, []).append(int(pid))
        return found

    try:
        first = _wait_for(lambda: (s := started()) and len(s) == 3 and s)
        os.kill(first["worker"][0], signal.SIGKILL)
        again = _wait_for(lambda: (s := started()) and len(s["worker"]) == 2 and s)
        assert _alive(again["worker"][1])
        assert again["web"] == first["web"] and again["beat"] == first["beat"]
        assert _alive(first["web"][0]) and _alive(first["beat"][0])
        assert (
            f"worker (pid {first['worker'][0]}) exited with -9: restarting" in log_path.read_text()
        )
        assert runall.poll() is None
        runall.send_signal(signal.SIGTERM)
        assert runall.wait(timeout=20) == 0
        for pid in (first["web"][0], first["beat"][0], again["worker"][1]):
            assert not _alive(pid)
    finally:
        if runall.poll() is None:
            runall.kill()
