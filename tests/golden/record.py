"""Write tests/golden/snapshot.json from a fresh run of the golden commands."""

from __future__ import annotations

import json
import sys
import tempfile

from tests.golden.commands import SNAPSHOT, produce, snapshot_payload


def main() -> int:
    with tempfile.TemporaryDirectory() as workdir:
        files = produce(workdir)
    SNAPSHOT.write_text(json.dumps(snapshot_payload(files), indent=1, sort_keys=True) + "\n",
                        encoding="utf-8")
    print(f"wrote {SNAPSHOT} ({len(files)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
