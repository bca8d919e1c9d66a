from __future__ import annotations

from django.apps import AppConfig


class ToolingConfig(AppConfig):
    """Demo data, bulk data and the benchmark: the one place that may import both apps.

    It owns no table; it is an app only so that its management commands are found.
    """

    name = "config.tooling"
    label = "tooling"
    verbose_name = "Tooling"
