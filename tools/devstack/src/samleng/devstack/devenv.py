"""Settings of the development stack (``run``/``up``): defaults plus ``.local/dev.env``.

``.local/dev.env`` is created on first use with generated keys so they stay the same
between runs; every ``SAMLENG_*=value`` line in it applies to all services, and
``.local/dev.<service>.env`` overrides for one service.
"""

from __future__ import annotations

from pathlib import Path

from samleng.devstack import infra, keys
from samleng.devstack.issuer import DevIssuer
from samleng.devstack.net import LOOPBACK
from samleng.devstack.paths import LocalPaths
from samleng.devstack.services import DEFAULT_PORTS, DEV_ISSUER

GENERATED_KEYS = tuple(keys.generate())
_HEADER = (
    "# Development settings for `make run` / `make up` (KEY=VALUE, applies to all services).\n"
    "# Generated keys are development-only; never reuse them anywhere else.\n"
)


def read_env_file(path: Path) -> dict[str, str]:
    """Parse ``KEY=VALUE`` lines (blank lines and ``#`` comments ignored)."""
    if not path.is_file():
        return {}
    values = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def ensure_dev_env(paths: LocalPaths) -> dict[str, str]:
    """Create or complete ``.local/dev.env`` with generated keys; return its settings."""
    values = read_env_file(paths.dev_env)
    missing = [key for key in GENERATED_KEYS if key not in values]
    if missing:
        paths.dev_env.parent.mkdir(parents=True, exist_ok=True)
        with paths.dev_env.open("a", encoding="utf-8") as file:
            if file.tell() == 0:
                file.write(_HEADER)
            fresh = keys.generate()
            for key in missing:
                values[key] = fresh[key]
                file.write(f"{key}={values[key]}\n")
        paths.dev_env.chmod(0o600)
    return values


def service_env(name: str, paths: LocalPaths) -> dict[str, str]:
    """Return the SAMLENG_* settings of one service in the development stack."""
    env = {
        "SAMLENG_ENVIRONMENT": "development",
        "SAMLENG_AMQP_URL": infra.amqp_url(),
        "SAMLENG_MONGO_URL": infra.mongo_url(),
        "SAMLENG_MONGO_DATABASE": f"samleng_{name}",
        "SAMLENG_HTTP_HOST": LOOPBACK,
        "SAMLENG_HTTP_PORT": str(DEFAULT_PORTS[name]),
        "SAMLENG_LOG_LEVEL": "INFO",
    }
    shared = ensure_dev_env(paths)
    env.update({key: value for key, value in shared.items() if key not in GENERATED_KEYS})
    env.update(keys.for_service(name, shared))
    issuer_home = paths.home / "dev-issuer"
    DevIssuer.load_or_create(issuer_home)
    env.update(DevIssuer.settings_env_for_file(issuer_home / "jwks.json"))
    if name == DEV_ISSUER:  # the issuer's own key lives in this stack's home
        env["SAMLENG_DEVSTACK_HOME"] = str(paths.home)
    if name == "notification":  # the first message to a contact links to web's page
        env["SAMLENG_CONFIRMATION_URL"] = f"http://{LOOPBACK}:{DEFAULT_PORTS['web']}/confirm"
    if name == "web":
        env.update(web_env(f"http://{LOOPBACK}:{DEFAULT_PORTS[DEV_ISSUER]}"))
    if name == "routing":  # the illustrative pilot footprint: single offices and communes
        env["SAMLENG_INITIAL_DIRECTORY"] = "our-voice-pilot.json"
    if name == "intake":  # the portal on loopback passes each citizen's address on
        env["SAMLENG_TRUSTED_PROXIES"] = f'["{LOOPBACK}"]'
    env.update(read_env_file(paths.home / f"dev.{name}.env"))
    return env


def web_env(issuer_url: str, urls: dict[str, str] | None = None) -> dict[str, str]:
    """Where the web front end finds the APIs and the dev identity provider."""
    found = urls or {
        name: f"http://{LOOPBACK}:{DEFAULT_PORTS[name]}"
        for name in ("intake", "notification", "reporting")
    }
    return {
        "SAMLENG_INTAKE_URL": found["intake"],
        "SAMLENG_NOTIFICATION_URL": found["notification"],
        "SAMLENG_REPORTING_URL": found["reporting"],
        "SAMLENG_OIDC_CLIENT_ID": "samleng-web",
        "SAMLENG_OIDC_DISCOVERY_URL": f"{issuer_url}/.well-known/openid-configuration",
    }
