"""What crosses assignment's API and pages: an agent's status, a team's method."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from kefu.kit.i18n import N_


class AgentStatusValue(StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


class Method(StrEnum):
    MANUAL = "manual"
    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"
    SKILLS = "skills"


STATUS_LABELS = {
    AgentStatusValue.ONLINE: N_("Online"),
    AgentStatusValue.AWAY: N_("Away"),
    AgentStatusValue.OFFLINE: N_("Offline"),
}
METHOD_LABELS = {
    Method.MANUAL: N_("Manual: agents take tickets themselves"),
    Method.ROUND_ROBIN: N_("Round robin: each online agent in turn"),
    Method.LEAST_LOADED: N_("Least loaded: the online agent with the fewest open tickets"),
    Method.SKILLS: N_("Skills: the least loaded online agent with the skills the ticket needs"),
}
Capacity = int | None


class AgentStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: AgentStatusValue


class AgentStatusRead(BaseModel):
    agent_id: int
    status: AgentStatusValue


class TeamAssignmentIn(BaseModel):
    """`default_capacity` None = no limit; `capacities` {agent id: max open tickets or None
    to use the team's default}."""

    model_config = ConfigDict(extra="forbid")

    method: Method = Method.MANUAL
    default_capacity: int | None = Field(default=None, ge=0, le=10_000)
    capacities: dict[int, int | None] = Field(default_factory=dict)


class TeamAssignmentRead(BaseModel):
    team_id: int
    method: Method
    default_capacity: int | None
    capacities: dict[int, int]
