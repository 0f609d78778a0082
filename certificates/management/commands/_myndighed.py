"""Which myndighed a command acts for: --myndighed KODE, or the only one there is."""

from django.core.management.base import CommandError

from accounts.models import Myndighed


def add_argument(parser) -> None:
    parser.add_argument(
        "--myndighed",
        type=int,
        help="Myndighedens kommunekode (kan udelades, når der kun er én myndighed).",
    )


def find(kode: int | None) -> Myndighed:
    if kode is not None:
        try:
            return Myndighed.objects.get(kommune_kode=kode)
        except Myndighed.DoesNotExist as exc:
            raise CommandError(f"Ingen myndighed med kommunekode {kode}.") from exc
    alle = list(Myndighed.objects.all()[:2])
    if len(alle) != 1:
        raise CommandError("Angiv --myndighed KODE (der er ikke præcis én myndighed).")
    return alle[0]
