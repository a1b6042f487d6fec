"""What the API says when it refuses: RFC 9457 problem details with kefu's stable `code`."""

from pydantic import BaseModel, Field


class ValidationIssue(BaseModel):
    loc: list[str | int] = Field(description='where: ["body", "requester", "email"]')
    msg: str
    type: str


class ProblemDetails(BaseModel):
    """Every 4xx and 5xx body, served as `application/problem+json`."""

    type: str = Field(description="about:blank#<code>")
    title: str
    status: int
    detail: str = Field(description="what went wrong, for people")
    code: str = Field(description="stable, for programs: not_found, conflict, invalid_input, …")
    errors: list[ValidationIssue] | None = Field(
        default=None, description="every problem with the input (invalid_input only)"
    )
