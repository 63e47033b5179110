"""The Amazon SP-API (vendor) simulator: `create_app(world, store, faults)`.

`state.AmazonSandboxState` (via `app.state`) is the inspection API: what Amazon received,
transactions, order states. `spec_validation` checks JSON against the official models.
"""

from .app import create_app
from .state import RECEIVED_KINDS, AmazonSandboxState

__all__ = ["RECEIVED_KINDS", "AmazonSandboxState", "create_app"]
