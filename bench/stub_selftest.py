"""``python -m bench.stub_selftest``: every API of the AWS stub through aiobotocore, and its rate.

A quick check (a few seconds, no sandbox) that the stub still answers what eso's AWS
provider sends: Secrets Manager and SSM over JSON 1.1, STS over the query protocol, the
error shapes botocore maps, the counters and one fault rule. Exits 1 on the first mismatch.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from aiobotocore.session import AioSession

from bench.stub_client import StubProcess

__all__ = ["main"]


def _check(ok: bool, what: str) -> None:
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        raise SystemExit(1)


async def _code(call: Any) -> str:
    try:
        await call
    except Exception as exc:
        return str(getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__))
    return ""


async def _run(calls: int) -> None:
    async with StubProcess(latency_ms=0) as stub:
        await stub.put_secrets(
            [{"name": f"app/s{i}", "value": json.dumps({"u": f"user{i}"})} for i in range(30)]
        )
        await stub.put_parameters([{"name": f"/p/a/{i}", "value": f"v{i}"} for i in range(15)])
        kw: dict[str, Any] = {
            "region_name": "eu-west-1",
            "endpoint_url": stub.url,
            "aws_access_key_id": "a",
            "aws_secret_access_key": "b",
        }
        session = AioSession()
        async with (
            session.create_client("secretsmanager", **kw) as sm,
            session.create_client("ssm", **kw) as ssm,
            session.create_client("sts", **kw) as sts,
        ):
            got = await sm.get_secret_value(SecretId="app/s1")
            _check(json.loads(got["SecretString"]) == {"u": "user1"}, "GetSecretValue by name")
            _check(
                (await sm.get_secret_value(SecretId=got["ARN"]))["Name"] == "app/s1", "GetSecretValue by ARN"
            )
            batch = await sm.batch_get_secret_value(SecretIdList=["app/s2", "nope"])
            _check(
                len(batch["SecretValues"]) == 1 and batch["Errors"][0]["SecretId"] == "nope", "BatchGet ids"
            )
            page = await sm.batch_get_secret_value(
                Filters=[{"Key": "name", "Values": ["app/"]}], MaxResults=20
            )
            _check(len(page["SecretValues"]) == 20 and "NextToken" in page, "BatchGet filters, paged")
            listed = await sm.list_secrets(MaxResults=100)
            _check(len(listed["SecretList"]) == 30, "ListSecrets")
            described = await sm.describe_secret(SecretId="app/s3")
            _check(bool(described["VersionIdsToStages"]), "DescribeSecret")
            _check(
                await _code(sm.get_secret_value(SecretId="missing")) == "ResourceNotFoundException",
                "not found",
            )
            before = next(e for e in listed["SecretList"] if e["Name"] == "app/s1")
            await sm.put_secret_value(SecretId="app/s1", SecretString="new")
            relisted = await sm.list_secrets(Filters=[{"Key": "name", "Values": ["app/s1"]}])
            after = next(e for e in relisted["SecretList"] if e["Name"] == "app/s1")
            current = (await sm.get_secret_value(SecretId="app/s1"))["VersionId"]
            _check(
                after["SecretVersionsToStages"].get(current) == ["AWSCURRENT"]
                and current not in before["SecretVersionsToStages"]
                and after["LastChangedDate"] >= before["LastChangedDate"],
                "ListSecrets versions and LastChangedDate follow PutSecretValue",
            )
            previous = await sm.get_secret_value(SecretId="app/s1", VersionStage="AWSPREVIOUS")
            _check(json.loads(previous["SecretString"]) == {"u": "user1"}, "PutSecretValue moves AWSPREVIOUS")
            _check((await ssm.get_parameter(Name="/p/a/1"))["Parameter"]["Value"] == "v1", "GetParameter")
            params = await ssm.get_parameters(Names=["/p/a/2", "/nope"])
            _check(params["InvalidParameters"] == ["/nope"], "GetParameters")
            by_path = await ssm.get_parameters_by_path(Path="/p", Recursive=True, MaxResults=10)
            _check(len(by_path["Parameters"]) == 10 and "NextToken" in by_path, "GetParametersByPath")
            _check(await _code(ssm.get_parameter(Name="/nope")) == "ParameterNotFound", "ParameterNotFound")
            _check("123456789012" in (await sts.get_caller_identity())["Arn"], "STS GetCallerIdentity")
            role = await sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="bench")
            _check("assumed-role/r/bench" in role["AssumedRoleUser"]["Arn"], "STS AssumeRole")
            await stub.faults(
                rules=[{"api": "DescribeSecret", "error_rate": 1.0, "error_code": "AccessDeniedException"}]
            )
            _check(
                await _code(sm.describe_secret(SecretId="app/s1")) == "AccessDeniedException", "fault rule"
            )
            await stub.faults(rules=[])
            await stub.reset()
            limit = asyncio.Semaphore(50)

            async def one(i: int) -> None:
                async with limit:
                    await sm.get_secret_value(SecretId=f"app/s{i % 30}")

            started = time.perf_counter()
            await asyncio.gather(*(one(i) for i in range(calls)))
            rate = calls / (time.perf_counter() - started)
        stats = await stub.stats()
        _check(stats["calls"].get("secretsmanager.GetSecretValue") == calls, "counters")
        print(f"rate: {rate:.0f} GetSecretValue/s at concurrency 50 (client-bound; no added latency)")


def main() -> int:
    """Run the checks."""
    asyncio.run(_run(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
