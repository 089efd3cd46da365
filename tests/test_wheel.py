"""The wheel works when installed: built from this tree, installed into a fresh venv (not editable),
run in an empty folder. Catches package data left out of the wheel (catalogues, demo data, Alembic)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from storage.migrate import alembic_config

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("wheel")
    # A clean environment: nothing of the developer's settings or of the test run leaks in.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NHACVIEC_", "TELEGRAM_", "ZALO_", "PYTEST", "VIRTUAL_ENV", "PYTHON"))}
    # Built from a copy: setuptools reuses an in-tree build/ folder, which could hold stale files.
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv*", "build", "dist", ".git", "__pycache__", "*.egg-info", "*.db*", ".pytest_cache"))
    dist = tmp / "dist"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), str(source)],
                 cwd=tmp, env=env)
    assert built.returncode == 0, built.stderr[-3000:]
    wheels = list(dist.glob("nhacviec-*.whl"))
    assert len(wheels) == 1, wheels
    target = tmp / "venv"
    venv.create(target, with_pip=True)
    pip = _run([str(target / "bin" / "python"), "-m", "pip", "install", "-q", str(wheels[0])],
               cwd=tmp, env=env, timeout=600)
    assert pip.returncode == 0, pip.stderr[-3000:]
    env["PATH"] = f"{target / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return target, env


def _empty_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder


def test_installed_demo_speaks_vietnamese(installed, tmp_path):
    target, env = installed
    folder = _empty_folder(tmp_path)
    result = _run([str(target / "bin" / "nhacviec"), "demo"], cwd=folder, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    # Sentences from the Vietnamese catalogue (not the English msgids) and the demo's own data.
    assert "Đã thêm 8 đơn vị." in result.stdout
    assert "Mã mời không đúng." in result.stdout
    assert "7 nhiệm vụ cho 7 đơn vị từ tệp tasks.csv." in result.stdout
    assert "Added 8 units." not in result.stdout and "Traceback" not in result.stderr


def test_installed_migrate_and_health(installed, tmp_path):
    target, env = installed
    folder = _empty_folder(tmp_path)
    migrated = _run([str(target / "bin" / "nhacviec"), "migrate"], cwd=folder, env=env)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    assert "Cơ sở dữ liệu đã ở phiên bản mới nhất." in migrated.stdout
    assert (folder / "nhacviec.db").is_file()
    for args in (["health", "--offline"], ["health"]):  # no token set: nothing to ask the platforms
        health = _run([str(target / "bin" / "nhacviec"), *args], cwd=folder, env=env)
        assert health.returncode == 0, health.stderr[-3000:]
        assert health.stdout.startswith(f"Tốt: cơ sở dữ liệu ở phiên bản {HEAD}"), health.stdout
