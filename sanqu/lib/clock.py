"""The working date: today, unless the deployment pins it.

A demo is a snapshot of a programme on one day (Chongqing's stops on 2018-07-10); pinning
`SANQU_TODAY` to that day makes "ending within 30 days", "days left" and the home page figures
read as they would have on that day, instead of every dispatch looking years overdue.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def today() -> dt.date:
    pinned: dt.date | None = settings.SANQU_TODAY
    return pinned or timezone.localdate()
