"""eso: the External Secrets Operator, in Python.

Keeps Kubernetes Secrets in sync with external secret stores (AWS Secrets Manager and
Parameter Store first) and pushes Secrets back to them, with the ``external-secrets.io``
API. The stable public surface is this package, :mod:`eso.api`, :mod:`eso.errors` and
:mod:`eso.providers.base`.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
