"""`kefu search …`: the ticket search index."""

from typing import Annotated

import typer

search_app = typer.Typer(help="The ticket search index.", no_args_is_help=True)


@search_app.command("reindex")
def reindex(
    batch: Annotated[int, typer.Option(min=1, max=10_000, help="Tickets per transaction.")] = 500,
) -> None:
    """Rebuild every ticket's search document (after an upgrade or a restore)."""
    # kefu may keep running meanwhile: each batch replaces documents in place
    from kefu.cli import out, rebuild_with_progress
    from kefu.tickets.search_index import rebuild_index

    done = rebuild_with_progress("search: tickets", rebuild_index, batch_size=batch)
    out.print(f"Indexed {done} tickets for search.")
