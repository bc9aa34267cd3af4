"""The HTML report of a scenario run: regimes, claims, catalog figures and the scenario file.

:func:`reachmap.analysis.scenario.run_scenario` computes; this module only renders what it
computed, as extra sections of :func:`reachmap.report.html.render_report`.
"""

from __future__ import annotations

import html

from reachmap.analysis.scenario import ScenarioRun
from reachmap.report.html import render_report
from reachmap.report.sections import ReportSection, html_table

__all__ = ["render_scenario"]


def render_scenario(run: ScenarioRun, *, scenario_text: str | None = None) -> str:
    """Render a scenario run as one self-contained HTML report."""
    sc = run.scenario
    sections = []
    if sc.description:
        sections.append(ReportSection.from_text("About this scenario", sc.description))
    sections.append(
        ReportSection(
            "Arms-control regimes",
            html_table(
                ["Regime", "Verdict", "In force on " + sc.on.isoformat(), "Why"],
                [
                    [f.regime, f.verdict, "yes" if f.in_force else "no", f.reason]
                    for f in run.findings
                ],
            ),
        )
    )
    if run.verdicts:
        rows = [
            [v.claim, v.region, v.verdict, f"{100 * v.area_share:.1f}%",
             f"{100 * v.population_share:.1f}%", f"{v.capitals_reached} of {v.capitals_total}",
             "; ".join(v.exceptions) or "none"]
            for v in run.verdicts
        ]  # fmt: skip
        sections.append(
            ReportSection(
                "Claims checked",
                html_table(
                    [
                        "Claim",
                        "Region",
                        "Verdict",
                        "Area reached",
                        "Population reached",
                        "Capitals reached",
                        "Exceptions",
                    ],
                    rows,
                ),
            )
        )
    if run.figures:
        sections.append(
            ReportSection(
                "Catalog figures and their sources",
                html_table(["What", "Figure", "Status", "Sources"], [list(f) for f in run.figures]),
            )
        )
    if scenario_text is not None:
        sections.append(
            ReportSection(
                "Scenario file (reproduces this report)",
                f"<pre>{html.escape(scenario_text)}</pre>",
            )
        )
    return render_report(run.result, title=sc.title, sections=sections, tiers=run.tiers)
