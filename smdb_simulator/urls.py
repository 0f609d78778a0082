"""The simulator at DST's paths, under ``smdbwebservice/api/external/v1/``."""

from django.urls import path

from smdb import contract
from smdb_simulator import views

app_name = "smdb_simulator"

urlpatterns = [
    path(svc, views.endpoint, {"interface": interface}, name=svc.removesuffix(".svc"))
    for interface, (svc, _, _) in contract.SERVICES.items()
] + [path("sts/", views.sts, name="sts")]
