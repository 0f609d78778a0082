import pytest
from cryptography.fernet import Fernet

from tests.certificates.certgen import make_cert


@pytest.fixture(autouse=True)
def field_key(settings):
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    return settings.FIELD_ENCRYPTION_KEY


@pytest.fixture(scope="session")
def test_cert():
    return make_cert("Testkommune SMDB FOCES")


@pytest.fixture
def charlie_client(client, charlie):
    client.force_login(charlie)
    return client
