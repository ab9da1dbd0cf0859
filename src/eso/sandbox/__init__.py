"""The local sandbox: real etcd, kube-apiserver and kube-controller-manager plus moto.

Everything binds 127.0.0.1 on free ports and lives in one directory (see ``docs/sandbox.md``)::

    from eso.sandbox import Sandbox
    sandbox = Sandbox(path, echo=print)
    info = sandbox.up()        # idempotent; info.kubeconfig, info.aws_endpoint_url, ...
    sandbox.status().all_ready
    sandbox.down()             # stops exactly what up started
"""

from __future__ import annotations

from eso.sandbox.crds import install_crds, project_crds
from eso.sandbox.files import ComponentInfo, SandboxInfo
from eso.sandbox.sandbox import Sandbox, default_dir
from eso.sandbox.status import ComponentStatus, SandboxStatus
from eso.sandbox.testbin import Testbin, find_testbin

__all__ = [
    "ComponentInfo",
    "ComponentStatus",
    "Sandbox",
    "SandboxInfo",
    "SandboxStatus",
    "Testbin",
    "default_dir",
    "find_testbin",
    "install_crds",
    "project_crds",
]
