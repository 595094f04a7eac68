"""connect()'s arguments from the SDK's environment configuration (temporalio.envconfig): a
profile file or TEMPORAL_* variables give TLS and an API key; Parcours' own address and namespace,
when set, still win. No server is reached."""

from __future__ import annotations

from temporalio.envconfig import ClientConfigProfile
from temporalio.service import TLSConfig

from parcours.settings import Settings
from parcours.temporal.connection import connect_arguments

CLOUD_PROFILES = """
[profile.default]
address = "127.0.0.1:7233"

[profile.cloud]
address = "parcours.a1b2c.tmprl.cloud:7233"
namespace = "parcours.a1b2c"
api_key = "the-api-key"

[profile.cluster]
address = "temporal.internal:7233"
namespace = "parcours"
[profile.cluster.tls]
server_name = "temporal.internal"
server_ca_cert_data = "-----BEGIN CERTIFICATE-----\\nCA\\n-----END CERTIFICATE-----"
client_cert_data = "-----BEGIN CERTIFICATE-----\\nCLIENT\\n-----END CERTIFICATE-----"
client_key_data = "-----BEGIN PRIVATE KEY-----\\nKEY\\n-----END PRIVATE KEY-----"
"""


def profile(name: str | None = None, *, file: str | None = None, **variables: str) -> ClientConfigProfile:
    """A profile as connect() loads it, from this file and these variables only (not the machine's)."""
    return ClientConfigProfile.load(name, config_source=file, disable_file=file is None,
                                    override_env_vars=variables)


def bare_settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_temporal_cloud_profile_gives_its_address_namespace_and_api_key_over_tls():
    arguments = connect_arguments(bare_settings(), profile("cloud", file=CLOUD_PROFILES))
    assert arguments == {"target_host": "parcours.a1b2c.tmprl.cloud:7233", "namespace": "parcours.a1b2c",
                         "api_key": "the-api-key", "tls": True}


def test_tls_only_cluster_profile_gives_the_certificates():
    arguments = connect_arguments(bare_settings(), profile("cluster", file=CLOUD_PROFILES))
    assert arguments["target_host"] == "temporal.internal:7233"
    assert arguments["namespace"] == "parcours"
    tls = arguments["tls"]
    assert isinstance(tls, TLSConfig)
    assert tls.domain == "temporal.internal"
    assert tls.server_root_ca_cert == b"-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----"
    assert tls.client_cert == b"-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----"
    assert tls.client_private_key == b"-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----"


def test_temporal_variables_alone_give_tls_and_api_key():
    arguments = connect_arguments(bare_settings(), profile(TEMPORAL_ADDRESS="cloud.example:7233",
                                                           TEMPORAL_NAMESPACE="ns", TEMPORAL_API_KEY="key"))
    assert arguments == {"target_host": "cloud.example:7233", "namespace": "ns", "api_key": "key", "tls": True}


def test_parcours_address_and_namespace_when_set_win_over_the_profile():
    settings = bare_settings(temporal_address="10.0.0.5:7233", temporal_namespace="parcours-prod")
    arguments = connect_arguments(settings, profile("cloud", file=CLOUD_PROFILES))
    assert arguments["target_host"] == "10.0.0.5:7233"
    assert arguments["namespace"] == "parcours-prod"
    assert arguments["api_key"] == "the-api-key"  # how to reach it still comes from the profile


def test_without_profile_nor_variables_parcours_defaults_reach_the_dev_server():
    assert connect_arguments(bare_settings(), profile()) == {"target_host": "127.0.0.1:7233", "namespace": "default"}
