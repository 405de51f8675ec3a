"""The connector framework (seed 004 "Connector Framework"): a small base class and a registry by kind.

A connector knows one external system's API: which config fields it needs (and which are secret), how to
build the gateway profile from them, and what `test_connection`, `push`, `pull` and `handle_webhook`
mean there. It talks HTTP only through the ALMGateway it is given and never touches the database: the
integration service loads and saves, the connector translates. New kinds plug in by subclassing and
registering from their package's `load(app)` (app/integrations/plugins.py), without touching the gateway.
"""

from dataclasses import dataclass, field

from app.integrations.alm_gateway import ALMGateway, ConnectionProfile
from app.integrations.errors import GatewayError, UpstreamTimeout


@dataclass(frozen=True)
class ConfigField:
    name: str
    label: str
    secret: bool = False
    required: bool = True
    url: bool = False
    help: str = ""
    default: str | None = None


@dataclass
class TestResult:
    status: str  # ok | error | timeout
    message: str
    details: dict = field(default_factory=dict)


class NotSupported(Exception):
    """The connector does not offer this operation (yet)."""


class Connector:
    kind: str = ""
    title: str = ""
    vendor: str = ""
    description: str = ""
    fields: tuple[ConfigField, ...] = ()
    single_per_tenant: bool = False
    position: int = 100  # order in the catalogue

    def __init__(self, gateway: ALMGateway, config: dict, reference_cache=None):
        self.gateway, self.config, self.reference_cache = gateway, config, reference_cache

    # -- what a kind declares -----------------------------------------------------------------------

    @classmethod
    def secret_fields(cls) -> tuple[str, ...]:
        return tuple(f.name for f in cls.fields if f.secret)

    @classmethod
    def config_fields(cls) -> tuple[str, ...]:
        return tuple(f.name for f in cls.fields if not f.secret)

    @classmethod
    def build_profile(cls, tenant_id, connection_id, config: dict, secrets: dict) -> ConnectionProfile:
        """Most OAuth2 client-credentials APIs: base_url, token_url, client_id, client_secret, scope."""
        return ConnectionProfile(
            tenant_id=tenant_id,
            connection_id=connection_id,
            kind=cls.kind,
            base_url=config["base_url"],
            token_url=config.get("token_url"),
            client_id=config.get("client_id"),
            client_secret=secrets.get("client_secret"),
            scope=config.get("scope") or None,
            headers=tuple(cls.default_headers().items()),
        )

    @classmethod
    def default_headers(cls) -> dict:
        return {}

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        """Rules across fields (one of two required, ranges): {"config.<field>": [messages]}; empty when
        valid. The hub calls it after the per-field checks, before anything is stored."""
        return {}

    @classmethod
    def describe(cls) -> dict:
        return {
            "kind": cls.kind,
            "title": cls.title,
            "vendor": cls.vendor,
            "description": cls.description,
            "single_per_tenant": cls.single_per_tenant,
            "fields": [
                {
                    "name": f.name,
                    "label": f.label,
                    "secret": f.secret,
                    "required": f.required,
                    "url": f.url,
                    "help": f.help,
                    "default": f.default,
                }
                for f in cls.fields
            ],
            "operations": [
                op
                for op in ("test_connection", "push", "pull", "handle_webhook")
                if op == "test_connection" or getattr(cls, op) is not getattr(Connector, op)
            ],
        }

    # -- what a connection does ----------------------------------------------------------------------

    def test_connection(self) -> TestResult:
        raise NotImplementedError

    def run_test(self) -> TestResult:
        """test_connection with gateway errors turned into a result the admin can read."""
        try:
            return self.test_connection()
        except UpstreamTimeout as exc:
            return TestResult("timeout", str(exc))
        except GatewayError as exc:
            return TestResult("error", str(exc))

    def push(self, records: list[dict]) -> dict:
        raise NotSupported(f"{self.title} does not push records yet.")

    def pull(self, since=None) -> dict:
        raise NotSupported(f"{self.title} does not pull records yet.")

    def handle_webhook(self, event_type: str | None, payload: dict) -> dict:
        """Default: acknowledge and keep the event; connectors that act on events override this."""
        return {"handled": False, "event_type": event_type}

    def cached_reference(self, name: str, loader, ttl_seconds: int = 900):
        """Reference data (projects, picklists) from the connection's cache; invalidated whenever the
        connection's configuration changes (the cache key carries the connection's version)."""
        if self.reference_cache is None:
            return loader()
        return self.reference_cache.get_or_load(name, loader, ttl_seconds)


REGISTRY: dict[str, type[Connector]] = {}


def register(cls: type[Connector]) -> type[Connector]:
    """Called by an integration package's `load(app)` (app/integrations/plugins.py). Loading the same
    package again (a second app in one process) is harmless; two classes claiming one kind are a bug."""
    if not cls.kind or REGISTRY.get(cls.kind, cls) is not cls:
        raise ValueError(f"connector kind {cls.kind!r} is empty or claimed by two classes")
    REGISTRY[cls.kind] = cls
    return cls


def connector_class(kind: str) -> type[Connector] | None:
    return REGISTRY.get(kind)


def all_connectors() -> list[type[Connector]]:
    return sorted(REGISTRY.values(), key=lambda cls: (cls.position, cls.title))
