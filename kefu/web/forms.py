"""Reading HTML forms whose field names are not known in advance (custom fields, bulk ids)."""

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData, UploadFile


async def read_form(request: Request) -> FormData:
    """The parsed form; Starlette caches it, so the CSRF check and the page share one parse."""
    return await request.form()


Form = Annotated[FormData, Depends(read_form)]


def text(form: FormData, name: str, default: str = "") -> str:
    """The last value sent under `name` (a hidden "" before a checkbox loses to the box)."""
    values = [v for v in form.getlist(name) if isinstance(v, str)]
    return values[-1].strip() if values else default


def ints(form: FormData, name: str) -> list[int]:
    """Every integer sent under `name`, in order, duplicates and junk dropped."""
    found: list[int] = []
    for value in form.getlist(name):
        if isinstance(value, str) and value.strip().isdigit() and int(value) not in found:
            found.append(int(value))
    return found


def optional_int(form: FormData, name: str) -> int | None:
    value = text(form, name)
    return int(value) if value.isdigit() else None


def files(form: FormData, name: str) -> list[UploadFile]:
    return [f for f in form.getlist(name) if isinstance(f, UploadFile) and f.filename]


def csv_list(value: str) -> list[str]:
    """ "vip, refund  ,"  -> ["vip", "refund"] (tags typed in one box)."""
    return [part.strip() for part in value.replace("，", ",").split(",") if part.strip()]
