"""``manage.py legacy_generate DIR``: write a city's synthetic legacy delivery with defects
injected at known rates (shebao.migration.synthetic), for the migration's tests and trials."""

from __future__ import annotations

import time
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shebao.migration.synthetic import (
    ENCODINGS,
    ENTITIES,
    PERSON_MISSING,
    DefectRates,
    Manifest,
    generate_city,
)


class Command(BaseCommand):
    help = (
        "Write DIR/<city>/ with the legacy exchange files (docs/legacy-format.md) of a "
        "synthetic city, defects injected at known rates, and manifest.json saying which "
        "rule must find which line; with a neighbour city's files beside it unless "
        "--no-other-city. The same arguments write the same bytes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="where the city directories are written")
        parser.add_argument("--city", default="420300", help="the city's division code")
        parser.add_argument("--persons", type=int, required=True, help="insured persons")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--encoding", choices=ENCODINGS, default="utf-8")
        parser.add_argument(
            "--other-city", default="420100", help="the neighbour city's division code"
        )
        parser.add_argument("--no-other-city", action="store_true", help="write no neighbour city")
        parser.add_argument(
            "--excel",
            default="",
            help=f"entities written as .xlsx, comma-separated ({','.join(ENTITIES)})",
        )
        parser.add_argument(
            "--rate",
            action="append",
            default=[],
            metavar="DEFECT=FRACTION",
            help="override a defect rate, e.g. --rate id15=0.1 (repeatable)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        excel = frozenset(name.strip() for name in options["excel"].split(",") if name.strip())
        other_city = None if options["no_other_city"] else options["other_city"]
        directory = Path(options["directory"])
        started = time.perf_counter()
        try:
            manifest = generate_city(
                directory,
                city=options["city"],
                persons=options["persons"],
                seed=options["seed"],
                rates=_rates(options["rate"]),
                encoding=options["encoding"],
                other_city=other_city,
                excel=excel,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        seconds = time.perf_counter() - started
        self._report(directory / manifest.city, manifest)
        if other_city is not None:
            self._report(directory / other_city, Manifest.read(directory / other_city))
        self.stdout.write(f"generated in {seconds:.1f} s")

    def _report(self, target: Path, manifest: Manifest) -> None:
        self.stdout.write(
            f"{target}: city {manifest.city}, seed {manifest.seed}, {manifest.encoding}"
        )
        for entity, rows in manifest.rows.items():
            self.stdout.write(f"  {manifest.files[entity]:<18} {rows:>10,} rows")
        for rule, defect in manifest.defects.items():
            where = ""
            if manifest.other_city is not None and rule == "MIG-REL-OVERLAP":
                in_file = manifest.count(rule, other_city_migrated=False)
                where = (
                    f" ({in_file} in the file, {defect.count - in_file} against "
                    f"{manifest.other_city['city']} when it is migrated first)"
                )
            self.stdout.write(
                f"  {rule:<26} {defect.count:>6} {defect.outcome:<8} {defect.entity}{where}"
            )
        for entity, rows in manifest.consequences.get(PERSON_MISSING, {}).items():
            if rows:
                self.stdout.write(f"  {PERSON_MISSING:<26} {rows:>6} rejected {entity}")


def _rates(overrides: list[str]) -> DefectRates:
    known = {item.name for item in fields(DefectRates)}
    changes: dict[str, float] = {}
    for override in overrides:
        name, _, value = override.partition("=")
        if name not in known:
            raise CommandError(f"unknown defect {name!r}: one of {', '.join(sorted(known))}")
        try:
            changes[name] = float(value)
        except ValueError:
            raise CommandError(f"--rate {override}: the rate is not a number") from None
    try:
        return replace(DefectRates(), **changes)
    except ValueError as error:
        raise CommandError(str(error)) from error
