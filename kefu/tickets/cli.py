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
    from kefu.cli import clear_errors, connect, out, prepare_schema, progress_bar, settings_from
    from kefu.tickets.search_index import rebuild_index

    with clear_errors():
        settings = settings_from()
        database = connect(settings)
        prepare_schema(settings, database, apply=False)
        with progress_bar() as progress:
            task = progress.add_task("search: tickets", total=None)
            done = rebuild_index(
                database,
                batch_size=batch,
                progress=lambda count, total: progress.update(task, completed=count, total=total),
            )
        database.dispose()
    out.print(f"Indexed {done} tickets for search.")
