"""``confluent_kafka.schema_registry.error``: the error the registry's REST API answers with."""
from __future__ import annotations

__all__ = ["SchemaRegistryError"]


class SchemaRegistryError(Exception):
    """An error answer of the Schema Registry: HTTP status, the registry's error code, its message.

    ``str(e)`` is ``"<message> (HTTP status code 409, SR code 40901)"``, as in confluent-kafka.
    """

    UNKNOWN = -1

    def __init__(self, http_status_code: int, error_code: int, error_message: str) -> None:
        super().__init__(http_status_code, error_code, error_message)
        self.http_status_code = http_status_code
        self.error_code = error_code
        self.error_message = error_message

    def __repr__(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return f"{self.error_message} (HTTP status code {self.http_status_code}, SR code {self.error_code})"
