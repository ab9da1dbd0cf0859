"""One reconciler per kind; each step of a reconcile is a named function.

* :mod:`eso.controllers.externalsecret` — ExternalSecret → Kubernetes Secret.
* :mod:`eso.controllers.secretstore` — SecretStore and ClusterSecretStore validation.
* :mod:`eso.controllers.stores` — store lookup, class/condition checks, provider client cache.
* :mod:`eso.controllers.conditions` — status conditions, set by type.
"""
