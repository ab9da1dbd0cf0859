"""The AWS provider (``spec.provider.aws``): Secrets Manager and Parameter Store.

The only package that imports aiobotocore/botocore. Entry point: :class:`AWSProvider`.
Module map: ``provider`` (the Provider), ``spec_checks`` (static validation), ``auth``
(credential resolution and STS), ``session`` (environment, endpoints, client creation),
``calls`` (the one API-call wrapper: metrics, retries, error mapping), ``errors``
(SDK error → eso error), ``client`` (shared client logic), ``secretsmanager`` /
``sm_push`` and ``parameterstore`` / ``ps_push`` (the services), ``metadata``
(PushSecretMetadata), ``pushdata`` (values and ownership), ``gojson`` (Go-exact JSON),
``re2`` (Go regexps).
"""

from eso.providers.aws.client import AWSClient
from eso.providers.aws.parameterstore import ParameterStoreClient
from eso.providers.aws.provider import AWSProvider
from eso.providers.aws.secretsmanager import SecretsManagerClient
from eso.providers.aws.session import AWSEnvironment, ClientOptions

__all__ = [
    "AWSClient",
    "AWSEnvironment",
    "AWSProvider",
    "ClientOptions",
    "ParameterStoreClient",
    "SecretsManagerClient",
]
