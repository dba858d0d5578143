"""The absolute links account e-mails carry (verification, password reset, sign-in); built
on the public address by ``url_for`` (core.links), in a request or in a job."""

from __future__ import annotations

from flask import url_for


class RequestLinks:
    """Absolute links for e-mails, built from the current request."""

    def verify_email(self, token: str) -> str:
        return url_for("accounts.verify_email", token=token, _external=True)

    def reset_password(self, token: str) -> str:
        return url_for("accounts.reset_password", token=token, _external=True)

    def sign_in(self) -> str:
        return url_for("accounts.sign_in", _external=True)

    def forgot_password(self) -> str:
        return url_for("accounts.forgot_password", _external=True)

    def sign_in_link(self, token: str) -> str:
        return url_for("accounts.sign_in_with_link", token=token, _external=True)
