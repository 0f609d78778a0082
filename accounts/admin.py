from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

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
