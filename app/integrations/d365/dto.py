"""What travels to Dynamics 365: a lead as Dataverse columns, and the outcome of one upsert."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LeadDTO:
    """`key` is the alternate-key value (the company domain); `fields` the Dataverse lead columns."""

    key: str
    fields: dict = field(default_factory=dict)


@dataclass
class PushOutcome:
    key: str
    d365_lead_id: str | None = None
    created: bool | None = None  # None when Dynamics did not say (204 without representation, $batch)
    attempts: int = 0
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.d365_lead_id is not None
