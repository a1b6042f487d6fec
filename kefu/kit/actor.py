"""Who is acting: a person, an API token, a background job or the system itself."""

from dataclasses import dataclass
from typing import Literal

ActorKind = Literal["agent", "api_token", "job", "system"]


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    name: str
    agent_id: int | None = None
    role: str | None = None
    token_id: int | None = None

    @classmethod
    def system(cls) -> "Actor":
        return cls(kind="system", name="system")

    @classmethod
    def job(cls, name: str) -> "Actor":
        return cls(kind="job", name=name)

    @property
    def ref(self) -> str:
        """A stable reference for logs: agent:12, api_token:3, job:events.dispatch."""
        if self.kind == "agent":
            return f"agent:{self.agent_id}"
        if self.kind == "api_token":
            return f"api_token:{self.token_id}"
        return f"{self.kind}:{self.name}"
