"""kefu (客服): a self-hosted customer-service platform for online stores."""

__version__ = "0.1.0"
