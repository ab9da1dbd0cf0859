"""Provider spec models, one module per ``spec.provider`` key (``aws``, ``fake``, …)."""
