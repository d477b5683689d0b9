from dataclasses import dataclass, field

from projects.core.models import Membership, Project, User
from projects.registers.models import Risk, TrainingSession

# --- Risks ----------------------------------------------------------------------------------------


def risk_heat_map(risks: list[Risk]) -> list[dict]:
    """Rows from impact 5 down to 1, columns probability 1…5, each cell the open risks in it (and
    their titles, for the cell's tooltip)."""
    cells: dict[tuple[int, int], list[Risk]] = {}
    for risk in risks:
        if risk.status == Risk.Status.OPEN:
            cells.setdefault((risk.impact, risk.probability), []).append(risk)
    return [
        {
            "impact": impact,
            "cells": [
                {
                    "probability": probability,
                    "risks": cells.get((impact, probability), []),
                    "titles": "; ".join(risk.title for risk in cells.get((impact, probability), [])),
                    "level": "high" if impact * probability >= 15 else "medium" if impact * probability >= 6 else "low",
                }
                for probability in range(1, 6)
            ],
        }
        for impact in range(5, 0, -1)
    ]


# --- Training -------------------------------------------------------------------------------------


@dataclass
class SessionCoverage:
    session: TrainingSession
    required: set = field(default_factory=set)
    attended: set = field(default_factory=set)

    @property
    def required_count(self) -> int:
        return len(self.required)

    @property
    def attended_count(self) -> int:
        return len(self.attended & self.required)

    @property
    def coverage(self) -> int | None:
        """Share (%) of the people who must attend who did."""
        if not self.required:
            return None
        return round(100 * self.attended_count / self.required_count)


def training_overview(project: Project) -> dict:
    sessions = list(TrainingSession.objects.filter(project=project).prefetch_related("audience_people", "attendance"))
    members = list(Membership.objects.active().filter(project=project).values_list("user_id", "role"))
    rows = []
    required_seats = attended_seats = 0
    for session in sessions:
        row = SessionCoverage(session=session)
        row.required = {user_id for user_id, role in members if role in session.audience_roles}
        row.required |= {person.pk for person in session.audience_people.all()}
        row.attended = {attendance.user_id for attendance in session.attendance.all()}
        if session.status == TrainingSession.Status.HELD:
            required_seats += row.required_count
            attended_seats += row.attended_count
        rows.append(row)
    return {
        "rows": rows,
        "coverage": round(100 * attended_seats / required_seats) if required_seats else None,
        "flagged": sum(1 for session in sessions if session.is_flagged),
    }


def training_required_people(session: TrainingSession) -> list:
    """Who must attend this session: its audience roles' active members and the people named."""
    role_users = Membership.objects.active().filter(project=session.project, role__in=session.audience_roles)
    return list(
        User.objects.filter(pk__in=role_users.values("user_id"))
        .union(session.audience_people.all())
        .order_by("full_name")
    )
