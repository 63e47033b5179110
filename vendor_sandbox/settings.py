"""The simulator's own configuration (`SANDBOX_*`), validated like the product's settings.

The product knows only "a side without live settings runs on the embedded sandbox"; what that
sandbox is (its state folder, seed, scale, spoiled orders, live cadence, injected faults) is
configured here, so the product's `Settings` holds no word of the simulator's vocabulary.
Mistakes read as the product's do: one `ConfigurationError` line naming the variable.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from vendor_pipelines.settings import (
    REPO_ROOT,
    ConfigurationError,
    Settings,
    describe_validation_error,
    one_line,
    path_problem,
)
from vendor_sandbox.faults import FAULT_KINDS, parse_fault_kinds
from vendor_sandbox.world import Scale


class SandboxSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    # Unset (or empty): sandbox/ beside DUCKDB_PATH, so two deployments share no state.
    sandbox_state_dir: Path | None = None
    sandbox_seed: int = 7
    sandbox_scale: str = "small"
    # Spoil a few generated purchase orders per batch (duplicate line numbers, bad quantities,
    # negative costs) so a deployment can watch quarantine work; off by default.
    sandbox_bad_orders: bool = False
    # Live mode (vendor-pipelines soak): Amazon, the warehouse and Amazon's payables are driven
    # by wall-clock time from outside (live.py), not by the pipeline's own runs.
    sandbox_live: bool = False
    # Injected faults: this share of requests (to each sandbox) fails in one of the listed
    # ways, drawn from a seeded RNG; timeouts are sized to the clients' request timeouts.
    sandbox_fault_rate: float = Field(default=0.0, ge=0, le=1)
    sandbox_faults: str = Field(default="", description="fault kinds, comma-separated; empty = all")
    sandbox_fault_seed: int = 0

    @field_validator("sandbox_state_dir", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("sandbox_state_dir")
    @classmethod
    def _anchor_to_project(cls, value: Path | None) -> Path | None:
        # As the product's paths: relative means "in this project", whatever the working folder.
        if value is None or value.is_absolute():
            return value
        return (REPO_ROOT / value).resolve()

    @field_validator("sandbox_scale")
    @classmethod
    def _known_scale(cls, value: str) -> str:
        try:
            Scale.named(value)
        except ValueError as exc:
            choices = str(exc).rpartition("; ")[2]  # "choose one of [...]"
            raise ValueError(f"not a sandbox scale; {choices}") from None
        return value

    @field_validator("sandbox_faults")
    @classmethod
    def _known_fault_kinds(cls, value: str) -> str:
        parse_fault_kinds(value)  # an unknown kind raises, naming the kinds there are
        return value

    @property
    def sandbox_fault_kinds(self) -> tuple[str, ...]:
        return parse_fault_kinds(self.sandbox_faults) or FAULT_KINDS


def load_sandbox_settings(settings: Settings, *, check_paths: bool = True) -> SandboxSettings:
    """The sandbox's settings for the deployment `settings` describe (its state beside its
    warehouse); any problem becomes one ConfigurationError line."""
    try:
        sandbox = SandboxSettings()
    except ValidationError as exc:
        message = describe_validation_error(exc)
        raise ConfigurationError(f"invalid configuration: {message}") from None
    except SettingsError as exc:
        raise ConfigurationError(f"invalid configuration: {one_line(str(exc))}") from None
    if sandbox.sandbox_state_dir is None:
        sandbox.sandbox_state_dir = settings.duckdb_path.parent / "sandbox"
    if check_paths:
        problem = path_problem(sandbox.sandbox_state_dir, folder=True)
        if problem:
            raise ConfigurationError(
                f"invalid configuration: SANDBOX_STATE_DIR={str(sandbox.sandbox_state_dir)!r}: "
                f"{problem}; it needs a folder this user can write"
            )
    return sandbox
