"""OVERBLIK's filters (django-filter), scoped to the user's myndighed."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from accounts.models import User
from cases.models import Tilbud, Tilbudstilknytning
from reporting.selectors import AFVIST, IKKE_MODTAGET, Omfang, med_tilknytning

DATO = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OverblikForm(forms.Form):
    """A period that ends before it starts is a Danish error at its "til", not an
    empty list that does not say why (issue 23)."""

    PERIODER = (
        ("anmodet_fra", "anmodet_til", "Anmodet"),
        ("ivaerksat_fra", "ivaerksat_til", "Iværksat"),
    )

    def clean(self):
        data = super().clean()
        for fra, til, navn in self.PERIODER:
            if data.get(fra) and data.get(til) and data[fra] > data[til]:
                self.add_error(til, f"»{navn} til« ligger før »{navn} fra«. Ret en af datoerne.")
        return data


class OverblikFilter(django_filters.FilterSet):
    anmodet_fra = django_filters.DateFilter(
        "behandling_anmodning_dato", "gte", label="Anmodet fra", widget=DATO
    )
    anmodet_til = django_filters.DateFilter(
        "behandling_anmodning_dato", "lte", label="Anmodet til", widget=DATO
    )
    ivaerksat_fra = django_filters.DateFilter(
        "ivaerksat_behandling_dato", "gte", label="Iværksat fra", widget=DATO
    )
    ivaerksat_til = django_filters.DateFilter(
        "ivaerksat_behandling_dato", "lte", label="Iværksat til", widget=DATO
    )
    tilstand = django_filters.ChoiceFilter(
        label="Tilstand",
        choices=[("anmodet", "Anmodet, ikke iværksat"), ("ivaerksat", "Iværksat")],
        method="filter_tilstand",
        empty_label="Alle",
    )
    smdb = django_filters.ChoiceFilter(
        label="SMDB",
        choices=[
            ("afvist", "Et skema er afvist"),
            ("ikke_modtaget", "Et skema er ikke modtaget"),
            ("modtaget", "Alt modtaget"),
        ],
        method="filter_smdb",
        empty_label="Alle",
    )
    tilbud = django_filters.ChoiceFilter(label="Tilbud", method="filter_tilbud", empty_label="Alle")
    sagsbehandler = django_filters.ModelChoiceFilter(
        field_name="oprettet_af",
        label="Registreret af",
        queryset=User.objects.none(),
        empty_label="Alle",
    )

    class Meta:
        form = OverblikForm

    @property
    def qs(self):
        # A filter with an error finds nothing (the page says why), rather than the
        # rows of the remaining filters as if it were not there; the downloads too.
        if self.is_bound and not self.form.is_valid():
            return self.queryset.none()
        return super().qs

    def __init__(self, *args, omfang: Omfang, **kwargs):
        super().__init__(*args, **kwargs)
        tilknyttet = Tilbudstilknytning.objects.filter(
            forloeb__myndighed_id=omfang.myndighed_id
        ).values("tilbud_id")
        self.filters["tilbud"].extra["choices"] = lambda: [
            (str(t.tilbud_id), str(t)) for t in Tilbud.objects.filter(tilbud_id__in=tilknyttet)
        ]
        self.filters["sagsbehandler"].queryset = User.objects.filter(
            myndighed_id=omfang.myndighed_id
        ).order_by("first_name", "last_name", "username")
        # The table shows the name; the choice names the user the same way.
        self.form.fields["sagsbehandler"].label_from_instance = User.navn_og_brugernavn

    def filter_tilstand(self, qs, name, value):
        return qs.filter(ivaerksat_behandling_dato__isnull=value == "anmodet")

    def filter_smdb(self, qs, name, value):
        if value == "afvist":
            return qs.filter(AFVIST)
        return qs.filter(IKKE_MODTAGET) if value == "ikke_modtaget" else qs.exclude(IKKE_MODTAGET)

    def filter_tilbud(self, qs, name, value):
        return qs.filter(med_tilknytning(Q(tilbud_id=int(value))))
