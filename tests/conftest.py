"""Suite-wide fixtures. No test reaches the network: sockets may only connect to loopback."""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path
from typing import Any

import pytest

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_real_connect = socket.socket.connect


def _loopback_only_connect(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and host not in _LOOPBACK:
        raise RuntimeError(f"tests may not open network connections (tried {address!r})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _block_network() -> object:
    socket.socket.connect = _loopback_only_connect  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _event_processing_per_delivery(settings: object) -> None:
    """Every stored webhook event queues its own processing task, so a test sees each one
    processed; batching is tested on its own (tests/events/test_event_batches.py)."""
    settings.PROCX_EVENT_BATCH_SECONDS = 0  # type: ignore[attr-defined]


@pytest.fixture
def offline(settings: Any) -> None:
    """The offline agent backend, whatever the environment says about OpenAI."""
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = ""


@pytest.fixture
def shop(tmp_path: Path) -> None:
    """A 300-customer shop from the demo generator, imported (the commands' tests)."""
    from customers.services import workbook_import
    from customers.workbook_files import workbook_write
    from demo.dataset import dataset_generate

    path = tmp_path / "shop.xlsx"
    workbook_write(dataset_generate(customers=300, seed=5, as_of=dt.date(2025, 10, 9)), path)
    workbook_import(path=path)
