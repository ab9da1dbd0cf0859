"""Print how long a 10-key template takes to render (a measurement, never an assertion).

    .venv/bin/python tests/unit/template/measure_render.py

The template is ESO-shaped: ten ``template.data`` keys over ten provider values, with
the usual functions (``b64enc``, ``upper``, ``printf``, ``toJson`` of ``fromJson``, ``quote``,
``default``, ``index`` of a dashed key, a ``range`` over the context).
"""

from __future__ import annotations

import asyncio
import statistics
import time

from eso.api.secrettemplate import ExternalSecretTemplate
from eso.template import TemplateEngine
from eso.template.apply import RenderedSecret, apply_template

DATA = {f"key-{i}": f"value-{i}-{'x' * 20}".encode() for i in range(9)} | {"json": b'{"a":{"b":[1,2,3]}}'}
TEMPLATES = {
    "user": '{{ index . "key-0" }}',
    "password": '{{ index . "key-1" | b64enc }}',
    "upper": '{{ index . "key-2" | upper }}',
    "dsn": 'postgres://{{ index . "key-3" }}:{{ index . "key-4" | urlquery }}@db:5432/app',
    "json": "{{ (.json | fromJson).a | toJson }}",
    "quoted": '{{ index . "key-5" | quote }}',
    "default": '{{ index . "missing" | default "fallback" }}',
    "printf": '{{ printf "%s-%s" (index . "key-6") (index . "key-7") }}',
    "env": '{{ range $k, $v := . }}{{ $k | upper | replace "-" "_" }}={{ $v }}\n{{ end }}',
    "hash": '{{ index . "key-8" | sha256sum }}',
}


class _NoSources:
    async def get_config_map(self, name: str) -> dict[str, str]:
        raise KeyError(name)

    async def get_secret(self, name: str) -> dict[str, bytes]:
        raise KeyError(name)


def _apply(engine: TemplateEngine, template: ExternalSecretTemplate) -> RenderedSecret:
    return asyncio.run(apply_template(template, DATA, RenderedSecret(), sources=_NoSources(), engine=engine))


def main() -> None:
    template = ExternalSecretTemplate.model_validate({"data": TEMPLATES})
    start = time.perf_counter()
    engine = TemplateEngine()
    built = time.perf_counter() - start
    start = time.perf_counter()
    _apply(engine, template)
    cold = time.perf_counter() - start
    asyncio.run(apply_template(template, DATA, RenderedSecret(), sources=_NoSources(), engine=engine))

    async def warm_runs(count: int) -> list[float]:
        times = []
        for _ in range(count):
            begin = time.perf_counter()
            await apply_template(template, DATA, RenderedSecret(), sources=_NoSources(), engine=engine)
            times.append(time.perf_counter() - begin)
        return times

    warm = asyncio.run(warm_runs(500))
    print("10-key template (template.data, ESO-shaped functions), eso.template.apply_template:")
    print(f"  engine construction (once per operator): {built * 1000:.1f} ms")
    print(f"  first render (parse + compile + render): {cold * 1000:.2f} ms")
    print(f"  cached render: median {statistics.median(warm) * 1000:.3f} ms, "
          f"p95 {sorted(warm)[int(len(warm) * 0.95)] * 1000:.3f} ms over {len(warm)} runs")  # fmt: skip


if __name__ == "__main__":
    main()
