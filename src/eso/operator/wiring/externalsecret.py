"""ExternalSecret controller wiring: informers, index, queue, reconciler."""

from __future__ import annotations

from eso.api import constants
from eso.api.resources import EXTERNAL_SECRET
from eso.controllers.externalsecret.context import ExternalSecretContext
from eso.controllers.externalsecret.reconciler import reconcile
from eso.kube.controller import Result
from eso.operator.handlers import ExternalSecretIndex
from eso.operator.wiring.base import Wiring

__all__ = ["build"]

Key = tuple[str, str]


def build(w: Wiring) -> None:
    """Register the ExternalSecret controller."""
    informer = w.informer(EXTERNAL_SECRET)
    secrets = w.managed_secrets()
    queue = w.queue("externalsecret")
    index = ExternalSecretIndex(queue)
    w.shared["es_index"] = index
    informer.add_handler(index.on_external_secret)
    secrets.add_handler(index.on_secret)
    ctx = ExternalSecretContext(
        client=w.client,
        externalsecrets=informer,
        secrets=secrets,
        stores=w.store_resolver(),
        reads=w.shared_reads(),
        events=w.events(constants.RECORDER_EXTERNAL_SECRET),
        metrics=w.metrics,
        settings=w.settings.controller,
        engine=w.engine,
        generators=w.shared.get("generators"),
    )
    w.shared["es_context"] = ctx

    async def run(key: Key) -> Result:
        return await reconcile(ctx, key)

    w.controller("externalsecret", queue, run, w.settings.controller.concurrent)
