"""The bad-manifest corpus (``tests/fixtures/bad-manifests/``): loading, and applying it as bytes.

Every file but ``_environment.yaml`` is one case::

    # why the manifest is wrong
    expect: api-server | webhook | operator | synced
    field: spec.data[0].remoteRef       # named by the refusal or by the Ready message
    says: "fragment"                    # optional: also in the refusal / Ready message
    without-webhook: reported | synced  # webhook cases: what the operator does when no webhook
                                        # runs (default reported)
    size: {key: bytes}                  # synced cases: the sizes of the synced Secret's keys
    known-bug: "what is wrong"          # eso does not (yet) end the case as declared: the
                                        # operator-stage check is an xfail(strict) until fixed
    manifest: {...}                     # the subject; its name is the file's stem

``.json`` cases hold raw bytes that are not UTF-8; they are read with ``surrogateescape``
and sent back byte for byte. ``${remote:NAME}`` in a string is replaced by the emulator
name of the environment's AWS secret ``NAME``.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from lightkube import KubeConfig
from lightkube.config import client_adapter

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad-manifests"
ENVIRONMENT = CORPUS / "_environment.yaml"
SECRET_MARK = "corpus-secret"
OUTCOMES = ("api-server", "webhook", "operator", "synced")
CATEGORIES = {
    "type": "wrong types",
    "missing": "missing required fields",
    "provider": "unknown provider",
    "regexp": "bad regular expressions",
    "template": "bad templates",
    "size": "values near the 1 MiB Secret limit",
    "binary": "non-UTF-8 binary",
    "keyname": "key names Kubernetes refuses",
    "secret": "Secret shapes Kubernetes refuses",
    "duration": "bad durations",
    "policy": "contradictory or dangerous policies",
    "remote": "remote data that does not fit the manifest",
}
"""File-name prefix → what the cases of that prefix are about."""

_REMOTE = re.compile(r"\$\{remote:([a-z0-9-]+)\}")
_STEP = re.compile(r"([A-Za-z0-9_]+)(?:\[(\d+)\])?")


@dataclass
class Case:
    """One corpus file."""

    name: str
    path: Path
    expect: str
    field: str | None
    says: str | None
    without_webhook: str
    size: dict[str, int]
    manifest: dict[str, Any]
    known_bug: str | None = None

    @property
    def kind(self) -> str:
        return str(self.manifest["kind"])

    @property
    def category(self) -> str:
        return self.name.split("-", 1)[0]

    @property
    def raw(self) -> bool:
        return self.path.suffix == ".json"

    def subject(self, namespace: str, remote: Mapping[str, str]) -> dict[str, Any]:
        obj: dict[str, Any] = substitute(json.loads(json.dumps(self.manifest)), remote)
        obj.setdefault("metadata", {}).update({"name": self.name, "namespace": namespace})
        return obj

    def fragments(self) -> list[str]:
        return [f for f in (self.field, self.says) if f]


def _read(path: Path) -> dict[str, Any]:
    if path.suffix == ".json":
        doc = json.loads(path.read_bytes().decode("utf-8", "surrogateescape"))
    else:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict), path
    return doc


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CORPUS.iterdir()):
        if path.name.startswith("_") or path.suffix not in (".yaml", ".json"):
            continue
        doc = _read(path)
        expect = doc["expect"]
        assert expect in OUTCOMES, f"{path.name}: expect {expect!r}"
        assert path.stem.split("-", 1)[0] in CATEGORIES, f"{path.name}: unknown category prefix"
        assert expect == "synced" or doc.get("field"), f"{path.name}: which field must be named?"
        cases.append(
            Case(
                name=path.stem,
                path=path,
                expect=expect,
                field=doc.get("field"),
                says=doc.get("says"),
                without_webhook=doc.get("without-webhook", "reported"),
                size=dict(doc.get("size") or {}),
                manifest=doc["manifest"],
                known_bug=doc.get("known-bug"),
            )
        )
    return cases


@dataclass
class Environment:
    """The shared objects and remote secrets of ``_environment.yaml``."""

    objects: list[dict[str, Any]]
    aws: list[dict[str, str]]
    secrets: set[str] = field(default_factory=set)


def load_environment() -> Environment:
    doc = yaml.safe_load(ENVIRONMENT.read_text(encoding="utf-8"))
    for path, size in (doc.get("fill") or {}).items():
        _set(doc, path, "x" * int(size))
    env = Environment(objects=list(doc["objects"]), aws=list(doc.get("aws") or []))
    env.secrets = {s for s in strings(doc) if SECRET_MARK in s}
    for case in load_cases():
        env.secrets |= {s for s in strings(case.manifest) if SECRET_MARK in s}
    return env


def _set(doc: Any, path: str, value: Any) -> None:
    steps = [_STEP.fullmatch(part) for part in path.split(".")]
    target = doc
    for i, step in enumerate(steps):
        assert step is not None, path
        key, index = step.group(1), step.group(2)
        last = i == len(steps) - 1
        if index is None:
            if last:
                target[key] = value
            target = target[key]
        else:
            if last:
                target[key][int(index)] = value
            target = target[key][int(index)]


def strings(obj: Any) -> list[str]:
    """Every string value (not key) in ``obj``."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, Mapping):
        return [s for v in obj.values() for s in strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in strings(v)]
    return []


def substitute(obj: Any, remote: Mapping[str, str]) -> Any:
    if isinstance(obj, str):
        return _REMOTE.sub(lambda m: remote[m.group(1)], obj)
    if isinstance(obj, dict):
        return {k: substitute(v, remote) for k, v in obj.items()}
    if isinstance(obj, list):
        return [substitute(v, remote) for v in obj]
    return obj


_PLURALS = {
    "ExternalSecret": "externalsecrets",
    "SecretStore": "secretstores",
    "PushSecret": "pushsecrets",
    "ServiceAccount": "serviceaccounts",
    "Secret": "secrets",
}


@dataclass
class Answer:
    """What the API server answered to one apply: the HTTP status and the Status message."""

    code: int
    message: str

    @property
    def ok(self) -> bool:
        return self.code < 300


class ApiServer:
    """Server-side apply of objects sent byte for byte (``kubectl apply --server-side`` without
    kubectl: no client-side validation, no process per object). Lone surrogates in strings
    become the raw bytes they came from."""

    def __init__(self, kubeconfig: Path) -> None:
        config = KubeConfig.from_file(kubeconfig).get()
        assert config is not None
        self._http = client_adapter.Client(config, client_adapter.ConnectionParams(trust_env=False))

    def close(self) -> None:
        self._http.close()

    def apply(self, obj: Mapping[str, Any], *, dry_run: bool = False) -> Answer:
        """Server-side apply; an object with bytes that are not UTF-8 goes the way kubectl sends it.

        The apply patch is YAML, whose decoder refuses such bytes outright ("invalid leading
        UTF-8 octet"). kubectl decodes a file as JSON first, which turns them into U+FFFD, so
        a user's kubectl apply of such a file reaches the schema: that is the path taken here
        (a JSON create, or a JSON merge patch over an existing object, decoded by the server).
        """
        api, kind = str(obj["apiVersion"]), str(obj["kind"])
        meta = obj["metadata"]
        prefix = f"/apis/{api}" if "/" in api else f"/api/{api}"
        collection = f"{prefix}/namespaces/{meta['namespace']}/{_PLURALS[kind]}"
        params = {"fieldManager": "eso-corpus", "fieldValidation": "Strict"}
        if dry_run:
            params["dryRun"] = "All"
        text = json.dumps(obj, ensure_ascii=False)
        body = text.encode("utf-8", "surrogateescape")
        if text.isascii() or body.decode("utf-8", "ignore") == text:
            response = self._http.patch(
                f"{collection}/{meta['name']}",
                params={**params, "force": "true"},
                content=body,
                headers={"Content-Type": "application/apply-patch+yaml"},
                timeout=60,
            )
        else:
            response = self._http.patch(
                f"{collection}/{meta['name']}",
                params=params,
                content=body,
                headers={"Content-Type": "application/merge-patch+json"},
                timeout=60,
            )
            if response.status_code == 404:
                response = self._http.post(
                    collection,
                    params=params,
                    content=body,
                    headers={"Content-Type": "application/json"},
                    timeout=60,
                )
        if response.status_code < 300:
            return Answer(response.status_code, "")
        try:
            message = str(response.json().get("message", ""))
        except ValueError:
            message = response.text
        return Answer(response.status_code, message)

    def get_json(self, path: str) -> Any:
        response = self._http.get(path, timeout=60)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()

    def items(self, namespace: str, *kinds: str) -> dict[tuple[str, str], dict[str, Any]]:
        """The objects of ``kinds`` in ``namespace``, by (kind, name)."""
        groups = {"ExternalSecret": "external-secrets.io/v1", "SecretStore": "external-secrets.io/v1"}
        groups |= {"PushSecret": "external-secrets.io/v1alpha1", "Event": "v1", "Secret": "v1"}
        out = {}
        for kind in kinds:
            api = groups[kind]
            prefix = f"/apis/{api}" if "/" in api else f"/api/{api}"
            plural = _PLURALS.get(kind, "events")
            for obj in self.get_json(f"{prefix}/namespaces/{namespace}/{plural}")["items"]:
                out[(kind, obj["metadata"]["name"])] = obj
        return out

    def secret_data(self, namespace: str, name: str) -> dict[str, bytes] | None:
        obj = self.get_json(f"/api/v1/namespaces/{namespace}/secrets/{name}")
        if obj is None:
            return None
        return {k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()}

    def events(self, namespace: str) -> dict[str, list[dict[str, Any]]]:
        """Events of ``namespace`` by the name of the object they are about."""
        out: dict[str, list[dict[str, Any]]] = {}
        for event in self.get_json(f"/api/v1/namespaces/{namespace}/events")["items"]:
            out.setdefault((event.get("involvedObject") or {}).get("name", ""), []).append(event)
        return out

    def apply_all(self, objects: list[dict[str, Any]]) -> list[str]:
        """Apply every object; the refusals, as ``kind/name: message``."""
        answers = [(obj, self.apply(obj)) for obj in objects]
        return [f"{o['kind']}/{o['metadata']['name']}: {a.message}" for o, a in answers if not a.ok]


def binary(entry: Mapping[str, str]) -> bytes:
    return base64.b64decode(entry["binary_base64"])
