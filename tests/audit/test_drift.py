"""audit_drift names the forløb an operator's change is about by the model's label,
without importing the case app (issue 27): a forløb, one of its schemas, a myndighed
and an object of neither kind."""

import pytest

from audit.models import Handling
from audit.services import audit_drift, cpr_noegle
from tests.factories import ForloebFactory, MyndighedFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return UserFactory(myndighed=None, is_staff=True, is_superuser=True)


def test_a_forloeb_and_its_schema_are_logged_with_the_forloeb_and_the_citizen(operator):
    forloeb = ForloebFactory()
    for obj in (forloeb, forloeb.anmodning):
        entry = audit_drift(user=operator, obj=obj, handling=Handling.DRIFT_AENDRET)
        assert (entry.forloeb_id, entry.myndighed_id) == (forloeb.pk, forloeb.myndighed_id)
        assert entry.cpr_noegle == cpr_noegle(forloeb.person_identifikator)


def test_a_myndighed_is_logged_in_its_own_log_and_a_user_is_the_one_concerned(operator):
    myndighed = MyndighedFactory()
    entry = audit_drift(user=operator, obj=myndighed, handling=Handling.DRIFT_AENDRET)
    assert (entry.myndighed_id, entry.forloeb_id, entry.cpr_noegle) == (myndighed.pk, None, "")
    bruger = UserFactory(myndighed=myndighed)
    entry = audit_drift(user=operator, obj=bruger, handling=Handling.DRIFT_AENDRET)
    assert (entry.myndighed_id, entry.beroert_bruger, entry.forloeb_id) == (
        myndighed.pk,
        bruger,
        None,
    )
