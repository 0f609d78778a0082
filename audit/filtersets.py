"""The access log's filters: user, date range, handling, forløb (issue 9).

The CPR filter is not here: a CPR is entered by POST (audit.views) and matched
by its keyed hash, so it never appears in a URL."""

from __future__ import annotations

import django_filters
from django import forms

from accounts.models import User
from audit.models import AuditEntry, Handling


class AdgangslogFilterSet(django_filters.FilterSet):
    bruger = django_filters.ModelChoiceFilter(
        label="Bruger", queryset=User.objects.none(), empty_label="Alle brugere"
    )
    fra = django_filters.DateFilter(
        label="Fra og med",
        field_name="tidspunkt",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    til = django_filters.DateFilter(
        label="Til og med",
        field_name="tidspunkt",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    handling = django_filters.ChoiceFilter(
        label="Handling", choices=Handling.choices, empty_label="Alle handlinger"
    )
    forloeb = django_filters.NumberFilter(
        label="Kontaktforløb (nummer)",
        field_name="forloeb_id",
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def __init__(self, *args, myndighed_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["bruger"].queryset = User.objects.filter(myndighed_id=myndighed_id).order_by(
            "first_name", "last_name", "username"
        )
        self.form.fields["bruger"].label_from_instance = User.navn_og_brugernavn
