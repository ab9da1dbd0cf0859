"""Static checks of the Dockerfile (there is no container engine here to build it).

Pinned base (exact Python patch version, never ``latest``), two stages with only the
virtualenv copied into the final one, eso installed from its wheel under constraints.txt,
a numeric non-root USER that matches the chart's runAsUser, ENTRYPOINT ``eso``, and
nothing that writes outside /tmp at run time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import yaml

from tests.unit.chart.chartlib import CHART, ROOT

DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
BUILD_TOOLS = ("gcc", "g++", "build-essential", "make ", "cmake", "git ", "curl ", "wget ")


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def _instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8")
    logical: list[str] = []
    buffer = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not buffer and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        logical.append(buffer + line)
        buffer = ""
    result = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        result.append((keyword.upper(), args.strip()))
    return result


def _args() -> dict[str, str]:
    values: dict[str, str] = {}
    for keyword, args in _instructions():
        if keyword == "ARG" and "=" in args:
            key, _, value = args.partition("=")
            values[key] = value
    return values


def _stages() -> list[Stage]:
    stages: list[Stage] = []
    args = _args()
    for keyword, rest in _instructions():
        if keyword == "FROM":
            parts = rest.split()
            base = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], parts[0])
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            stages.append(Stage(base, name))
        elif stages:
            stages[-1].instructions.append((keyword, rest))
    return stages


def test_base_image_is_pinned_python_3_11_slim() -> None:
    stages = _stages()
    assert len(stages) == 2
    for stage in stages:
        image = stage.base
        assert "latest" not in image
        repository, _, tag = image.partition("@")[0].partition(":")
        assert repository == "python"
        assert re.fullmatch(r"3\.11\.\d+-slim(-[a-z]+)?", tag), f"not an exact slim tag: {image}"
        if "@" in image:
            assert re.fullmatch(r"sha256:[0-9a-f]{64}", image.partition("@")[2])


def test_final_stage_runs_eso_as_a_non_root_numeric_user() -> None:
    final = _stages()[-1]
    users = final.all("USER")
    assert users, "the final stage sets no USER"
    uid, _, gid = users[-1].partition(":")
    assert uid == "1000"
    assert gid in ("", "1000")
    assert json.loads(final.all("ENTRYPOINT")[-1]) == ["eso"]
    chart_values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    assert chart_values["securityContext"]["runAsUser"] == int(uid)
    assert chart_values["podSecurityContext"]["runAsUser"] == int(uid)


def test_eso_is_installed_from_its_wheel_with_the_constraints() -> None:
    build = _stages()[0]
    run = " && ".join(build.all("RUN"))
    assert "pip wheel" in run
    assert re.search(r"pip install (--constraint|-c) constraints\.txt \S*eso-\*\.whl", run), run
    assert any("constraints.txt" in copy for copy in build.all("COPY"))


def test_the_final_stage_has_no_build_tools() -> None:
    final = _stages()[-1]
    copies = final.all("COPY")
    assert copies == ["--from=build /opt/eso /opt/eso"], copies
    for run in final.all("RUN"):
        assert "pip install" not in run
        assert "apt-get install" not in run
        for tool in BUILD_TOOLS:
            assert tool not in f"{run} ", tool
    assert any("pip uninstall" in run for run in final.all("RUN"))


def test_read_only_root_friendly() -> None:
    final = _stages()[-1]
    env = " ".join(final.all("ENV"))
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "HOME=/tmp" in env
    assert "TMPDIR=/tmp" in env
    assert final.all("WORKDIR")[-1] == "/tmp"
    build_runs = " ".join(_stages()[0].all("RUN"))
    assert "compileall" in build_runs  # bytecode is made at build time, never at run time
    for volume in final.all("VOLUME"):
        assert volume.startswith(("/tmp", '["/tmp')), volume


def test_dockerignore_sends_only_what_the_build_needs() -> None:
    lines = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert allowed == {"pyproject.toml", "constraints.txt", "README.md", "src"}
    copied = {
        part.rstrip("/")
        for stage in _stages()
        for copy in stage.all("COPY")
        if not copy.startswith("--from")
        for part in copy.split()[:-1]
    }
    assert copied <= allowed
