# django-otp's admin modules first, whatever the app order, so theirs can be replaced.
import django_otp.plugins.otp_static.admin  # noqa: F401
import django_otp.plugins.otp_totp.admin  # noqa: F401
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Myndighed, User


@admin.register(Myndighed)
class MyndighedAdmin(admin.ModelAdmin):
    list_display = ["kommune_kode", "navn"]
    search_fields = ["navn", "kommune_kode"]


@admin.register(User)
class BrugerAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "myndighed", "rolle", "is_active"]
    list_filter = ["myndighed", "rolle", "is_active"]
    fieldsets = (*UserAdmin.fieldsets, ("Myndighed og rolle", {"fields": ("myndighed", "rolle")}))
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("Myndighed og rolle", {"fields": ("myndighed", "rolle")}),
    )


# --- Two-factor devices: seen, never changed, and never their keys (issue 21) ----------
# django-otp's own admins show each TOTP key (and a QR code of it) and let the operator
# edit a device; they are replaced by lists that show who has an app and when it was
# used. A lost app is reset by the user's own administrator (Brugere), which is logged.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


class KunVisningAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TOTPDevice)
class GodkendelsesAppAdmin(KunVisningAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    fields = list_display  # never "key"


@admin.register(StaticDevice)
class GendannelseskoderAdmin(KunVisningAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    search_fields = ["user__username"]
    fields = list_display  # never the codes
