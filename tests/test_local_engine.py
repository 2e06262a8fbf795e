"""The generated `run_local` against the engine's failure modes and a Spark Connect server.

- The engine (the JVM running Spark) dies in the middle of a run: `run_local` must stop within
  seconds, say so with the log path, and exit non-zero (it used to wait for a dead engine).
- `SPARK_REMOTE=sc://host:port`: the same pipeline runs on a Spark Connect server that this test
  starts with pyspark's own `sbin/start-connect-server.sh`, as a team that outgrew a laptop would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pyspark
import pytest
from conftest import run_checked

SPARK_HOME = Path(pyspark.__file__).parent


def project_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(["src", "."]), **extra}


def engine_pids(launcher_group: int) -> list[int]:
    """The engine JVMs of a launch: live `java` processes of its group started by Python (the
    pipeline CLI; spark-submit's start-up runs a short-lived JVM of its own, under a shell)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        state, ppid, group = stat[stat.rindex(")") + 2 :].split()[:3]
        table[int(entry.name)] = (int(ppid), int(group), state, name)
    return [
        pid
        for pid, (ppid, group, state, name) in table.items()
        if name == "java"
        and group == launcher_group
        and pid != launcher_group
        and state != "Z"  # a zombie is dead, only not reaped yet
        and table.get(ppid, (0, 0, "", ""))[3].startswith("python")
    ]


def launcher_group(run_local_pid: int) -> int | None:
    """The process group `run_local` started Spark's pipeline CLI in (its child's pid)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            if ppid == run_local_pid:
                return int(entry.name)
    return None


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the engine JVM through /proc")
def test_run_local_stops_within_seconds_when_the_engine_dies(default_project, tmp_path) -> None:
    command = [
        sys.executable,
        "-m",
        "medallion",
        "run-local",
        "--state-dir",
        str(tmp_path / "state"),
    ]
    process = subprocess.Popen(
        command,
        cwd=default_project,
        env=project_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:  # wait until the engine is running flows
        output.append(line)
        if line.strip().startswith("ok "):
            break
    group = launcher_group(process.pid)
    assert group is not None, "".join(output)
    engines = engine_pids(group)
    assert engines, "no engine JVM found under the pipeline CLI"
    for pid in engines:
        os.kill(pid, signal.SIGKILL)  # what the kernel's OOM killer does
    killed_at = time.monotonic()
    rest, _ = process.communicate(timeout=60)
    stopped_after = time.monotonic() - killed_at
    text = "".join(output) + rest
    assert process.returncode != 0, text
    assert stopped_after < 20, f"run_local took {stopped_after:.0f} s to notice"
    assert "the Spark engine stopped in the middle of the run" in text, text
    assert "Full log: " in text
    assert not engine_pids(group) and launcher_group(process.pid) is None  # nothing left over


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def connect_server(tmp_path):
    """A Spark Connect server started with pyspark's own script, stopped after the test."""
    port = free_port()
    env = {
        **os.environ,
        "SPARK_HOME": str(SPARK_HOME),
        "SPARK_PID_DIR": str(tmp_path / "pids"),
        "SPARK_LOG_DIR": str(tmp_path / "server-logs"),
        "SPARK_IDENT_STRING": f"test-{port}",
        "SPARK_CONF_DIR": str(tmp_path / "server-conf"),  # none of the user's settings
    }
    (tmp_path / "server-conf").mkdir()
    warehouse = tmp_path / "server-warehouse"
    start = [
        str(SPARK_HOME / "sbin" / "start-connect-server.sh"),
        "--master",
        "local[2]",
        "--conf",
        f"spark.connect.grpc.binding.port={port}",
        "--conf",
        f"spark.sql.warehouse.dir={warehouse}",
        "--conf",
        "spark.sql.session.timeZone=UTC",
    ]
    subprocess.run(start, env=env, check=True, capture_output=True, timeout=120)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.5)
        else:
            logs = "\n".join(p.read_text() for p in (tmp_path / "server-logs").glob("*.out"))
            pytest.fail(f"the Connect server did not listen on {port}:\n{logs}")
        yield {"url": f"sc://127.0.0.1:{port}", "warehouse": warehouse}
    finally:
        stop = [str(SPARK_HOME / "sbin" / "stop-connect-server.sh")]
        subprocess.run(stop, env=env, capture_output=True, timeout=120)


def test_run_local_runs_the_pipeline_on_a_spark_connect_server(
    default_project, connect_server, tmp_path
) -> None:
    state = tmp_path / "state"
    command = [sys.executable, "-m", "medallion", "run-local", "--state-dir", str(state)]
    env = project_env(SPARK_REMOTE=connect_server["url"])
    output = run_checked(command, cwd=default_project, env=env, timeout=900)
    assert f"on {connect_server['url']}" in output
    assert "ok      fact_orders" in output
    # The server wrote the tables into its own warehouse; nothing went to the local one.
    warehouse = connect_server["warehouse"]
    assert pq.read_table(warehouse / "fact_orders").num_rows > 0
    assert pq.read_table(warehouse / "dim_customers").num_rows > 0
    assert not (state / "warehouse").exists()
