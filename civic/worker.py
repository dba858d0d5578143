"""Entry point of the Huey consumer: ``huey_consumer civic.worker.huey``.

Tasks build the app once, on first use, from the same environment as the web process.
"""

from .core import mail  # noqa: F401  (registers the e-mail task)
from .extensions import huey

__all__ = ["huey"]
