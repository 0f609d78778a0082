"""Forms for user administration. They name the fields an administrator may set;
anything else in a POST (myndighed, is_superuser, is_staff, groups,
user_permissions ...) is never read."""

from django import forms

from accounts.models import Rolle, User


class BrugerOpretForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "rolle"]
        labels = {
            "username": "Brugernavn",
            "first_name": "Fornavn",
            "last_name": "Efternavn",
            "email": "E-mail",
            "rolle": "Rolle",
        }
        help_texts = {
            "username": "Bogstaver, tal og @ . + - _ (højst 150 tegn).",
            "email": "Brugeren får et link hertil for at vælge sin adgangskode.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email"):
            self.fields[name].required = True

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("Brugernavnet er optaget.")
        return username


class BrugerRetForm(forms.Form):
    first_name = forms.CharField(label="Fornavn", max_length=150)
    last_name = forms.CharField(label="Efternavn", max_length=150)
    email = forms.EmailField(label="E-mail")
    rolle = forms.ChoiceField(label="Rolle", choices=Rolle.choices)

    def __init__(self, *args, egen_bruger: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if egen_bruger:
            # A disabled field keeps its initial value whatever is posted.
            self.fields["rolle"].disabled = True
            self.fields["rolle"].help_text = "Du kan ikke ændre din egen rolle."
