"""Entry point of the Huey consumer: ``huey_consumer civic.worker.huey``.

Tasks build the app once, on first use, from the same environment as the web process.
"""

from . import create_app
from .accounts import tasks as account_tasks  # noqa: F401  (password-reset e-mails)
from .core import mail  # registers the e-mail task
from .core.queue import huey
from .crowdfunding import tasks as crowdfunding_tasks  # noqa: F401  (closing campaigns)
from .execution import tasks as execution_tasks  # noqa: F401  (telling followers)
from .meetings import tasks as meeting_tasks  # noqa: F401  (reminders, retention)
from .voting import tasks as voting_tasks  # noqa: F401  (the tally)

mail.use_app_factory(create_app)

__all__ = ["huey"]
