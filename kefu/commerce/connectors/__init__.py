"""Store connectors behind one interface: the embedded store, Shopify and WooCommerce."""

from kefu.commerce.connectors.base import (
    Connector,
    ConnectorRejected,
    ConnectorUnavailable,
    PushResult,
    connector_for,
    register_connector,
)

__all__ = [
    "Connector",
    "ConnectorRejected",
    "ConnectorUnavailable",
    "PushResult",
    "connector_for",
    "register_connector",
]
