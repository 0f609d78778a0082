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


class OidcKonfiguration(models.Model):
    """Single sign-on (OpenID Connect) for one myndighed's staff (issue 26).

    Until organisations exist, SSO is set up per myndighed; an organisation can take the
    row over later by moving the foreign key. The client secret is kept encrypted with
    FIELD_ENCRYPTION_KEY (as private keys are, certificates.crypto) and never shown again.
    """

    myndighed = models.OneToOneField(
        Myndighed, on_delete=models.CASCADE, related_name="oidc_konfiguration"
    )
    aktiv = models.BooleanField("slået til", default=False)
    navn = models.CharField(
        "navn på knappen",
        max_length=100,
        help_text="Vises som »Log ind med …« på login-siden, fx »København (Entra ID)«.",
    )
    discovery_url = models.URLField(
        "discovery-URL",
        max_length=500,
        help_text="Udbyderens /.well-known/openid-configuration.",
    )
    client_id = models.CharField("klient-id", max_length=200)
    client_secret_krypteret = models.BinaryField(editable=False, default=b"")
    scopes = models.CharField("scopes", max_length=300, default="openid email profile")
    rolle_claim = models.CharField(
        "claim med grupper/roller",
        max_length=100,
        default="groups",
        help_text="Fx »groups« (Entra ID, ADFS) eller »roles« (Entra ID's app-roller).",
    )
    opret_brugere = models.BooleanField(
        "opret brugere ved første login",
        default=True,
        help_text="Ellers kan kun brugere, der allerede har logget ind med SSO, komme ind.",
    )
    adgangskode_tilladt = models.BooleanField(
        "tillad også login med adgangskode",
        default=True,
        help_text="Slå fra, når alle myndighedens brugere logger ind med SSO.",
    )
    kontakt = models.CharField(
        "hvem brugerne skal spørge",
        max_length=200,
        blank=True,
        help_text="Vises for en bruger uden rolle, fx »IT-support, tlf. 3366 0000«.",
    )
    aendret = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SSO-opsætning"
        verbose_name_plural = "SSO-opsætninger"

    def __str__(self) -> str:
        return self.navn

    def set_client_secret(self, secret: str) -> None:
        from certificates.crypto import encrypt

        self.client_secret_krypteret = encrypt(secret.encode())

    def client_secret(self) -> str:
        from certificates.crypto import decrypt

        return decrypt(self.client_secret_krypteret).decode()


class OidcRolleTilknytning(models.Model):
    """One value of the provider's group/role claim and the role it gives. The myndighed
    is the configuration's own: a mapping can name no other, and only the three roles
    (never superuser or staff)."""

    konfiguration = models.ForeignKey(
        OidcKonfiguration, on_delete=models.CASCADE, related_name="roller"
    )
    claim_vaerdi = models.CharField(
        "gruppe", max_length=200, help_text="Gruppens id eller navn, som udbyderen sender det."
    )
    rolle = models.CharField("rolle", max_length=20, choices=Rolle.choices)

    class Meta:
        verbose_name = "SSO-rolle"
        verbose_name_plural = "SSO-roller"
        ordering = ["claim_vaerdi"]
        constraints = [
            models.UniqueConstraint(
                fields=["konfiguration", "claim_vaerdi"], name="oidc_rolle_unik_gruppe"
            ),
            models.CheckConstraint(
                condition=models.Q(rolle__in=Rolle.values), name="oidc_rolle_kendt_rolle"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_vaerdi} → {self.get_rolle_display()}"


class OidcIdentitet(models.Model):
    """Who a user is at the provider: (issuer, sub), never the e-mail. One identity is
    one user of the configuration's myndighed."""

    konfiguration = models.ForeignKey(
        OidcKonfiguration, on_delete=models.CASCADE, related_name="identiteter"
    )
    bruger = models.OneToOneField(User, on_delete=models.CASCADE, related_name="oidc_identitet")
    issuer = models.CharField(max_length=500)
    sub = models.CharField(max_length=255)
    sidst_logget_ind = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "SSO-identitet"
        verbose_name_plural = "SSO-identiteter"
        constraints = [
            models.UniqueConstraint(
                fields=["konfiguration", "issuer", "sub"], name="oidc_identitet_unik"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bruger} ({self.issuer})"


class Godkendelse(models.Model):
    """A change that gives access to citizens' cases, waiting for a second
    administrator of the same myndighed (issue 21: no administrator can give itself
    case access alone by a leder account with its own e-mail, a changed e-mail plus a
    set-password link, or a reset two-factor). Never approved by its requester.

    The SSO kinds (issue 26) have no ``bruger``: switching the myndighed's SSO on or
    changing what a switched-on SSO trusts (``SSO``), and giving a group the role leder
    or administrator while SSO is on (``SSO_ROLLE``); see accounts.oidc_services. Their
    ``data`` holds the values asked for, a new client secret only encrypted, and a
    fingerprint of the set-up the request was made against."""

    class Handling(models.TextChoices):
        OPRET = "opret", "Opret leder eller administrator"
        EMAIL = "email", "Ændr e-mail"
        NULSTIL_TO_FAKTOR = "nulstil_to_faktor", "Nulstil to-faktor-login"
        ROLLE = "rolle", "Giv rollen leder eller administrator"
        SSO = "sso", "Ændr fælles login (SSO)"
        SSO_ROLLE = "sso_rolle", "Giv en SSO-gruppe rollen leder eller administrator"

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
        if self.handling == self.Handling.ROLLE:
            rolle = Rolle(self.data["rolle"]).label.lower()
            return f"Giv {self.bruger.username} rollen {rolle}"
        if self.handling == self.Handling.SSO:
            return _sso_beskrivelse(self.data)
        if self.handling == self.Handling.SSO_ROLLE:
            rolle = Rolle(self.data["rolle"]).label.lower()
            return f"Giv SSO-gruppen {self.data['claim_vaerdi']} rollen {rolle}"
        return f"Nulstil to-faktor-login for {self.bruger.username}"


# How an SSO request names the fields it changes, for the approver.
SSO_FELTNAVNE = {
    "discovery_url": "discovery-URL",
    "client_id": "klient-id",
    "scopes": "scopes",
    "rolle_claim": "claim med grupper/roller",
    "opret_brugere": "opret brugere ved første login",
}


def _sso_beskrivelse(data: dict) -> str:
    """ "Slå SSO til for X: discovery-URL …, klient-id …, grupper: A → Administrator" or
    "Ændr SSO for X: …". Never the secret: only that there is a new one."""
    dele = []
    for felt, navn in SSO_FELTNAVNE.items():
        if felt in data["felter"]:
            vaerdi = data["felter"][felt]
            if isinstance(vaerdi, bool):
                vaerdi = "ja" if vaerdi else "nej"
            dele.append(f"{navn} {vaerdi}")
    if data.get("ny_hemmelighed"):
        dele.append("ny klient-hemmelighed")
    if "grupper" in data:
        grupper = ", ".join(f"{g} → {Rolle(r).label}" for g, r in data["grupper"])
        dele.append(f"grupper: {grupper or 'ingen'}")
    hvad = "Slå SSO til" if data.get("slaa_til") else "Ændr SSO"
    return f"{hvad} for {data['navn']}: " + ", ".join(dele)
