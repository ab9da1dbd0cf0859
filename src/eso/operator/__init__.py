"""Wiring: builds settings-driven collaborators, registers controllers, runs them.

Kept thin: everything with logic lives in :mod:`eso.controllers` and :mod:`eso.kube`.
"""
