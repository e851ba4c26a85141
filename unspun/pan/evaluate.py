"""`unspun eval pan`: align every pair of a PAN text-alignment corpus, write PAN XML, score per task."""

from __future__ import annotations

import io
import json
import os
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from ..compare import compare
from ..errors import InputError, writing
from ..models import Document
from ..report.text import console as report_console, stdout, stdout_errors
from ..workers import pool as worker_pool
from ..wording import counted
from .measures import PairResult, Scores, score
from .xml import Case, detections_xml, parse


@dataclass(frozen=True)
class Pair:
    task: str
    susp: str
    src: str


@dataclass
class TaskResult:
    task: str
    pairs: int
    scores: Scores
    #: Share of pairs without any detection (all of them should be, on a task without reuse).
    no_detection: float
    #: Pairs that had a detection file (a partial run scores only those).
    scored: int


@dataclass
class EvalResult:
    tasks: list[TaskResult]
    overall: TaskResult
    wall_s: float = 0.0
    jobs: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def pairs_per_s(self) -> float:
        return self.overall.pairs / self.wall_s if self.wall_s else 0.0

    def to_json(self) -> dict:
        rows = [asdict(t) for t in self.tasks + [self.overall]]
        return {"tasks": rows, "wall_s": round(self.wall_s, 2), "jobs": self.jobs,
                "pairs_per_s": round(self.pairs_per_s, 2), "notes": self.notes}


def load_corpus(corpus: Path) -> dict[str, list[Pair]]:
    """Task folders (those holding a `pairs` file) and their pairs."""
    corpus = Path(corpus)
    if not corpus.is_dir():
        raise InputError(f"{corpus}: not a directory")
    if not (corpus / "susp").is_dir() or not (corpus / "src").is_dir():
        raise InputError(f"{corpus}: not a PAN text-alignment corpus (no susp/ and src/ folders)")
    tasks = {}
    for d in sorted(p for p in corpus.iterdir() if (p / "pairs").is_file()):
        try:
            lines = (d / "pairs").read_text(encoding="utf-8-sig").split("\n")  # (a mark began the first name)
        except UnicodeDecodeError as e:  # a traceback before: pairs name files, which are UTF-8 in PAN corpora
            raise InputError(f"{d / 'pairs'}: not UTF-8 at byte {e.start}") from None
        except OSError as e:
            raise InputError(f"{d / 'pairs'}: cannot read: {e.strerror or e}") from None
        # A pair named twice is one detection file, scored once (it counted twice in the task's figures).
        tasks[d.name] = list(dict.fromkeys(Pair(d.name, *ln.split()[:2]) for ln in lines if len(ln.split()) >= 2))
    if not tasks:
        raise InputError(f"{corpus}: no task folder with a `pairs` file")
    # A task without pairs scored 1.000 on every measure, as if every case had been found.
    if empty := [t for t, pairs in tasks.items() if not pairs]:
        named = f"{empty[0]}/pairs names" if len(empty) == 1 else f"{', '.join(empty)}: their pairs files name"
        raise InputError(f"{corpus}: {named} no pair (a line is a susp/ file name, a space, a src/ file name)")
    return tasks


def _xml_name(p: Pair) -> str:
    return f"{Path(p.susp).stem}-{Path(p.src).stem}.xml"


def _check_files(corpus: Path, tasks: dict[str, list[Pair]]) -> list[str]:
    """Every document and ground-truth file the pairs name, before hours of aligning depend on them; notes on what
    is scored as given though it cannot be right (a case ending past its document's end)."""
    missing = [f"{p.task}/pairs names {f}" for ps in tasks.values() for p in ps
               for f in (f"susp/{p.susp}", f"src/{p.src}", f"{p.task}/{_xml_name(p)}") if not (corpus / f).is_file()]
    if missing:
        raise InputError(f"{corpus}: {counted(len(missing), 'file')} missing, e.g. {missing[0]}")
    # A document that is not UTF-8 stopped the run when its pair came up, hours in; decoding them all takes a
    # fraction of a second (pan13-train's 5,057 in 0.15 s).
    length = {f: len(_read(corpus / f).text)
              for f in sorted({f for ps in tasks.values() for p in ps for f in (f"susp/{p.susp}", f"src/{p.src}")})}
    # A malformed ground truth was found only when scoring, after all the aligning. A case that ends past its
    # document's end (a corpus counted in another unit: bytes, normalised line ends) holds characters no detection
    # can reach and would score every system low without a word: noted, not refused (the truth is the corpus's).
    past = [f"{p.task}/{_xml_name(p)}: a case ends at {end} of {name} ({length[name]} characters)"
            for ps in tasks.values() for p in ps for c in truth(corpus, p)
            for name, end in ((f"susp/{p.susp}", c.this[1]), (f"src/{p.src}", c.source[1])) if end > length[name]]
    if not past:
        return []
    return [f"{counted(len(past), 'ground-truth case end')} past their document's end, scored as given; e.g. {past[0]}"]


def _check_out(corpus: Path, out: Path, tasks: dict[str, list[Pair]]) -> None:
    """Detections must not land on the ground truth: they share their file names, so `--out CORPUS` replaced every
    truth file with a detection and then scored the detections against themselves (all 1.000)."""
    for name in tasks:
        if (out / name).resolve() == (corpus / name).resolve():
            raise InputError(f"{out}: the detections would replace the ground truth in {corpus / name} "
                             "(same file names): choose another --out")


def _read(path: Path) -> Document:
    """PAN documents are UTF-8 and their cases count characters of it: any other text is an error, not a guess."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return Document(f.read(), path=str(path))
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 at byte {e.start} (PAN corpora are UTF-8: the cases' offsets count "
                         "its characters)") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from None


def _earlier_runs(out: Path, chosen: dict[str, list[Pair]]) -> list[str]:
    """Clear an earlier run's detections of pairs this run does not align from its task folders, and note the task
    folders it leaves: they stayed beside a results.json of this run alone, and scoring the folder counted them
    (QA)."""
    for name, pairs in chosen.items():
        keep = {_xml_name(p) for p in pairs}
        for f in (out / name).glob("*.xml"):
            if f.name not in keep and f.is_file():
                f.unlink(missing_ok=True)
    return [f"{d}: detections of an earlier run, not of this one's tasks (left as they are)"
            for d in sorted(out.iterdir()) if d.is_dir() and d.name not in chosen and any(d.glob("*.xml"))]


def _align_group(args: tuple[str, list[Pair], str]) -> list[tuple[Pair, list[Case]]]:
    """Align pairs that share their suspicious document, write each one's detection XML."""
    corpus, pairs, out = args
    susp = _read(Path(corpus) / "susp" / pairs[0].susp)
    done = []
    for pair in pairs:
        c = compare(susp, _read(Path(corpus) / "src" / pair.src))
        target = Path(out) / pair.task / _xml_name(pair)
        with writing(target, InputError):  # a folder in its place, a full disk: a traceback before
            target.write_text(detections_xml(c, pair.susp, pair.src), encoding="utf-8")
        done.append((pair, [Case(p.a, p.b, pair.src) for p in c.passages]))
    return done


def truth(corpus: Path, pair: Pair) -> list[Case]:
    """The plagiarism cases of a pair's ground-truth XML (none for a pair without reuse)."""
    return parse(corpus / pair.task / _xml_name(pair))


def _result(task: str, results: list[PairResult], pairs: int) -> TaskResult:
    return TaskResult(task, pairs, score(results), sum(1 for _, d in results if not d) / max(len(results), 1),
                      len(results))


def _summarise(corpus: Path, tasks: dict[str, list[Pair]], dets: dict[Pair, list[Case]]) -> EvalResult:
    per_task, pooled = [], []
    for name, pairs in tasks.items():
        results = [(truth(corpus, p), dets[p]) for p in pairs if p in dets]
        pooled += results
        per_task.append(_result(name, results, len(pairs)))
    overall = _result("overall", pooled, sum(len(p) for p in tasks.values()))
    return EvalResult(per_task, overall)


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TimeRemainingColumn(), console=console)


def run_eval(corpus: Path, out: Path, jobs: int = 2) -> EvalResult:
    """Align every pair (susp as A, src as B), write one detection XML per pair, score every task."""
    corpus, out = Path(corpus), Path(out)
    chosen = load_corpus(corpus)
    notes = _check_files(corpus, chosen)
    _check_out(corpus, out, chosen)
    for name in chosen:
        try:
            (out / name).mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise InputError(f"{out / name}: cannot write detections there ({e.strerror or e})") from None
    notes += _earlier_runs(out, chosen)
    # The pairs of one suspicious document go to one worker together, in a row: its units and sentence vectors
    # are then computed once (the aligner keeps the last documents' units), which saves a fifth of the work.
    groups: dict[str, list[Pair]] = {}
    for p in sorted((p for ps in chosen.values() for p in ps), key=lambda p: (p.susp, p.src)):
        groups.setdefault(p.susp, []).append(p)
    console = report_console(stderr=True)
    dets: dict[Pair, list[Case]] = {}
    start = time.perf_counter()
    with _progress(console) as bar:
        job = bar.add_task("aligning pairs", total=sum(map(len, groups.values())))
        args = [(str(corpus), g, str(out)) for g in groups.values()]
        with (worker_pool(jobs) if jobs > 1 else nullcontext()) as pool:
            for done in (pool.map(_align_group, args) if pool else map(_align_group, args)):
                for pair, found in done:
                    dets[pair] = found
                bar.advance(job, len(done))
    wall = time.perf_counter() - start
    result = _summarise(corpus, chosen, dets)
    result.wall_s, result.jobs, result.notes = wall, jobs, notes
    return result


def score_dir(corpus: Path, detections: Path, tasks: list[str] | None = None) -> EvalResult:
    """Score an existing run: `<detections>/<task>/*.xml`, or folders named like `04-out` for task `04-…`."""
    corpus, detections = Path(corpus), Path(detections)
    all_tasks = load_corpus(corpus)
    chosen = {k: v for k, v in all_tasks.items() if tasks is None or k in tasks}
    dets: dict[Pair, list[Case]] = {}
    notes = []
    for name, pairs in chosen.items():
        folder = detections / name
        if not folder.is_dir():
            folder = detections / f"{name[:2]}-out"
        if not folder.is_dir():
            continue
        found = 0
        for p in pairs:
            f = folder / _xml_name(p)
            if f.is_file():
                dets[p] = parse(f)
                found += 1
        if found < len(pairs):
            notes.append(f"{name}: partial run, {found} of {len(pairs)} pairs have a detection file; only those are scored")
    chosen = {k: v for k, v in chosen.items() if any(p in dets for p in v)}
    result = _summarise(corpus, chosen, dets)
    result.notes = notes
    return result


def render_table(result: EvalResult) -> Table:
    t = Table(title="PAN text alignment")
    for col in ("task", "pairs", "recall", "precision", "granularity", "plagdet", "case F", "doc F", "no detection"):
        t.add_column(col, justify="left" if col == "task" else "right")
    for r in result.tasks + [result.overall]:
        s = r.scores
        pairs = f"{r.scored}/{r.pairs}" if r.scored != r.pairs else str(r.pairs)
        t.add_row(r.task, pairs, f"{s.recall:.3f}", f"{s.precision:.3f}", f"{s.granularity:.3f}",
                  f"{s.plagdet:.3f}", f"{s.case_f:.3f}", f"{s.doc_f:.3f}", f"{r.no_detection:.3f}")
    return t


def to_markdown(result: EvalResult) -> str:
    lines = ["| task | pairs | recall | precision | granularity | plagdet | case F | doc F | no detection |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in result.tasks + [result.overall]:
        s = r.scores
        pairs = f"{r.scored}/{r.pairs}" if r.scored != r.pairs else str(r.pairs)
        lines.append(f"| {r.task} | {pairs} | {s.recall:.3f} | {s.precision:.3f} | {s.granularity:.3f} | "
                     f"**{s.plagdet:.3f}** | {s.case_f:.3f} | {s.doc_f:.3f} | {r.no_detection:.3f} |")
    return "\n".join(lines)


def main(corpus: Path, out: Path, jobs: int) -> int:
    """The CLI's `eval pan`: run, print the table, save results.json next to the XML files."""
    scores = Path(out) / "results.json"
    if scores.is_dir():  # found only after all the aligning, with a traceback
        raise InputError(f"{scores}: cannot write the scores there: is a directory")
    result = run_eval(corpus, out, jobs=max(1, jobs or (os.cpu_count() or 1)))
    # Saved before the table is printed: a table standard output could not take (a full disk) lost the scores too.
    with writing(scores, InputError):
        scores.write_text(json.dumps(result.to_json(), indent=2), encoding="utf-8")
    # Piped or sent to a log: the table's own width (lines too long for a terminal are no harm in a file).
    console = stdout(max(80, Console(file=io.StringIO(), width=1000).measure(render_table(result)).maximum))
    with stdout_errors():
        console.print(render_table(result))
        console.print(f"{result.overall.pairs} pairs in {result.wall_s:.1f} s wall with {counted(result.jobs, 'job')}: "
                      f"{result.pairs_per_s:.1f} pairs/s", soft_wrap=True)
        for note in result.notes:  # one line each, whatever the table's width: `grep note:` finds the whole note
            console.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)
        console.file.flush()
    return 0
