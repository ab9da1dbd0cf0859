"""The only package that talks to the Kubernetes API server.

* :mod:`eso.kube.config` — find and load credentials (kubeconfig or in-cluster).
* :mod:`eso.kube.client` — :class:`KubeClient`: typed-path REST calls on raw JSON, errors
  mapped to :mod:`eso.errors`, client-side rate limiting.
* :mod:`eso.kube.informer` — list + watch caches (bookmarks, resume, relist on 410).
* :mod:`eso.kube.workqueue` — dedup, per-key backoff, delayed requeue, priorities.
* :mod:`eso.kube.controller` — N async workers draining a queue into a reconcile function.
* :mod:`eso.kube.events`, :mod:`eso.kube.leader` — Events and Lease leader election.
"""
