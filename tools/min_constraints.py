"""Print a pip constraints file pinning every declared dependency to its floor (`>=X` → `==X`).

    python tools/min_constraints.py > constraints-min.txt
    pip install -c constraints-min.txt -e '.[test]'

CI installs this way into a second venv and runs the tests, so the floors in pyproject.toml are
ones the code really works with. A dependency without a `>=` floor is left free.
"""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# name, optional [extras], then the specifiers up to an environment marker.
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)")


def floors(pyproject: dict) -> dict[str, str]:
    project = pyproject["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    found: dict[str, str] = {}
    for requirement in requirements:
        match = REQUIREMENT.match(requirement)
        if not match:
            raise SystemExit(f"cannot read the requirement {requirement!r}")
        name, specifiers = match.groups()
        for spec in specifiers.split(","):
            spec = spec.strip()
            if spec.startswith(">="):
                found[name.lower()] = spec[2:].strip()
    return found


def main() -> int:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for name, version in sorted(floors(pyproject).items()):
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
