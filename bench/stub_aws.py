"""A fast AWS-compatible stub for load benchmarks (not for correctness tests: moto is).

moto tops out near 230 calls/s on this machine; this stub serves thousands, so the
operator, not the emulator, is what a benchmark measures. It speaks:

* Secrets Manager, AWS JSON 1.1 (``X-Amz-Target: secretsmanager.<Op>``): GetSecretValue,
  BatchGetSecretValue (id list or filters, 20 per page), ListSecrets, DescribeSecret,
  CreateSecret, PutSecretValue;
* SSM, AWS JSON 1.1 (``AmazonSSM.<Op>``): GetParameter (``name:version``), GetParameters,
  GetParametersByPath, PutParameter;
* STS, query protocol (``Action=``): GetCallerIdentity, AssumeRole,
  AssumeRoleWithWebIdentity — enough for a store's validation.

Signatures are not checked. Every call is counted by API; each answer waits the added
latency (``--latency-ms``, default 20) plus whatever a fault rule adds, and a rule may
answer with an error instead. The control API under ``/_stub/`` seeds and changes data
(``POST /_stub/secrets``, ``/_stub/parameters``), reads the counters
(``GET /_stub/stats[?timeline=1&since=EPOCH]``), resets them (``POST /_stub/reset``),
sets faults (``POST /_stub/faults``, see :class:`bench.stub_data.FaultRule`) and stops the
stub (``POST /_stub/shutdown``). Secret values never appear in its output.

Run it in its own process (``python -m bench.stub_aws``, see :class:`bench.stub_client.StubProcess`)
so it does not take the operator's CPU. It binds 127.0.0.1 on a free port, prints
``{"port": N}`` on its first stdout line, and exits by itself after ``--max-seconds`` or
as soon as its parent process is gone.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import signal
import socket
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from aiohttp import web

from bench.stub_data import ACCOUNT, ApiError, Counters, FaultRule, Faults, SecretsState

__all__ = ["StubApp", "main"]

JSON_TYPE = "application/x-amz-json-1.1"
SM_BATCH_MAX = 20
SSM_BATCH_MAX = 10
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"

Handler = Callable[[dict[str, Any]], tuple[dict[str, Any], int]]


def _secret_value(secret: Any, version: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ARN": secret.arn,
        "Name": secret.name,
        "VersionId": version.version_id,
        "VersionStages": list(version.stages),
        "CreatedDate": version.created,
    }
    if version.binary is not None:
        out["SecretBinary"] = base64.b64encode(version.binary).decode()
    else:
        out["SecretString"] = version.string
    return out


def _listing(secret: Any) -> dict[str, Any]:
    return {
        "ARN": secret.arn,
        "Name": secret.name,
        "Description": secret.description,
        "LastChangedDate": secret.changed,
        "CreatedDate": secret.created,
        "Tags": list(secret.tags),
    }


def _page(token: str | None, size: int, total: int) -> tuple[int, int, str | None]:
    start = int(token) if token and token.isdigit() else 0
    end = min(total, start + size)
    return start, end, (str(end) if end < total else None)


class StubApp:
    """The stub's handlers over one :class:`SecretsState`."""

    def __init__(self, latency_ms: float, seed: int | None = None) -> None:
        self.state = SecretsState()
        self.counters = Counters()
        self.faults = Faults(latency_ms, seed)
        self.stopping = asyncio.Event()
        self._ops: dict[str, Handler] = {
            "secretsmanager.GetSecretValue": self.get_secret_value,
            "secretsmanager.BatchGetSecretValue": self.batch_get_secret_value,
            "secretsmanager.ListSecrets": self.list_secrets,
            "secretsmanager.DescribeSecret": self.describe_secret,
            "secretsmanager.CreateSecret": self.create_secret,
            "secretsmanager.PutSecretValue": self.put_secret_value,
            "AmazonSSM.GetParameter": self.get_parameter,
            "AmazonSSM.GetParameters": self.get_parameters,
            "AmazonSSM.GetParametersByPath": self.get_parameters_by_path,
            "AmazonSSM.PutParameter": self.put_parameter,
        }

    # -- Secrets Manager ---------------------------------------------------------------------

    def get_secret_value(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        secret = self.state.find(str(body.get("SecretId", "")))
        version = secret.version(body.get("VersionId"), body.get("VersionStage"))
        return _secret_value(secret, version), 1

    def batch_get_secret_value(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        ids, filters = body.get("SecretIdList"), body.get("Filters")
        if ids and filters:
            raise ApiError(
                "InvalidParameterException", "Either SecretIdList or Filters must be provided, not both."
            )
        values: list[dict[str, Any]] = []
        errors: list[dict[str, str]] = []
        out: dict[str, Any] = {}
        if ids:
            if len(ids) > SM_BATCH_MAX:
                raise ApiError("InvalidParameterException", "SecretIdList holds at most 20 ids.")
            for ident in ids:
                try:
                    secret = self.state.find(str(ident))
                    values.append(_secret_value(secret, secret.version(None, None)))
                except ApiError as exc:
                    errors.append({"SecretId": str(ident), "ErrorCode": exc.code, "Message": exc.message})
        elif filters:
            matches = self.state.matching(list(filters))
            size = min(SM_BATCH_MAX, int(body.get("MaxResults") or SM_BATCH_MAX))
            start, end, token = _page(body.get("NextToken"), size, len(matches))
            values = [_secret_value(s, s.version(None, None)) for s in matches[start:end]]
            if token:
                out["NextToken"] = token
        else:
            raise ApiError("InvalidParameterException", "Either SecretIdList or Filters must be provided.")
        out["SecretValues"] = values
        out["Errors"] = errors
        return out, len(values)

    def list_secrets(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        matches = self.state.matching(list(body.get("Filters") or []))
        size = min(100, int(body.get("MaxResults") or 100))
        start, end, token = _page(body.get("NextToken"), size, len(matches))
        out: dict[str, Any] = {"SecretList": []}
        for secret in matches[start:end]:
            entry = _listing(secret)
            entry["SecretVersionsToStages"] = secret.stages_map()
            out["SecretList"].append(entry)
        if token:
            out["NextToken"] = token
        return out, end - start

    def describe_secret(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        secret = self.state.find(str(body.get("SecretId", "")))
        out = _listing(secret)
        out["VersionIdsToStages"] = secret.stages_map()
        return out, 1

    def create_secret(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        binary = base64.b64decode(body["SecretBinary"]) if body.get("SecretBinary") else None
        tags = {t["Key"]: t["Value"] for t in body.get("Tags") or []}
        secret, version, _ = self.state.put(
            str(body.get("Name", "")),
            string=body.get("SecretString"),
            binary=binary,
            tags=tags,
            description=body.get("Description"),
            version_id=body.get("ClientRequestToken"),
            create_only=True,
        )
        return {"ARN": secret.arn, "Name": secret.name, "VersionId": version.version_id}, 1

    def put_secret_value(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        secret = self.state.find(str(body.get("SecretId", "")))
        binary = base64.b64decode(body["SecretBinary"]) if body.get("SecretBinary") else None
        _, version, _ = self.state.put(
            secret.name,
            string=body.get("SecretString"),
            binary=binary,
            version_id=body.get("ClientRequestToken"),
        )
        out = {"ARN": secret.arn, "Name": secret.name, "VersionId": version.version_id}
        return {**out, "VersionStages": list(version.stages)}, 1

    # -- SSM ---------------------------------------------------------------------------------

    def get_parameter(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        return {"Parameter": self.state.parameter(str(body.get("Name", "")))}, 1

    def get_parameters(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        names = [str(n) for n in body.get("Names") or []]
        if len(names) > SSM_BATCH_MAX:
            raise ApiError("ValidationException", "Names holds at most 10 names.")
        found, invalid = [], []
        for name in names:
            try:
                found.append(self.state.parameter(name))
            except ApiError:
                invalid.append(name)
        return {"Parameters": found, "InvalidParameters": invalid}, len(found)

    def get_parameters_by_path(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        names = self.state.under(str(body.get("Path", "/")), bool(body.get("Recursive")))
        size = min(SSM_BATCH_MAX, int(body.get("MaxResults") or SSM_BATCH_MAX))
        start, end, token = _page(body.get("NextToken"), size, len(names))
        out: dict[str, Any] = {"Parameters": [self.state.parameter(n) for n in names[start:end]]}
        if token:
            out["NextToken"] = token
        return out, end - start

    def put_parameter(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        version = self.state.put_parameter(
            str(body.get("Name", "")),
            str(body.get("Value", "")),
            str(body.get("Type") or "String"),
            overwrite=bool(body.get("Overwrite")),
        )
        return {"Version": version, "Tier": "Standard"}, 1

    # -- STS (query protocol, XML answers) --------------------------------------------------

    @staticmethod
    def sts_answer(action: str, form: dict[str, str]) -> str:
        rid = uuid.uuid4()
        if action == "GetCallerIdentity":
            result = (
                f"<Arn>arn:aws:iam::{ACCOUNT}:user/bench</Arn><UserId>AIDABENCHSTUB</UserId>"
                f"<Account>{ACCOUNT}</Account>"
            )
        elif action in ("AssumeRole", "AssumeRoleWithWebIdentity"):
            role = form.get("RoleArn", f"arn:aws:iam::{ACCOUNT}:role/bench")
            session = form.get("RoleSessionName", "bench")
            expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
            result = (
                "<Credentials><AccessKeyId>ASIABENCHSTUB</AccessKeyId>"
                f"<SecretAccessKey>stub-{uuid.uuid4().hex}</SecretAccessKey>"
                f"<SessionToken>stub-{uuid.uuid4().hex}</SessionToken><Expiration>{expires}</Expiration>"
                "</Credentials><AssumedRoleUser><AssumedRoleId>AROABENCHSTUB:"
                f"{escape(session)}</AssumedRoleId><Arn>arn:aws:sts::{ACCOUNT}:assumed-role/"
                f"{escape(role.rpartition('/')[2])}/{escape(session)}</Arn></AssumedRoleUser>"
            )
        else:
            raise ApiError("InvalidAction", f"Could not find operation {action}")
        return (
            f'<{action}Response xmlns="{STS_NS}"><{action}Result>{result}</{action}Result>'
            f"<ResponseMetadata><RequestId>{rid}</RequestId></ResponseMetadata></{action}Response>"
        )

    # -- HTTP -----------------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        """One AWS call: JSON 1.1 by ``X-Amz-Target``, else STS query by ``Action``."""
        raw = await request.read()
        target = request.headers.get("X-Amz-Target", "")
        if target:
            return await self._json_call(target, raw)
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        form.update({k: v for k, v in request.query.items() if k not in form})
        action = form.get("Action", "")
        api = f"sts.{action}"
        delay, fault = self.faults.decide(api)
        if delay:
            await asyncio.sleep(delay)
        try:
            if fault:
                raise fault
            text = self.sts_answer(action, form)
        except ApiError as exc:
            self.counters.record(api, error=exc.code)
            body = (
                f'<ErrorResponse xmlns="{STS_NS}"><Error><Type>Sender</Type><Code>{escape(exc.code)}</Code>'
                f"<Message>{escape(exc.message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId>"
                "</ErrorResponse>"
            )
            return web.Response(status=exc.status, text=body, content_type="text/xml")
        self.counters.record(api, items=1)
        return web.Response(text=text, content_type="text/xml")

    async def _json_call(self, target: str, raw: bytes) -> web.Response:
        delay, fault = self.faults.decide(target)
        if delay:
            await asyncio.sleep(delay)
        headers = {"x-amzn-RequestId": str(uuid.uuid4())}
        try:
            if fault:
                raise fault
            op = self._ops.get(target)
            if op is None:
                raise ApiError("UnknownOperationException", f"the stub does not implement {target}")
            body = json.loads(raw) if raw else {}
            result, items = op(body)
        except ApiError as exc:
            self.counters.record(target, error=exc.code)
            payload = json.dumps({"__type": exc.code, "message": exc.message})
            return web.Response(
                status=exc.status, body=payload.encode(), content_type=JSON_TYPE, headers=headers
            )
        self.counters.record(target, items=items)
        return web.Response(body=json.dumps(result).encode(), content_type=JSON_TYPE, headers=headers)

    # -- control API ------------------------------------------------------------------------

    async def seed_secrets(self, request: web.Request) -> web.Response:
        created = updated = 0
        for item in (await request.json()).get("secrets") or []:
            binary = base64.b64decode(item["binary_b64"]) if item.get("binary_b64") else None
            _, _, new = self.state.put(
                str(item["name"]), string=item.get("value"), binary=binary, tags=item.get("tags")
            )
            created += new
            updated += not new
        return web.json_response({"created": created, "updated": updated, "secrets": len(self.state.secrets)})

    async def seed_parameters(self, request: web.Request) -> web.Response:
        count = 0
        for item in (await request.json()).get("parameters") or []:
            self.state.put_parameter(str(item["name"]), str(item["value"]), str(item.get("type") or "String"))
            count += 1
        return web.json_response({"written": count, "parameters": len(self.state.parameters)})

    async def stats(self, request: web.Request) -> web.Response:
        timeline = request.query.get("timeline") in ("1", "true")
        since = float(request.query.get("since") or 0)
        snap = self.counters.snapshot(timeline=timeline, since=since)
        snap.update(secrets=len(self.state.secrets), parameters=len(self.state.parameters))
        snap["faults"] = self.faults.describe()
        return web.json_response(snap)

    async def reset(self, request: web.Request) -> web.Response:
        self.counters.reset()
        return web.json_response({"reset": self.counters.started})

    async def set_faults(self, request: web.Request) -> web.Response:
        body = await request.json()
        if "latency_ms" in body:
            self.faults.latency_ms = float(body["latency_ms"])
        if "rules" in body:
            self.faults.rules = [FaultRule(**rule) for rule in body["rules"]]
        return web.json_response(self.faults.describe())

    async def shutdown(self, request: web.Request) -> web.Response:
        self.stopping.set()
        return web.json_response({"stopping": True})

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    def application(self) -> web.Application:
        """The aiohttp application: control routes first, every other POST is an AWS call."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/_stub/health", self.health)
        app.router.add_get("/_stub/stats", self.stats)
        app.router.add_post("/_stub/secrets", self.seed_secrets)
        app.router.add_post("/_stub/parameters", self.seed_parameters)
        app.router.add_post("/_stub/reset", self.reset)
        app.router.add_post("/_stub/faults", self.set_faults)
        app.router.add_post("/_stub/shutdown", self.shutdown)
        app.router.add_post("/{tail:.*}", self.handle)
        return app


async def _serve(args: argparse.Namespace) -> None:
    stub = StubApp(args.latency_ms, args.seed)
    # Idle connections stay open: a server closing one just as the client reuses it shows
    # up as a "connection failed" the operator would retry, an artefact of the stub.
    runner = web.AppRunner(stub.application(), access_log=None, handle_signals=False, keepalive_timeout=3600)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    site = web.SockSite(runner, sock, backlog=1024)
    await site.start()
    print(json.dumps({"port": sock.getsockname()[1], "pid": os.getpid()}), flush=True)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stub.stopping.set)
    deadline = time.monotonic() + args.max_seconds
    parent = args.parent_pid or os.getppid()
    try:
        while not stub.stopping.is_set() and time.monotonic() < deadline:
            if os.getppid() != parent and not _alive(parent):
                break
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stub.stopping.wait(), timeout=1.0)
    finally:
        await runner.cleanup()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.stub_aws [--latency-ms 20] [--port 0] [--max-seconds 14400]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.stub_aws", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="added latency per AWS call")
    parser.add_argument("--max-seconds", type=float, default=4 * 3600.0, help="exit after this long")
    parser.add_argument("--parent-pid", type=int, default=0, help="exit when this process is gone")
    parser.add_argument("--seed", type=int, default=None, help="seed of the fault-injection random numbers")
    args = parser.parse_args(argv)
    asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
