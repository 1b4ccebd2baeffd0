"""Budget proposal of an optimised plan: an A4 PDF paper and an Excel workbook, English or Malay.

Reads an optimisation run folder (``plan.csv``, ``summary.csv``, ``option_*.csv``,
``paired_diff.csv``, ``budget.csv``, ``frontier.csv``, ``binding.csv``,
``candidates.csv``, ``certificate.csv``, ``regret.csv``, ``run.json``) and never runs a
simulation or a solver; each cost is in the year ``plan.csv`` says it is paid.  The paper
follows the order of a Malaysian government budget paper: purpose, background,
justification, financial implications, recommendation; an appendix lists the assumptions
and the published facts the plan rests on.  Both languages carry the same numbers.

The package keeps one concept a module: :mod:`~reports.proposal.wording` (every phrase in
both languages), :mod:`~reports.proposal.data` (the run folder read and costed),
:mod:`~reports.proposal.workbook`, :mod:`~reports.proposal.document` (the PDF's layout,
with :mod:`~reports.proposal.tables` and :mod:`~reports.proposal.fonts`),
:mod:`~reports.proposal.charts`, :mod:`~reports.proposal.changes` (what the plan changes
and keeps, in words), :mod:`~reports.proposal.justification` (what the plan achieves),
:mod:`~reports.proposal.choice` (how it was chosen: candidates, selection, certificate,
regret; its words in :mod:`~reports.proposal.wording_choice`) and
:mod:`~reports.proposal.sections` (what the paper says, section by section).
"""

from __future__ import annotations

from pathlib import Path

from reports.proposal.data import (
    CostLine,
    PlanFileError,
    PostCount,
    ProposalData,
    cost_lines,
    read_proposal_data,
)
from reports.proposal.document import Paper
from reports.proposal.sections import compose_paper, outcome_sentence
from reports.proposal.wording import LANGUAGES, Language, describe_lever, describe_scope
from reports.proposal.workbook import SHEET_NAMES, write_workbook
from reports.run_folder import PROPOSAL_PDF, PROPOSAL_XLSX

__all__ = [
    "LANGUAGES",
    "SHEET_NAMES",
    "CostLine",
    "Language",
    "Paper",
    "PlanFileError",
    "PostCount",
    "ProposalData",
    "compose_paper",
    "cost_lines",
    "describe_lever",
    "describe_scope",
    "outcome_sentence",
    "read_proposal_data",
    "render_proposal",
    "write_workbook",
]


def render_proposal(folder: Path, language: Language = "en",
                    out_dir: Path | None = None) -> list[Path]:
    """Write the budget proposal of an optimisation run: ``proposal.pdf`` and ``proposal.xlsx``.

    Parameters
    ----------
    folder : Path
        The optimisation run folder (see :func:`read_proposal_data`); only read.
    language : {"en", "ms"}
        English, or formal Malay; both give the same numbers under the same file names,
        so the caller picks a different ``out_dir`` for each language.
    out_dir : Path, optional
        Where to write; ``folder`` by default.

    Returns
    -------
    list of Path
        The PDF and the workbook.

    Raises
    ------
    ValueError
        If ``language`` is neither ``en`` nor ``ms``.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {sorted(LANGUAGES)}, not {language!r}")
    out_dir = folder if out_dir is None else out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    data = read_proposal_data(folder)
    pdf = compose_paper(data, language).save(out_dir / PROPOSAL_PDF)
    workbook = write_workbook(data, out_dir / PROPOSAL_XLSX, language)
    return [pdf, workbook]
