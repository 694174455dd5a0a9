"""scripts/setup.sh's decisions on a fresh Debian/Ubuntu, with fake python3, apt and sudo.

Each test runs the script in a temp copy of the checkout with a PATH of fakes only (no real apt,
sudo or pip), and KERNEL_LAB_SETUP_DRY_RUN=1 so that it stops before installing Python packages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ["bash", "dirname", "rm", "grep", "sed", "cat", "uname", "env", "mkdir", "cp", "touch",
         "true"]

VENV_PYTHON = """#!/bin/bash
# a venv's python: with pip ({pip})
if [ "$1 $2" = "-m pip" ]; then {pip_body}; fi
exit 0
"""

FAKES = {
    # python3: `-m venv DIR` makes a venv with pip only once python3-venv is "installed";
    # without it, like Debian's, it leaves DIR/bin/python without pip and fails.
    "python3": """#!/bin/bash
case "$1" in
  --version) echo "Python 3.11.7"; exit 0;;
  -c) echo 3.11; exit 0;;
esac
if [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/bin"
  if [ -e "$STATE/venv-ok" ]; then cp "$STATE/good-python" "$3/bin/python"; exit 0; fi
  cp "$STATE/bad-python" "$3/bin/python"
  echo "The virtual environment was not created successfully: ensurepip is not available." >&2
  exit 1
fi
exit 0
""",
    "id": '#!/bin/bash\ncat "$STATE/uid"\n',
    "sudo": """#!/bin/bash
echo "sudo $*" >> "$STATE/calls"
if [ -e "$STATE/sudo-password" ]; then echo "sudo: a password is required" >&2; exit 1; fi
[ "$1" = -n ] && shift
exec "$@"
""",
    "apt-get": """#!/bin/bash
echo "apt-get $*" >> "$STATE/calls"
[ "$1" = update ] && exit 0
[ -e "$STATE/apt-fails" ] && exit 100
for pkg in "$@"; do
  case "$pkg" in
    -*|install) ;;
    *) echo "$pkg" >> "$STATE/installed"
       [ "$pkg" = python3-venv ] && touch "$STATE/venv-ok"
       [ "$pkg" = dataset-fashion-mnist ] && touch "$DATASET/train-images-idx3-ubyte.gz";;
  esac
done
exit 0
""",
    "apt-cache": '#!/bin/bash\n[ "$2" = python3.11-venv ]\n',
    "dpkg-query": """#!/bin/bash
pkg="${@: -1}"
grep -qx "$pkg" "$STATE/installed" 2>/dev/null && echo "install ok installed" && exit 0
exit 1
""",
}

QT_LIBS = ["libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-image0",
           "libxcb-render-util0", "libxcb-shape0", "libxcb-randr0", "libxcb-xkb1",
           "libxkbcommon-x11-0", "libegl1", "libfontconfig1", "libdbus-1-3"]


class FakeMachine:
    """A temp checkout holding setup.sh, and the state the fakes read and write."""

    def __init__(self, tmp: Path, uid: int = 1000, installed=(), sudo_password=False,
                 apt=True, sudo=True):
        self.repo, self.state, self.bin, self.dataset = (tmp / n for n in
                                                         ("repo", "state", "bin", "dataset"))
        for folder in (self.repo / "scripts", self.state, self.bin, self.dataset):
            folder.mkdir(parents=True)
        shutil.copy(ROOT / "scripts" / "setup.sh", self.repo / "scripts" / "setup.sh")
        shutil.copy(ROOT / "pyproject.toml", self.repo / "pyproject.toml")
        (self.state / "uid").write_text(f"{uid}\n")
        (self.state / "installed").write_text("".join(f"{p}\n" for p in installed))
        if sudo_password:
            (self.state / "sudo-password").touch()
        for name, body in (("good-python", VENV_PYTHON.format(pip="yes", pip_body="exit 0")),
                           ("bad-python", VENV_PYTHON.format(
                               pip="no", pip_body='echo "No module named pip" >&2; exit 1'))):
            self._script(self.state / name, body)
        for name, body in FAKES.items():
            if (name in ("apt-get", "apt-cache", "dpkg-query") and not apt) or (
                    name == "sudo" and not sudo):
                continue
            self._script(self.bin / name, body)
        for tool in TOOLS:
            found = shutil.which(tool)
            if found and not (self.bin / tool).exists():
                (self.bin / tool).symlink_to(found)

    @staticmethod
    def _script(path: Path, body: str) -> None:
        path.write_text(body)
        path.chmod(0o755)

    def make_venv(self, with_pip: bool) -> None:
        """A .venv left by an earlier run, with or without a working pip."""
        (self.repo / ".venv" / "bin").mkdir(parents=True)
        shutil.copy(self.state / ("good-python" if with_pip else "bad-python"),
                    self.repo / ".venv" / "bin" / "python")

    def run(self) -> subprocess.CompletedProcess:
        env = {"PATH": str(self.bin), "STATE": str(self.state), "DATASET": str(self.dataset),
               "PYTHON": "python3", "KERNEL_LAB_GPU": "0", "KERNEL_LAB_SETUP_DRY_RUN": "1",
               "KERNEL_LAB_SETUP_DATASET_DIR": str(self.dataset), "HOME": str(self.state)}
        return subprocess.run([shutil.which("bash"), "scripts/setup.sh"], cwd=self.repo,
                              env=env, capture_output=True, text=True, timeout=60)

    def calls(self) -> list[str]:
        path = self.state / "calls"
        return path.read_text().splitlines() if path.exists() else []

    def venv_has_pip(self) -> bool:
        python = self.repo / ".venv" / "bin" / "python"
        return python.exists() and "with pip (yes)" in python.read_text()


def test_no_venv_module_and_sudo_asks_for_a_password_prints_one_apt_command(tmp_path):
    machine = FakeMachine(tmp_path, sudo_password=True)
    result = machine.run()
    assert result.returncode == 1, result.stdout + result.stderr
    commands = [line.strip() for line in result.stdout.splitlines() if "apt-get" in line]
    assert commands == ["sudo apt-get install -y " + " ".join(
        QT_LIBS + ["dataset-fashion-mnist", "python3-venv", "python3.11-venv"])]
    assert "sudo asks for a password" in result.stdout
    assert not (machine.repo / ".venv").exists(), "a half-made .venv must not stay"
    assert not any(call.startswith("apt-get install") for call in machine.calls())


def test_no_venv_module_as_root_installs_python3_venv_then_makes_the_venv(tmp_path):
    machine = FakeMachine(tmp_path, uid=0)
    result = machine.run()
    assert result.returncode == 0, result.stdout + result.stderr
    installs = [c for c in machine.calls() if c.startswith("apt-get") and " install " in c]
    assert len(installs) == 1
    for pkg in ["python3-venv", "python3.11-venv", "dataset-fashion-mnist", *QT_LIBS]:
        assert pkg in installs[0].split()
    assert machine.venv_has_pip()
    assert "dry run: would install the dependencies (cpu builds)" in result.stdout
    assert "Fashion-MNIST is not installed" not in result.stdout


def test_sudo_without_a_password_installs_through_sudo_n(tmp_path):
    machine = FakeMachine(tmp_path, installed=["python3-venv"])
    (machine.state / "venv-ok").touch()
    result = machine.run()
    assert result.returncode == 0, result.stdout + result.stderr
    sudo_installs = [c for c in machine.calls() if c.startswith("sudo -n env")]
    assert len(sudo_installs) == 1 and "dataset-fashion-mnist" in sudo_installs[0]
    assert "python3-venv" not in sudo_installs[0], "the venv worked: no venv package needed"
    assert machine.venv_has_pip()


def test_a_venv_without_pip_is_made_again(tmp_path):
    machine = FakeMachine(tmp_path, installed=QT_LIBS + ["python3-venv"])
    (machine.dataset / "train-images-idx3-ubyte.gz").touch()
    (machine.state / "venv-ok").touch()
    machine.make_venv(with_pip=False)
    result = machine.run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert ".venv has no working pip" in result.stdout
    assert machine.venv_has_pip()
    assert machine.calls() == [], "nothing was missing: no apt, no sudo"


def test_a_working_venv_and_every_package_present_changes_nothing(tmp_path):
    machine = FakeMachine(tmp_path, installed=QT_LIBS)
    (machine.dataset / "train-images-idx3-ubyte.gz").touch()
    machine.make_venv(with_pip=True)
    result = machine.run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "creating .venv" not in result.stdout and machine.calls() == []


def test_apt_failing_as_root_prints_the_command_and_stops(tmp_path):
    machine = FakeMachine(tmp_path, uid=0, installed=QT_LIBS)
    (machine.state / "apt-fails").touch()
    result = machine.run()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "    apt-get install -y dataset-fashion-mnist python3-venv python3.11-venv" \
        in result.stdout.splitlines()


@pytest.mark.parametrize("sudo", [True, False])
def test_no_root_and_no_working_sudo_stops_before_pip(tmp_path, sudo):
    machine = FakeMachine(tmp_path, installed=["python3-venv"], sudo_password=True, sudo=sudo)
    (machine.state / "venv-ok").touch()
    result = machine.run()
    assert result.returncode == 1
    command = f"apt-get install -y {' '.join(QT_LIBS)} dataset-fashion-mnist"
    expected = f"sudo {command}" if sudo else f"su -c '{command}'"
    assert [line.strip() for line in result.stdout.splitlines() if "apt-get" in line] == [expected]
    assert "dry run" not in result.stdout


def test_without_apt_a_missing_venv_module_is_named(tmp_path):
    machine = FakeMachine(tmp_path, apt=False)
    result = machine.run()
    assert result.returncode == 1
    assert "python3-venv" in result.stdout and not (machine.repo / ".venv").exists()


def test_setup_script_is_valid_bash():
    subprocess.run(["bash", "-n", str(ROOT / "scripts" / "setup.sh")], check=True)
    assert os.access(ROOT / "scripts" / "setup.sh", os.R_OK)
