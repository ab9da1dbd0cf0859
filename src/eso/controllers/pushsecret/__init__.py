"""The PushSecret controller (``external-secrets.io/v1alpha1``, eso-api §2.14).

Modules, one step each: :mod:`.sources` (the source Secrets, read from the PushSecret's
own namespace only, and their fingerprint), :mod:`.refresh` (whether to push now),
:mod:`.stores` (which stores), :mod:`.entries` (what to push where: ``data[]`` and
expanded ``dataTo[]``), :mod:`.push` (the provider calls, deletions), :mod:`.status`
(``syncedPushSecrets``, Ready, refreshTime) and :mod:`.reconciler`, which runs them in
ESO's order. :mod:`.index` maps Secret and store events to the PushSecrets they concern.
"""
