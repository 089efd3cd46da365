"""The deploy recipe: the systemd unit verifies, compose.yaml has the bot and PostgreSQL with a
volume and migrates on start, the Dockerfile installs the wheel and runs as a user with a health
check. Docker itself cannot run here (no daemon), so the files are read, not built."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "nhacviec.service"


def _verify(unit_text: str, tmp_path: Path) -> subprocess.CompletedProcess:
    # verify wants the commands to exist: point them at this venv's `nhacviec` for the check.
    here = Path(sys.executable).parent / "nhacviec"
    path = tmp_path / "nhacviec.service"
    path.write_text(unit_text.replace("/opt/nhacviec/bin/nhacviec", str(here)), encoding="utf-8")
    return subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze not installed (.ci/run installs it)")
def test_the_systemd_unit_verifies(tmp_path):
    text = UNIT.read_text(encoding="utf-8")
    done = _verify(text, tmp_path)
    assert done.returncode == 0 and (done.stdout + done.stderr).strip() == "", done.stdout + done.stderr
    # The control: verify does report a mistake (it exits 0 on warnings, hence the output check).
    typo = _verify(text.replace("ProtectHome=yes", "ProtectHme=yes"), tmp_path)
    assert "ProtectHme" in typo.stdout + typo.stderr


def test_the_unit_restarts_runs_as_its_user_and_is_hardened():
    lines = {line.split("=", 1)[0]: line.split("=", 1)[1] for line in UNIT.read_text().splitlines()
             if "=" in line and not line.startswith("#")}
    assert lines["Restart"] == "on-failure" and lines["User"] == "nhacviec"
    assert lines["EnvironmentFile"] == "/etc/nhacviec/nhacviec.env"
    assert lines["ExecStart"].endswith("nhacviec run") and lines["ExecStartPre"].endswith("nhacviec migrate")
    for option, value in [("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                          ("PrivateTmp", "yes"), ("CapabilityBoundingSet", "")]:
        assert lines[option] == value, option


def test_compose_has_the_bot_and_postgresql_with_a_volume():
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    db, bot = compose["services"]["db"], compose["services"]["bot"]
    assert db["image"].startswith("postgres:")
    [volume] = [v for v in db["volumes"] if v.endswith(":/var/lib/postgresql/data")]
    assert volume.split(":")[0] in compose["volumes"]  # a named volume, kept across restarts
    assert bot["build"] == "." and bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["environment"]["NHACVIEC_DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert bot["environment"]["NHACVIEC_DATABASE_URL"].split("@")[1].startswith("db:")
    command = " ".join(bot["command"])
    assert command.index("nhacviec migrate") < command.index("nhacviec run")
    assert bot["restart"] in ("unless-stopped", "always", "on-failure")
    assert all(port.startswith("127.0.0.1:") for port in bot["ports"])  # behind the reverse proxy


def _instructions() -> list[tuple[str, str]]:
    out, pending = [], ""
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            word, _, rest = pending.strip().partition(" ")
            out.append((word.upper(), rest))
            pending = ""
    return out


def test_dockerfile_installs_the_wheel_runs_as_a_user_and_checks_health():
    steps = _instructions()
    froms = [rest for word, rest in steps if word == "FROM"]
    assert froms and all(image.split()[0].startswith("python:") and "-slim" in image for image in froms)
    # Every package the wheel ships is copied into the build stage, and every copied path exists.
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    copied = [rest.split()[:-1] for word, rest in steps if word == "COPY" and "--from" not in rest]
    sources = {src for parts in copied for src in parts}
    assert {p.rstrip("*") for p in packages} <= sources
    assert all((ROOT / src).exists() for src in sources)
    assert any("pip wheel" in rest for word, rest in steps if word == "RUN")
    assert any("pip install /tmp/*.whl" in rest for word, rest in steps if word == "RUN")
    last_stage = steps[max(i for i, (word, _) in enumerate(steps) if word == "FROM"):]
    users = [rest for word, rest in last_stage if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    [health] = [rest for word, rest in last_stage if word == "HEALTHCHECK"]
    assert '"nhacviec", "health"' in health
    assert [rest for word, rest in last_stage if word == "CMD"][-1] == '["nhacviec", "run"]'
