"""The lock files agree with pyproject.toml.

``requirements/base.lock`` (the README's run command) pins the project's dependencies and
``requirements/test.lock`` (the test command and CI) those with the ``app`` and ``test``
extras, for Python 3.11 on Linux x86-64. A dependency added to pyproject.toml, or a bound
moved past the locked version, without ``bash requirements/lock.sh`` fails here.
"""

import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ROOT / "requirements"
# The platform the locks are made for (requirements/lock.sh), for requirements with markers.
TARGET = {"python_version": "3.11", "python_full_version": "3.11.0", "sys_platform": "linux",
          "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix",
          "implementation_name": "cpython", "platform_python_implementation": "CPython"}


def _project() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as stream:
        return tomllib.load(stream)["project"]


def _declared(extras: tuple[str, ...]) -> list[Requirement]:
    project = _project()
    texts = list(project["dependencies"])
    for extra in extras:
        texts += project["optional-dependencies"][extra]
    requirements = [Requirement(text) for text in texts]
    return [req for req in requirements
            if req.marker is None or req.marker.evaluate({**TARGET, "extra": ""})]


def _pins(name: str) -> dict[str, Version]:
    """The lock's pins: each ``name==version`` line, the name normalised."""
    pins = {}
    for line in (LOCKS / name).read_text().splitlines():
        if line[:1].isalnum():
            requirement = Requirement(line.rstrip(" \\"))
            (pinned,) = requirement.specifier
            assert pinned.operator == "==", f"{name}: {line} is not pinned with =="
            pins[canonicalize_name(requirement.name)] = Version(pinned.version)
    return pins


def _disagreements(declared: list[Requirement], pins: dict[str, Version], lock: str) -> list[str]:
    wrong = []
    for req in declared:
        version = pins.get(canonicalize_name(req.name))
        if version is None:
            wrong.append(f"{req} is not in {lock}")
        elif not req.specifier.contains(version, prereleases=True):
            wrong.append(f"{req} does not admit {lock}'s {req.name}=={version}")
        else:
            wrong += _missing_extras(req, version, pins, lock)
    return wrong


def _missing_extras(req: Requirement, version: Version, pins: dict[str, Version],
                    lock: str) -> list[str]:
    """What an extra such as dask[distributed] brings that the lock lacks.

    Read from the installed package's metadata, when it is the locked version.
    """
    if not req.extras:
        return []
    try:
        installed = metadata.distribution(req.name)
    except metadata.PackageNotFoundError:
        return []
    if Version(installed.version) != version:
        return []
    wrong = []
    for text in installed.requires or []:
        needed = Requirement(text)
        if needed.marker is None or not any(
                needed.marker.evaluate({**TARGET, "extra": extra}) for extra in req.extras):
            continue
        if canonicalize_name(needed.name) not in pins:
            wrong.append(f"{needed.name}, which {req} needs, is not in {lock}")
    return wrong


@pytest.mark.parametrize(("lock", "extras"), [("base.lock", ()),
                                              ("test.lock", ("app", "test"))])
def test_the_lock_pins_every_dependency_within_its_bounds(lock: str,
                                                          extras: tuple[str, ...]) -> None:
    """Every dependency pyproject.toml names is pinned at a version its specifier admits."""
    wrong = _disagreements(_declared(extras), _pins(lock), lock)
    assert not wrong, ("pyproject.toml and the lock disagree (make it again: bash "
                       "requirements/lock.sh):\n" + "\n".join(wrong))


def test_the_two_locks_pin_the_same_versions() -> None:
    """The run command's packages are a part of the tests', at the same versions."""
    base, test = _pins("base.lock"), _pins("test.lock")
    differ = [f"{name}: base {version}, test {test.get(name)}"
              for name, version in base.items() if test.get(name) != version]
    assert not differ, "\n".join(differ)


@pytest.mark.parametrize("lock", ["base.lock", "test.lock"])
def test_every_pin_carries_its_hashes_and_nothing_of_this_machine(lock: str) -> None:
    """Each pin has a sha256 to check; no index, find-links folder or local path is named."""
    text = (LOCKS / lock).read_text()
    lines = text.splitlines()
    unhashed = [line for index, line in enumerate(lines) if line[:1].isalnum()
                and not lines[index + 1].lstrip().startswith("--hash=sha256:")]
    assert _pins(lock) and not unhashed, f"{lock}: pins without a hash: {unhashed}"
    for marker in ("--index-url", "--extra-index-url", "--find-links", "file:", "/opt/"):
        assert marker not in text, f"{lock} names {marker}"


def test_the_check_can_fail() -> None:
    """A lower bound raised past the locked version and an unlocked dependency are caught."""
    pins = _pins("test.lock")
    declared = [Requirement("numpy>=1.26,<3"), Requirement("simpy>=4.1,<5")]
    assert not _disagreements(declared, pins, "test.lock")
    raised = [Requirement(f"numpy>{pins['numpy']}"), Requirement("simpy>=4.1,<5")]
    assert _disagreements(raised, pins, "test.lock") == [
        f"numpy>{pins['numpy']} does not admit test.lock's numpy=={pins['numpy']}"]
    added = [*declared, Requirement("not-a-locked-package>=1")]
    assert _disagreements(added, pins, "test.lock") == [
        "not-a-locked-package>=1 is not in test.lock"]


def test_ci_runs_the_readme_test_command_as_written() -> None:
    """CI installs from the lock exactly as the README tells a person to, and stops if it fails."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line for line in readme.splitlines()
                if line.startswith("python3 -m venv .venv") and "pytest" in line]
    assert len(commands) == 1, commands
    assert "requirements/test.lock" in commands[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert f"{commands[0]} || exit 1" in ci
