"""The admission webhook (``eso webhook``): validation over HTTPS with certificates eso manages itself.

Module map:

* :mod:`~eso.webhook.admission` — the AdmissionReview wire format;
* :mod:`~eso.webhook.validators` — the decision per kind (:mod:`eso.api.validation`,
  :func:`eso.api.parse`, the providers' ``validate_store``);
* :mod:`~eso.webhook.redact` — values that may be secret, kept out of messages;
* :mod:`~eso.webhook.configuration` — the validated kinds, their paths, and the
  ValidatingWebhookConfiguration (:func:`render_validating_webhook_configuration`);
* :mod:`~eso.webhook.certs` — what is stored, and the keep / reissue / renew decision (pure);
* :mod:`~eso.webhook.certgen` — key and certificate generation;
* :mod:`~eso.webhook.certsync` — the webhook Secret, the cert dir and the check loop;
* :mod:`~eso.webhook.inject` — ``caBundle`` injection;
* :mod:`~eso.webhook.tlsreload` — the serving certificate in use, swapped on change;
* :mod:`~eso.webhook.server` — the HTTPS, health and metrics endpoints;
* :mod:`~eso.webhook.waiting` — a small asyncio helper;
* :mod:`~eso.webhook.telemetry` — its Prometheus metrics;
* :mod:`~eso.webhook.settings` — its settings;
* :mod:`~eso.webhook.app` — all of it in one process.

See ``docs/webhook.md``.
"""

from __future__ import annotations
