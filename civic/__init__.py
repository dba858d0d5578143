"""civic: calls, participatory budgets, crowdfunding, grants and hearings for a city."""

from __future__ import annotations

from typing import Any

from flask import Flask

import config as settings

from .core.links import CivicFlask, trusted_hosts
from .core.paths import STATIC_DIR, TEMPLATES_DIR


def create_app(profile: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Assemble the application; no queries, migrations or network here."""
    app = CivicFlask(
        __name__,
        template_folder=str(TEMPLATES_DIR),
        static_folder=str(STATIC_DIR),
        instance_path=str(settings.INSTANCE),
    )
    app.config.from_mapping(settings.load(profile))
    if overrides:
        app.config.from_mapping(overrides)
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)

    from . import cli, extensions
    from .core import db, errors, jinja, observability, security

    db.register(app)
    from .voting import snapshot

    snapshot.install()
    extensions.register(app)
    from .accounts import setup as accounts_setup

    accounts_setup.register(app)
    security.register(app)
    observability.register(app)
    jinja.register(app)
    errors.register(app)
    from .core.web import DatabaseId

    app.url_map.converters["int"] = DatabaseId  # before any route is added
    register_blueprints(app)
    cli.register(app)
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    return app


def register_blueprints(app: Flask) -> None:
    """Mount every feature's views."""
    from .accounts.views import bp as accounts_bp
    from .admin.views import bp as admin_bp
    from .backoffice import bp as backoffice_bp
    from .calls.views import bp as calls_bp
    from .crowdfunding.views import bp as crowdfunding_bp
    from .dashboard.views import bp as dashboard_bp
    from .execution.views import bp as execution_bp
    from .grants.views import bp as grants_bp
    from .home.views import bp as home_bp
    from .meetings.views import bp as meetings_bp
    from .opendata.views import bp as opendata_bp
    from .pages.views import bp as pages_bp
    from .places.views import bp as places_bp
    from .proposals.views import bp as proposals_bp
    from .residency.views import bp as residency_bp
    from .voting.views import bp as voting_bp
    from .voting.views_box import bp as ballot_box_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(places_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(calls_bp)
    app.register_blueprint(proposals_bp)
    app.register_blueprint(voting_bp)
    app.register_blueprint(ballot_box_bp)
    app.register_blueprint(residency_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(crowdfunding_bp)
    app.register_blueprint(grants_bp)
    app.register_blueprint(opendata_bp)
    app.register_blueprint(execution_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(backoffice_bp)
    app.register_blueprint(home_bp)

    from .execution import receivers as execution_receivers
    from .residency import receivers as residency_receivers

    execution_receivers.connect()  # execution tracks what the other features fund
    from .accounts import notices

    notices.install()  # people's settings decide which notices leave, and how
    residency_receivers.connect()  # a SPID/CIE sign-in checks the census
