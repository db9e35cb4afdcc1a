"""Rich progress bars for stages (the CLI's ProgressSink)."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class RichProgress:
    """One bar per stage task, drawn on stderr so stdout stays clean for data."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def start(self, label: str, total: int | None) -> None:
        """Add a bar (or reset it when a stage starts the same label again)."""
        if label in self._tasks:
            self._progress.reset(self._tasks[label], total=total)
        else:
            self._tasks[label] = self._progress.add_task(label, total=total)

    def advance(self, label: str, steps: int = 1) -> None:
        """Move a bar forward."""
        if label in self._tasks:
            self._progress.advance(self._tasks[label], steps)
