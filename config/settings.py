"""Settings read once from the environment.

Every setting has a safe embedded default for trying the service on one machine (SQLite under
``instance/``, development sign-in). Production refuses the development-only switches.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


def default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'childcare.db'}"


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _development_secret_key() -> str:
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _pem(value: str) -> str:
    """A PEM key given inline, or the path of a file holding it."""
    if value and not value.lstrip().startswith("-----BEGIN") and Path(value).is_file():
        return Path(value).read_text()
    return value


def _int(value: str | None, default: int) -> int:
    return default if value in (None, "") else int(value)


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    database_url: str = field(default_factory=default_database_url)
    secret_key: str = ""
    # How long a consent lasts before the parent must reconfirm it.
    consent_validity_days: int = 365
    # A bank-details change holds the provider's payments for this many days (and until released).
    bank_change_cooling_off_days: int = 30
    # Lines whose hours add up to more than this per day of care are implausible.
    max_plausible_hours_per_day: int = 13
    # A provider submitting this many times its usual weekly volume (and at least the floor) is flagged.
    volume_spike_factor: int = 3
    volume_spike_floor: int = 10
    service_user_name: str = "DWP CHILDCARE DIRECT"
    # Rate limits ("N per minute"); counters in Redis when REDIS_URL is set.
    redis_url: str = ""
    rate_limit_sign_in: str = "20 per minute"
    # Nursery sign-in attempts per account (email address), from any address: slows guessing
    # spread over many addresses. Generous, as everyone at a nursery may share one address.
    rate_limit_sign_in_account: str = "10 per minute"
    rate_limit_token: str = "30 per minute"  # noqa: S105 - a rate, not a secret
    rate_limit_api: str = "600 per minute"
    # Consent requests (API and portal): per provider, and per parent email address (any provider).
    rate_limit_consent_requests_provider: str = "100 per hour"
    rate_limit_consent_requests_parent: str = "5 per day"
    # Where people reach the service; the development identity provider's issuer lives under it.
    # Every absolute link (emails, sign-in redirect addresses) is built from it, never from Host.
    base_url: str = "http://127.0.0.1:5000"
    # The largest request body accepted (413 above it); spreadsheet uploads may be larger.
    max_request_bytes: int = 1024 * 1024
    max_upload_bytes: int = 6 * 1024 * 1024
    # /metrics needs "Authorization: Bearer <this>" when set; production without it serves no metrics.
    metrics_token: str = ""
    # The built-in development OpenID provider (make run switches it on; production refuses it).
    dev_identity_provider: bool = False
    # Parents sign in with OpenID Connect: GOV.UK One Login in production (see README).
    parent_oidc_discovery_url: str = ""
    parent_oidc_client_id: str = ""
    parent_oidc_client_secret: str = ""
    # GOV.UK One Login authenticates clients with private_key_jwt: the PEM private key (or a path
    # to it). When set, the client signs a fresh five-minute assertion for each token request.
    parent_oidc_private_key: str = ""
    # One Login's vector of trust: Cl.Cm asks for a medium level of authentication.
    parent_oidc_vtr: str = '["Cl.Cm"]'
    # The development provider gives the parent's name with "profile"; GOV.UK One Login has no
    # such scope (its names come with identity proving), so a configured provider asks for less.
    parent_oidc_scope: str = "openid email profile"
    # DWP staff sign in with any OpenID Connect provider issuing a ``roles`` claim (e.g. Entra ID).
    staff_oidc_discovery_url: str = ""
    staff_oidc_client_id: str = ""
    staff_oidc_client_secret: str = ""
    # Stripe Connect (the stripe rail): the platform's secret key, its webhook signing secret, and
    # (tests and local runs only) the address of a Stripe-compatible server instead of Stripe's.
    stripe_api_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str = ""
    # The audit log's signed checkpoints: an Ed25519 private key (PEM, or the path of one) and the
    # directory outside the database the checkpoints are written to. Development and tests make
    # a key and use a folder under instance/; production must set both.
    audit_signing_key: str = ""
    audit_checkpoint_dir: str = ""
    # Bacs: DWP's Service User Number and the account the contra debits (development values).
    bacs_service_user_number: str = "999999"
    bacs_sort_code: str = "089999"
    bacs_account_number: str = "66374958"
    # Approval limits: a batch whose total is over the first, or with any payment over the
    # second, needs two different approvers (pence).
    batch_two_approvers_over_pence: int = 50_000_000
    payment_two_approvers_over_pence: int = 2_500_000
    # How long after a Bacs payment's entry day the bank's return of it is accepted.
    bacs_returns_window_days: int = 60
    # Where Universal Credit claim facts come from (``claims``): "development" (this service's
    # own tables, set on /dev/claims) or "http" (DWP's claim system at CLAIM_SYSTEM_URL, with a
    # bearer token).
    claim_system: str = "development"
    claim_system_url: str = ""
    claim_system_token: str = ""

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_postgresql(self) -> bool:
        return self.database_url.startswith("postgresql")

    @classmethod
    def from_environment(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {
            "environment": env.get("APP_ENV", "development"),
            "database_url": env.get("DATABASE_URL") or default_database_url(),
            "secret_key": env.get("SECRET_KEY", ""),
            "consent_validity_days": _int(env.get("CONSENT_VALIDITY_DAYS"), 365),
            "bank_change_cooling_off_days": _int(env.get("BANK_CHANGE_COOLING_OFF_DAYS"), 30),
            "base_url": env.get("BASE_URL", "http://127.0.0.1:5000"),
            "max_request_bytes": _int(env.get("MAX_REQUEST_BYTES"), 1024 * 1024),
            "max_upload_bytes": _int(env.get("MAX_UPLOAD_BYTES"), 6 * 1024 * 1024),
            "metrics_token": env.get("METRICS_TOKEN", ""),
            "redis_url": env.get("REDIS_URL", ""),
            "rate_limit_sign_in": env.get("RATE_LIMIT_SIGN_IN", "20 per minute"),
            "rate_limit_sign_in_account": env.get("RATE_LIMIT_SIGN_IN_ACCOUNT", "10 per minute"),
            "rate_limit_token": env.get("RATE_LIMIT_TOKEN", "30 per minute"),
            "rate_limit_api": env.get("RATE_LIMIT_API", "600 per minute"),
            "rate_limit_consent_requests_provider": env.get(
                "RATE_LIMIT_CONSENT_REQUESTS_PROVIDER", "100 per hour"
            ),
            "rate_limit_consent_requests_parent": env.get("RATE_LIMIT_CONSENT_REQUESTS_PARENT", "5 per day"),
            "dev_identity_provider": _bool(env.get("DEV_IDENTITY_PROVIDER")),
            "parent_oidc_discovery_url": env.get("PARENT_OIDC_DISCOVERY_URL", ""),
            "parent_oidc_client_id": env.get("PARENT_OIDC_CLIENT_ID", ""),
            "parent_oidc_client_secret": env.get("PARENT_OIDC_CLIENT_SECRET", ""),
            "parent_oidc_private_key": _pem(env.get("PARENT_OIDC_PRIVATE_KEY", "")),
            "parent_oidc_vtr": env.get("PARENT_OIDC_VTR", '["Cl.Cm"]'),
            "parent_oidc_scope": env.get("PARENT_OIDC_SCOPE")
            or ("openid email" if env.get("PARENT_OIDC_DISCOVERY_URL") else "openid email profile"),
            "staff_oidc_discovery_url": env.get("STAFF_OIDC_DISCOVERY_URL", ""),
            "staff_oidc_client_id": env.get("STAFF_OIDC_CLIENT_ID", ""),
            "staff_oidc_client_secret": env.get("STAFF_OIDC_CLIENT_SECRET", ""),
            "stripe_api_key": env.get("STRIPE_API_KEY", ""),
            "stripe_webhook_secret": env.get("STRIPE_WEBHOOK_SECRET", ""),
            "stripe_api_base": env.get("STRIPE_API_BASE", ""),
            "audit_signing_key": _pem(env.get("AUDIT_SIGNING_KEY", "")),
            "audit_checkpoint_dir": env.get("AUDIT_CHECKPOINT_DIR", ""),
            "bacs_service_user_number": env.get("BACS_SERVICE_USER_NUMBER", "999999"),
            "bacs_sort_code": env.get("BACS_SORT_CODE", "089999"),
            "bacs_account_number": env.get("BACS_ACCOUNT_NUMBER", "66374958"),
            "batch_two_approvers_over_pence": _int(env.get("BATCH_TWO_APPROVERS_OVER_PENCE"), 50_000_000),
            "payment_two_approvers_over_pence": _int(env.get("PAYMENT_TWO_APPROVERS_OVER_PENCE"), 2_500_000),
            "bacs_returns_window_days": _int(env.get("BACS_RETURNS_WINDOW_DAYS"), 60),
            "claim_system": env.get("CLAIM_SYSTEM", "development"),
            "claim_system_url": env.get("CLAIM_SYSTEM_URL", ""),
            "claim_system_token": env.get("CLAIM_SYSTEM_TOKEN", ""),
        }
        values.update(overrides)
        settings = cls(**values)  # type: ignore[arg-type]
        settings.check()
        if not settings.secret_key:
            # Development only (check() refuses this in production): a key kept under instance/,
            # so sessions and the keyed NINO hashes survive a restart.
            settings = cls(**{**values, "secret_key": _development_secret_key()})  # type: ignore[arg-type]
        return settings

    def check(self) -> None:
        if self.environment not in {"development", "test", "production"}:
            raise RuntimeError(f"APP_ENV must be development, test or production, not {self.environment!r}")
        if self.claim_system not in {"development", "http"}:
            raise RuntimeError(f"CLAIM_SYSTEM must be development or http, not {self.claim_system!r}")
        if self.claim_system == "http" and not self.claim_system_url.startswith(("https://", "http://")):
            raise RuntimeError("CLAIM_SYSTEM=http needs CLAIM_SYSTEM_URL, the claim system's address")
        if self.is_production:
            if len(self.secret_key) < 32:
                raise RuntimeError("SECRET_KEY must be set to at least 32 characters in production")
            if self.database_url.startswith("sqlite"):
                raise RuntimeError("production needs DATABASE_URL pointing at PostgreSQL")
            if self.dev_identity_provider:
                raise RuntimeError("DEV_IDENTITY_PROVIDER is for development only: production refuses it")
            development_bacs = ("999999", "089999", "66374958")
            bacs = (self.bacs_service_user_number, self.bacs_sort_code, self.bacs_account_number)
            if any(value in ("", dev) for value, dev in zip(bacs, development_bacs, strict=True)):
                raise RuntimeError(
                    "production needs DWP's own BACS_SERVICE_USER_NUMBER, BACS_SORT_CODE and "
                    "BACS_ACCOUNT_NUMBER"
                )
            if self.claim_system != "http" or not self.claim_system_url.startswith("https://"):
                raise RuntimeError(
                    "production reads claims from DWP's claim system: set CLAIM_SYSTEM=http and "
                    "CLAIM_SYSTEM_URL over https"
                )
            if len(self.claim_system_token) < 32:
                raise RuntimeError(
                    "production needs DWP's CLAIM_SYSTEM_TOKEN for its claim system (32 characters or more)"
                )


_current: Settings | None = None


def current() -> Settings:
    """The process's settings: those the app factory was given, else read from the environment."""
    global _current
    if _current is None:
        _current = Settings.from_environment()
    return _current


def use(settings: Settings) -> None:
    global _current
    _current = settings
