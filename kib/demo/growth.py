"""Ten years on: grow the demo into the data set of a collective that has published for a decade.

``grow(until=2034)`` starts from the loaded demo (2024 published, 2025 in preparation) and
runs every year the way the collective does, through the same functions the admin calls:

1. import the new year's figures through the import path (``read_table`` and
   ``ObservationResource.import_data``, one CSV per year, as a coordinator uploads it): the
   next period of every cell the demo has, plus breakdowns by area, sex and age group of every
   indicator; the first year also brings the history of the drawn series back to 1994;
2. edit every chapter (one revision each, by its editor);
3. submit, approve (another person) and publish the edition with ``kib.workflow.services``;
4. start the next edition with ``start_next_edition``.

The last edition (``until``) stays in preparation with its figures imported. With the default
that is 2025…2033 published (ten published editions with 2024, and 2020), 2034 in preparation and
about 100,000 observations. The values are made up but deterministic, so two runs give the
same set. Mail is muted; PDF builds are only queued (nobody runs the worker during a bench).
"""

import csv
import datetime
import io
import time
import zlib
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from kib.demo import cycle
from kib.models import Edition, Membership
from kib.workflow import notifications, services
from themes.models import Chapter

HISTORY_FROM = 1994
TERRITORIES = ["NL", "CN", "BON", "STA", "SAB"]
SEXES = ["", "jongens", "meisjes"]
AGE_GROUPS = ["", "0-3 jaar", "4-11 jaar", "12-17 jaar"]
# Breakdown cells never drawn by a demo chart: every demo series fixes sex and age group to the total.
EXTRA_CELLS = [(t, s, a) for t in TERRITORIES for s in SEXES for a in AGE_GROUPS if s or a]
HEADER = ["indicator", "periode", "gebied", "geslacht", "leeftijdsgroep", "uitsplitsing", "waarde", "vlag"]


class GrowthError(Exception):
    pass


def _noise(*key):
    """A deterministic number in [-1, 1) for a cell and period."""
    return zlib.crc32("|".join(map(str, key)).encode()) / 2**31 - 1


def _school_years(periods):
    return any("-" in p and int(p[5:]) - int(p[:4]) == 1 for p in periods)


def _period(year, school):
    """The period published in edition ``year``: the year before, or the school year ending then."""
    return f"{year - 2}-{year - 1}" if school else str(year - 1)


class Grower:
    def __init__(self, out=None, extra_cells=EXTRA_CELLS):
        from indicators.models import FigureSeries, HeadlineSeries, Indicator, Observation

        self.out = out or (lambda line: None)
        self.extra_cells = extra_cells
        User = get_user_model()
        self.coordinator = User.objects.filter(username="coordinator").first()
        if self.coordinator is None:
            raise GrowthError("De demo-accounts ontbreken: laad de demo met demo-accounts (DJANGO_DEBUG=1 of tests).")
        cycle.assign_roles()
        memberships = Membership.objects.filter(user__username__startswith="redacteur-").select_related("user")
        self.editors = {m.organisation_id: m.user for m in memberships}
        self.indicators = {i.pk: i for i in Indicator.objects.all()}
        # The cells of the demo, each with its latest value: next year's figures continue them.
        self.cells = {}
        self.periods = {}
        for obs in Observation.objects.order_by("period"):
            key = (obs.indicator_id, obs.territory, obs.sex, obs.age_group, obs.breakdown)
            self.cells[key] = obs.value
            self.periods.setdefault(obs.indicator_id, set()).add(obs.period)
        drawn = set(FigureSeries.objects.values_list("indicator_id", flat=True))
        drawn |= set(HeadlineSeries.objects.values_list("indicator_id", flat=True))
        self.drawn = drawn
        self.school = {pk: _school_years(periods) for pk, periods in self.periods.items()}
        self.backfilled = False

    # -- figures ------------------------------------------------------------------

    def _value(self, base, indicator, key, period):
        unit = (indicator.unit or "").lower()
        year = int(period[-4:])
        trend = 1 + 0.015 * (year - 2024) + 0.04 * _noise(*key, period)
        value = float(base) * trend
        if "%" in unit or "procent" in unit:
            value = min(max(value, 0.1), 99.9)
        return Decimal(f"{max(value, 0):.1f}")

    def rows(self, year):
        """The CSV rows of the figures imported for edition ``year`` (without the header)."""
        from indicators.models import Observation

        rows = []
        existing_periods = {}
        for indicator_id, periods in self.periods.items():
            existing_periods[indicator_id] = set(periods)
        for key, base in self.cells.items():
            indicator_id = key[0]
            indicator = self.indicators[indicator_id]
            school = self.school.get(indicator_id, False)
            period = _period(year, school)
            periods = [period]
            if not self.backfilled and indicator_id in self.drawn and not school:
                first = min(int(p[:4]) for p in existing_periods[indicator_id])
                periods += [str(y) for y in range(HISTORY_FROM, first)]
            for p in periods:
                if p in existing_periods[indicator_id]:
                    continue
                rows.append([indicator.code, p, *key[1:], self._value(base, indicator, key, p), ""])
        for indicator_id, indicator in self.indicators.items():
            base = next((v for k, v in self.cells.items() if k[0] == indicator_id), Decimal(100))
            period = _period(year, self.school.get(indicator_id, False))
            if period in existing_periods.get(indicator_id, ()):
                continue
            for territory, sex, age in self.extra_cells:
                share = (1.0 if territory == "NL" else 0.02) / (2 if sex else 1) / (3 if age else 1)
                key = (indicator_id, territory, sex, age, "")
                value = self._value(Decimal(float(base) * share) + 1, indicator, key, period)
                flag = "schatting" if territory != "NL" and _noise(*key) > 0.8 else ""
                rows.append([indicator.code, period, territory, sex, age, "", value, flag])
        # Cells already there (the demo has some figures of the next period) are left out.
        codes = {i.pk: i.code for i in self.indicators.values()}
        present = {
            (codes[i], p, t, s, a, b)
            for i, p, t, s, a, b in Observation.objects.filter(period__in={r[1] for r in rows}).values_list(
                "indicator_id", "period", "territory", "sex", "age_group", "breakdown"
            )
        }
        self.backfilled = True
        for indicator_id in self.periods:
            self.periods[indicator_id].add(_period(year, self.school.get(indicator_id, False)))
        return [r for r in rows if tuple(r[:6]) not in present]

    def import_year(self, year):
        """Import the figures of edition ``year`` through the import path; returns the number of rows."""
        from indicators.importing import read_table
        from indicators.models import ImportLog
        from indicators.resources import ObservationResource, error_lines

        if ImportLog.objects.filter(file_name=f"cijfers-{year}.csv").exists():
            return 0  # a rerun: this year's figures are in
        rows = self.rows(year)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
        dataset = read_table(buffer.getvalue().encode("utf-8"), "csv")
        result = ObservationResource(user=self.coordinator).import_data(dataset, file_name=f"cijfers-{year}.csv")
        if result.has_errors() or result.has_validation_errors():
            raise GrowthError(f"import {year}: " + "; ".join(error_lines(result)[:5]))
        return len(rows)

    # -- the editorial year ---------------------------------------------------------------

    def author_of(self, chapter):
        return self.editors.get(chapter.lead_organisation_id) or self.coordinator

    def edit_and_approve(self, edition, approve=True):
        for chapter in edition.chapters.select_related("theme", "edition").order_by("theme__number"):
            author = self.author_of(chapter)
            if chapter.state == Chapter.State.APPROVED:
                continue
            if chapter.state == Chapter.State.SUBMITTED:
                services.request_changes(chapter, by=self.coordinator, comment="Graag bijwerken voor dit jaar.")
            for comment in chapter.review_comments.open():  # the update below answers them
                services.resolve_comment(comment, author)
            summary = (chapter.summary or "").rstrip()
            Chapter.objects.filter(pk=chapter.pk).update(
                summary=f"{summary}\n<p>Bijgewerkt voor de editie {edition.year}.</p>"
            )
            services.record_revision(chapter.pk, author)
            chapter.refresh_from_db()
            if not approve:
                continue
            services.submit_chapter(chapter, by=author)
            if author == self.coordinator:
                continue  # four eyes: nobody else to approve it; the edition is not published then
            services.approve_chapter(chapter, by=self.coordinator, seen_version=chapter.version)

    def grow(self, until):
        edition = Edition.objects.filter(state=Edition.State.PREPARATION).order_by("-year").first()
        if edition is None:
            edition = cycle.run_cycle()
        if edition is None:
            raise GrowthError("Geen editie in voorbereiding om mee te beginnen.")
        if edition.year > until:
            return edition
        with notifications.muted():
            while True:
                started = time.monotonic()
                with transaction.atomic():
                    imported = self.import_year(edition.year)
                    last = edition.year >= until
                    if last and not imported:
                        return edition  # a rerun: nothing left to do
                    self.edit_and_approve(edition, approve=not last)
                    if last:
                        self.out(f"  {edition.year}: {imported} waarnemingen geïmporteerd; blijft in voorbereiding")
                        return edition
                    # a grown year edits one text per chapter, not every carried-over one: the
                    # coordinator publishes over the readiness warnings with a reason, as the real one may
                    services.publish_edition(
                        edition,
                        by=self.coordinator,
                        reason="Gegroeide benchmarkset: overgenomen teksten niet per stuk bekeken.",
                    )
                    edition = services.start_next_edition(
                        edition, by=self.coordinator, deadline=datetime.date(edition.year + 1, 3, 1)
                    )
                self.out(
                    f"  {edition.year - 1}: {imported} waarnemingen geïmporteerd, gepubliceerd "
                    f"({time.monotonic() - started:.1f} s)"
                )


def grow(until=2034, out=None, extra_cells=EXTRA_CELLS):
    """Grow the loaded demo up to edition ``until`` (kept in preparation); returns that edition.

    ``extra_cells``: the (area, sex, age group) breakdowns each indicator gets per year.
    """
    return Grower(out, extra_cells).grow(int(until))
