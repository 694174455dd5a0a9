"""`python -m study.run.device_probe BACKEND`: print the backend's devices as one JSON line.

The app lists devices in a throwaway child like this one, because importing a backend is slow
and a process can hold one backend only.
"""

from __future__ import annotations

import json
import sys

from study.protocol.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def device_rows(backend: str) -> list[list[str]]:
    """[[name, description], …] of the devices `backend` finds, the CPU first."""
    from keras_models.backend import list_devices

    return [[device.name, device.description] for device in list_devices(backend)]


def main(argv: list[str] | None = None) -> int:
    """Print the devices of the backend named in `argv`; an exit code."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("error: name one backend: python -m study.run.device_probe BACKEND",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        rows = device_rows(argv[0])
    except Exception as exc:  # noqa: BLE001 - one line for the window, never a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(json.dumps(rows))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
