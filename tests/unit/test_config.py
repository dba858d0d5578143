"""Settings come from the environment; production refuses unsafe secrets in one line."""

import pytest

import config
from civic import create_app

GOOD = {
    "SECRET_KEY": "k" * 40,
    "STRIPE_SECRET_KEY": "sk_live_example_value",
    "STRIPE_WEBHOOK_SECRET": "whsec_example_value",
    "IDENTITY_HASH_KEY": "h" * 40,
    "BALLOT_KEY": "b" * 40,
    "DATABASE_URL": "postgresql+psycopg://civic@db/civic",
}


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name, value in GOOD.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_production_starts_with_every_secret_set(production_env: pytest.MonkeyPatch) -> None:
    settings = config.load("production")
    assert settings["SECRET_KEY"] == GOOD["SECRET_KEY"]
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["REMEMBER_COOKIE_SECURE"] is True


@pytest.mark.parametrize("name", sorted(config.DEV_SECRETS))
def test_production_refuses_a_missing_secret(production_env: pytest.MonkeyPatch, name: str) -> None:
    production_env.delenv(name)
    with pytest.raises(config.ConfigError) as refused:
        create_app("production")
    message = str(refused.value)
    assert message == f"civic: refusing to start in production: {name} is not set"
    assert "\n" not in message


@pytest.mark.parametrize("name", sorted(config.DEV_SECRETS))
def test_production_refuses_a_default_secret(production_env: pytest.MonkeyPatch, name: str) -> None:
    production_env.setenv(name, config.DEV_SECRETS[name])
    with pytest.raises(
        config.ConfigError,
        match=f"^civic: refusing to start in production: {name} has a default value$",
    ):
        config.load("production")


def test_production_refuses_a_short_secret_key(production_env: pytest.MonkeyPatch) -> None:
    production_env.setenv("SECRET_KEY", "short-but-not-default")
    with pytest.raises(config.ConfigError, match="SECRET_KEY is shorter than 32"):
        config.load("production")


def test_production_refuses_to_run_without_a_database_url(
    production_env: pytest.MonkeyPatch,
) -> None:
    production_env.delenv("DATABASE_URL")
    with pytest.raises(config.ConfigError, match="DATABASE_URL is not set"):
        config.load("production")


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/elsewhere.sqlite3")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("MAIL_PORT", "2525")
    monkeypatch.setenv("STRIPE_PUBLISHABLE_KEY", "pk_test_from_env")
    settings = config.load("development")
    assert settings["DATABASE_URL"] == "sqlite:////tmp/elsewhere.sqlite3"
    assert settings["REDIS_URL"] == "redis://127.0.0.1:6379/3"
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
    assert (settings["MAIL_SERVER"], settings["MAIL_PORT"]) == ("smtp.example.org", 2525)
    assert settings["STRIPE_PUBLISHABLE_KEY"] == "pk_test_from_env"


def test_rate_limits_stay_in_memory_without_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    assert config.load("development")["RATELIMIT_STORAGE_URI"] == "memory://"


def test_a_malformed_number_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_PORT", "twenty-five")
    with pytest.raises(config.ConfigError, match="MAIL_PORT must be a whole number"):
        config.load("development")


def test_an_unknown_profile_is_refused() -> None:
    with pytest.raises(config.ConfigError, match="unknown CIVIC_ENV"):
        config.load("staging")


def test_without_stripe_keys_development_uses_the_local_stripe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    monkeypatch.delenv("STRIPE_API_BASE", raising=False)
    assert config.load("development")["STRIPE_API_BASE"] == "http://127.0.0.1:8420"
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_real_test_mode_key")
    assert config.load("development")["STRIPE_API_BASE"] is None  # real Stripe, test mode
    monkeypatch.delenv("STRIPE_SECRET_KEY")
    assert config.load("test")["STRIPE_API_BASE"] is None


def test_make_run_starts_localstripe_only_without_stripe_keys() -> None:
    from pathlib import Path

    recipe = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    run = recipe.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert 'if [ -z "$$STRIPE_SECRET_KEY" ]; then' in run
    assert "$(BIN)/localstripe --port 8420" in run
    assert "kill $$worker $$stripe" in run
