#!/usr/bin/env python
"""Django's command-line utility for the sample project; runs from any directory."""

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sample_apps.django_project.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
