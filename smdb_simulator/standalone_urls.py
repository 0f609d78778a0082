"""URLconf of the standalone simulator (``run_smdb_simulator``): the simulator only."""

from django.urls import include, path

urlpatterns = [
    path("smdbwebservice/api/external/v1/", include("smdb_simulator.urls")),
]
