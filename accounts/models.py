from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Myndighed(models.Model):
    """A reporting authority (kommune), identified by its 3-digit kommunekode (8-ANM)."""

    kommune_kode = models.PositiveSmallIntegerField(
        "kommunekode",
        unique=True,
        validators=[MinValueValidator(100), MaxValueValidator(999)],
    )
    navn = models.CharField("navn", max_length=100)

    class Meta:
        verbose_name = "myndighed"
        verbose_name_plural = "myndigheder"
        ordering = ["kommune_kode"]

    def __str__(self) -> str:
        return f"{self.kommune_kode} {self.navn}"


class Rolle(models.TextChoices):
    SAGSBEHANDLER = "sagsbehandler", "Sagsbehandler"
    LEDER = "leder", "Leder"
    ADMINISTRATOR = "administrator", "Administrator"


class User(AbstractUser):
    """A user works for exactly one myndighed, in one role."""

    myndighed = models.ForeignKey(
        Myndighed, on_delete=models.PROTECT, null=True, blank=True, related_name="brugere"
    )
    rolle = models.CharField(
        "rolle", max_length=20, choices=Rolle.choices, default=Rolle.SAGSBEHANDLER
    )

    class Meta:
        verbose_name = "bruger"
        verbose_name_plural = "brugere"

    def navn_og_brugernavn(self) -> str:
        """How a choice names a user: "Sara Sagsbehandler (sagsbehandler)"."""
        name = self.get_full_name()
        return f"{name} ({self.username})" if name else self.username

    @property
    def kan_se_sager(self) -> bool:
        """Caseworkers and supervisors work with citizens' cases; IT admins do not."""
        return self.myndighed_id is not None and self.rolle in {Rolle.SAGSBEHANDLER, Rolle.LEDER}

    @property
    def kan_se_rapporter(self) -> bool:
        return self.myndighed_id is not None and self.rolle in {Rolle.LEDER, Rolle.ADMINISTRATOR}

    @property
    def kan_hente_borgerlister(self) -> bool:
        """Downloads that name citizens by full CPR are for ledere (issue 21): an
        administrator sees the reports with CPR masked, as it sees no cases."""
        return self.myndighed_id is not None and self.rolle == Rolle.LEDER

    @property
    def er_administrator(self) -> bool:
        return self.myndighed_id is not None and self.rolle == Rolle.ADMINISTRATOR


class Besked(models.Model):
    """A notice to a user from the system (e.g. that old drafts were deleted),
    shown once at their next login (accounts.sessions)."""

    bruger = models.ForeignKey(User, on_delete=models.CASCADE, related_name="beskeder")
    tekst = models.CharField("tekst", max_length=500)
    oprettet = models.DateTimeField(auto_now_add=True)
    vist = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "besked"
        verbose_name_plural = "beskeder"
        ordering = ["oprettet", "pk"]
        indexes = [models.Index(fields=["bruger", "vist"])]

    def __str__(self) -> str:
        return self.tekst


class Godkendelse(models.Model):
    """A change that gives access to citizens' cases, waiting for a second
    administrator of the same myndighed (issue 21: no administrator can give itself
    case access alone by a leder account with its own e-mail, a changed e-mail plus a
    set-password link, or a reset two-factor). Never approved by its requester."""

    class Handling(models.TextChoices):
        OPRET = "opret", "Opret leder eller administrator"
        EMAIL = "email", "Ændr e-mail"
        NULSTIL_TO_FAKTOR = "nulstil_to_faktor", "Nulstil to-faktor-login"

    class Status(models.TextChoices):
        AFVENTER = "afventer", "Afventer godkendelse"
        GODKENDT = "godkendt", "Godkendt"
        AFVIST = "afvist", "Afvist"

    myndighed = models.ForeignKey(Myndighed, on_delete=models.PROTECT, related_name="+")
    handling = models.CharField("handling", max_length=20, choices=Handling.choices)
    anmoder = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    bruger = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AFVENTER)
    oprettet = models.DateTimeField(auto_now_add=True)
    besluttet_af = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    besluttet = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "godkendelse"
        verbose_name_plural = "godkendelser"
        ordering = ["oprettet", "pk"]

    def __str__(self) -> str:
        return f"{self.get_handling_display()} ({self.get_status_display()})"

    def beskrivelse(self) -> str:
        if self.handling == self.Handling.OPRET:
            rolle = Rolle(self.data["rolle"]).label.lower()
            return f"Opret {self.data['username']} som {rolle} ({self.data['email']})"
        if self.handling == self.Handling.EMAIL:
            return f"Ny e-mail til {self.bruger.username}: {self.data['email']}"
        return f"Nulstil to-faktor-login for {self.bruger.username}"
