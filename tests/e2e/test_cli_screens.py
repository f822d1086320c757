"""`promote-bot screens --out DIR`: the testers' gallery from the command line."""

import subprocess
import sys
from pathlib import Path


def test_screens_command_writes_the_gallery(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "screens", "--out", str(tmp_path), "--no-png"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    index = (tmp_path / "index.html").read_text()
    assert "Selanjutnya" in index and "Next" in index
    assert not (tmp_path / "png").exists()
