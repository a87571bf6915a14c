"""The ``lab`` marker: tests that need RabbitMQ and the lab's own virtualenv."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "lab: runs the failure lab (tests/lab/run_lab.sh; needs rabbitmq-server)"
    )
