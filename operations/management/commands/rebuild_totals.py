"""`manage.py rebuild_totals`: recompute every kept per-country and per-region total from the participations."""

from django.core.management.base import BaseCommand

from operations import services
from operations.models import CountryTotal, RegionTotal


class Command(BaseCommand):
    help = "Recompute the kept totals (CountryTotal, RegionTotal) from the participations' preferred figures."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Only report whether the kept totals differ; exit 1 if they do."
        )

    def handle(self, *args, **options):
        fresh = services.compute_country_totals()
        kept = {row.pop("country_id"): row for row in CountryTotal.objects.values("country_id", *services.TOTAL_FIELDS)}
        differing = sorted(set(fresh) ^ set(kept) | {pk for pk in fresh.keys() & kept.keys() if fresh[pk] != kept[pk]})
        regions_differ = services.compute_region_totals() != dict(
            RegionTotal.objects.values_list("region", "operations")
        )
        if regions_differ:
            differing.append("regions")
        if options["check"]:
            if differing:
                self.stderr.write(f"{len(differing)} countries' kept totals differ from a fresh computation.")
                raise SystemExit(1)
            self.stdout.write(self.style.SUCCESS(f"Kept totals of {len(kept)} countries are exact."))
            return
        services.refresh_country_totals()
        self.stdout.write(
            self.style.SUCCESS(f"Rebuilt the totals of {len(fresh)} countries ({len(differing)} had differed).")
        )
