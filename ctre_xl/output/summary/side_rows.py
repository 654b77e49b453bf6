"""The rows of the summary's long lists, made on the other core while this process writes the rest.

"Tiến độ nộp" (a row per unit, its height measured from its texts) and "Dữ liệu" (a row per figure)
depend on nothing else the summary writes. A worker process makes their rows' XML, each sheet's
rows into a file of the summary's scratch folder (``make_pieces``), deflated there (a segment of
``packing``: tens of megabytes of XML at scale deflated on the other core), and each list's sheets
then take them (``StreamedSheet.append_rows``): the segment goes into the summary's zip as it is,
never read or copied as text by this process. The cells' format indexes are numbered before the
worker starts (XlsxWriter numbers a format when it is first used), so the bytes are those this
process would make; below ``PARALLEL_FROM`` rows, or on one core, the same makers run here when
asked, into the same deflated files: one format, one way into the package.

The worker is a fresh process (spawned, as on Windows, not forked) handed the jobs packed in one
file of the scratch folder, a few thousand rows per pickle, so that neither process ever holds a
whole list's packed rows (hundreds of thousands of figures at scale).

* Not forked: a forked worker shares this process's memory page by page, and every page either
  side then touches is copied. This process goes on reading the whole merge result for the other
  sheets, so at 66,000 files half a gigabyte was held twice.
* A file, not the process's arguments: those go through a pipe that the new process reads only
  once it has started, and this process would wait for it.
* Started early: a merge large enough to need it starts it as soon as its files are read
  (``start_early``, a ``workers.start_spare``), so that its interpreter starts and its modules load
  on the other core while this one checks and computes the merge; the summary then hands it the
  packed file (``take_spare``). A spare the summary did not take is ended with the merge.

The worker writes only in the scratch folder and ignores Ctrl-C (``workers.py``). If it fails, the
rows are made here; on Ctrl-C it is stopped at once.
"""

from __future__ import annotations

import multiprocessing
import pickle
import sys
import time
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator

from ctre_xl.interrupts import interrupts_deferred
from ctre_xl.packing import Segment, deflated_text, read_segment
from ctre_xl.workers import interrupts_blocked, start_spare, start_worker, take_spare, two_cores

PARALLEL_FROM = 5_000  # rows of every job together: below this, starting a process costs more than it saves
# A merge of this many returns has lists of PARALLEL_FROM rows (a return: a progress row and about
# ten figures): its worker is started as soon as the files are read (``start_early``).
EARLY_FROM_FILES = 500
# What the worker imports while it waits: the makers' modules (the jobs name them).
PRELOAD = ("ctre_xl.output.summary.side_rows", "ctre_xl.output.summary.data_sheet", "ctre_xl.output.summary.sheets")
PACKED_ROWS = 4_096  # rows per pickle in the packed file: neither side ever holds a whole list's rows
Maker = Callable[..., object]  # maker(out, rows, *extra): one sheet's rows, as XML, to ``out``


@dataclass(frozen=True)
class RowJob:
    """One list's rows: ``maker`` (a module's function: the worker imports it by name), ``pieces``
    (each sheet's rows, made when asked, as the maker takes them) and ``extra`` (formats' numbers,
    names...)."""

    maker: Maker
    pieces: Callable[[], Iterable[Iterable[Any]]]
    extra: tuple[Any, ...]
    rows: int


def rows_file(folder: Path, name: str, number: int) -> Path:
    return folder / f"{name}-{number}.rows"


def make_pieces(folder: Path, name: str, maker: Maker, pieces: Iterable[Iterable[Any]], extra: tuple[Any, ...]) -> None:
    """Each sheet's rows of list ``name`` to its file, deflated (``packing.deflated_text``: its
    text's CRC-32 and length in its header); a file exists once complete."""
    for number, piece in enumerate(pieces):
        partial = folder / f"{name}-{number}.part"
        with deflated_text(partial) as out:
            maker(out, piece, *extra)
        partial.replace(rows_file(folder, name, number))


def pack(jobs: dict[str, RowJob], out: BinaryIO) -> None:
    """The jobs as a stream of pickles: what each maker is and takes, then every piece's rows a few
    thousand at a time, each piece ended by None (``unpack`` reads them back in the same order)."""
    pickle.dump({name: (job.maker, job.extra) for name, job in jobs.items()}, out, pickle.HIGHEST_PROTOCOL)
    for job in jobs.values():
        for piece in job.pieces():
            rows = iter(piece)
            while batch := list(islice(rows, PACKED_ROWS)):
                pickle.dump(batch, out, pickle.HIGHEST_PROTOCOL)
            pickle.dump(None, out, pickle.HIGHEST_PROTOCOL)
        pickle.dump(False, out, pickle.HIGHEST_PROTOCOL)  # the job's last piece


def unpack(source: BinaryIO) -> Iterator[tuple[str, Maker, Iterator[Iterator[Any]], tuple[Any, ...]]]:
    """(name, maker, pieces, extra) of each packed job, read as the maker goes through its pieces
    (each piece to its end, in turn, as every maker here does)."""
    def rest() -> Iterator[Any]:
        while (batch := pickle.load(source)) is not None:
            yield from batch

    def piece(first: list[Any] | None) -> Iterator[Any]:
        if first is not None:  # None: an empty piece
            yield from first
            yield from rest()

    def pieces() -> Iterator[Iterator[Any]]:
        while (first := pickle.load(source)) is not False:  # False: the job's last piece is done
            yield piece(first)

    for name, (maker, extra) in pickle.load(source).items():
        yield name, maker, pieces(), extra


def _make_in_worker(folder: Path, packed: Path) -> None:
    start_worker()
    try:
        with open(packed, "rb") as source:
            for name, maker, pieces, extra in unpack(source):
                make_pieces(folder, name, maker, pieces, extra)
    except Exception:  # nothing on the user's console: the rows are then made in the main process
        sys.exit(1)


def start_early(files: int) -> None:
    """After a merge's ``files`` returns were read: start the worker now when its lists will want
    it. Its interpreter starts and its modules load on the other core, idle while this one checks
    and computes the merge (~0.15 s); started with the summary, it began its rows that much later,
    and the summary often waited for them."""
    if files >= EARLY_FROM_FILES:
        start_spare(PRELOAD)


class SideRows:
    """The rows of every job: being made on the other core, or made here when asked for."""

    def __init__(self, folder: Path, jobs: dict[str, RowJob]) -> None:
        self.folder, self.jobs = folder, jobs
        self.worker: Any = None
        if sum(job.rows for job in jobs.values()) >= PARALLEL_FROM and two_cores():
            packed = folder / "rows.pickle"
            with open(packed, "wb") as out:
                pack(jobs, out)
            self.worker = take_spare(_make_in_worker, (folder, packed))  # started ahead (``start_early``)
            if self.worker is not None:
                return
            try:  # Ctrl-C as it starts: held until the worker has all it needs (Windows has no signal mask)
                with interrupts_deferred(), interrupts_blocked(spawning=True):
                    self.worker = multiprocessing.get_context("spawn").Process(
                        target=_make_in_worker, args=(folder, packed), daemon=True)
                    self.worker.start()
            except (OSError, NotImplementedError):  # no worker process here: made here when asked
                self.worker = None
            except BaseException:  # Ctrl-C, received as the block ends: nobody else can stop the worker
                self.stop()
                raise

    def rows(self, name: str, number: int) -> Segment:
        """Sheet ``number``'s rows of list ``name``, deflated: waited for while the worker makes
        them, made here (the whole list) when there is no worker or it ended without them."""
        made = rows_file(self.folder, name, number)
        while self.worker is not None and not made.exists():
            if not self.worker.is_alive():  # failed, or done (the file is then there: checked below)
                self.worker.join()
                self.worker = None
                break
            time.sleep(0.001)
        if not made.exists():
            job = self.jobs[name]
            make_pieces(self.folder, name, job.maker, job.pieces(), job.extra)
        return read_segment(made)

    def stop(self) -> None:
        """Stop the worker at once (done by now, Ctrl-C, an error): what it wrote is in the scratch folder."""
        if self.worker is not None and self.worker.pid is not None:  # (None: its start failed)
            self.worker.terminate()
            self.worker.join()
        self.worker = None
