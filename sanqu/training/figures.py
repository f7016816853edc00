"""Training figures: trainees recommended and completed against the counties' training quotas.

A county counts where it lies: a receiving county (`projects.ReceivingCounty`) or a trainee's
recommending county is in the scope when its path starts with the scope's path, so a scope below
county level holds none.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum

from sanqu.projects.models import ReceivingCounty
from sanqu.regions.models import Region
from sanqu.training.models import Trainee


def years_started(*, scope: Region, as_of: dt.date) -> Q:
    """Rows (quotas, trainees) of the scope's counties for the programme years started by the date."""
    return Q(programme_year__starts_on__lte=as_of) & Q(county__path__startswith=scope.path)


def trainees_vs_quota(*, scope: Region, as_of: dt.date) -> dict[str, int]:
    """{"quota", "recommended", "completed"} over the scope's counties, for the years started by the date.

    - quota: the sum of the training quotas (培养名额) of the scope's receiving counties in every
      programme year that had started on or before the date;
    - recommended: the trainees (培养对象, one per person and year) those counties recommended
      for the same programme years, whatever their progress;
    - completed: those of them whose completion date (结业日期) is on or before the date.

    A programme year that starts after the date counts nowhere, not even its early recommendations.
    Two aggregate queries, whatever the data size.
    """
    years = years_started(scope=scope, as_of=as_of)
    quota = ReceivingCounty.objects.filter(years, county__level=Region.Level.COUNTY).aggregate(
        n=Sum("training_quota")
    )["n"]
    trainees = Trainee.objects.filter(years).aggregate(
        recommended=Count("pk"), completed=Count("pk", filter=Q(completed_on__lte=as_of))
    )
    return {
        "quota": quota or 0,
        "recommended": trainees["recommended"],
        "completed": trainees["completed"],
    }
