from django import forms

from smdb.rules import today_dk
from systemskifte.models import Model
from systemskifte.services import tidligst_mulige_skiftedato_fejl


class StartForm(forms.Form):
    model = forms.ChoiceField(
        label="Model",
        choices=Model.choices,
        widget=forms.RadioSelect,
        help_text="Model 1 bevarer historikken, model 2 lukker og starter forfra dagen "
        "efter, mellemløsningen lader de igangværende sager blive i SMDB-web.",
    )
    skiftedato = forms.DateField(
        label="Systemskiftedato",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Model 2: forløbene afsluttes denne dag og starter igen dagen efter.",
    )
    proevekoersel = forms.BooleanField(
        label="Prøvekørsel (vis planen, send intet til SMDB)", required=False, initial=True
    )

    def clean(self):
        data = super().clean()
        if data.get("model") and data.get("skiftedato"):
            if fejl := tidligst_mulige_skiftedato_fejl(
                data["model"], data["skiftedato"], today_dk()
            ):
                self.add_error("skiftedato", fejl)
        return data
