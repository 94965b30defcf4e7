"""Run every benchmark (`make bench`). Each one updates bench/RESULTS.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHES = ["generate.py", "contributions.py", "verification.py", "payroll.py", "funds.py"]
BENCHES += ["oversight.py"]  # issue 12 item 3: the anomaly monitors


def main() -> int:
    here = Path(__file__).parent
    failed = [name for name in BENCHES
              if subprocess.run([sys.executable, str(here / name)], check=False).returncode]
    if failed:
        print(f"失败的基准：{', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
