"""Run the command line as ``python -m appraise``."""

from __future__ import annotations

from appraise.launch import main

main()
