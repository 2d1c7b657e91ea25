#!/usr/bin/env python
import os
import secrets
import sys

# Commands that neither serve requests nor sign anything: they may run without a configured SECRET_KEY
# (settings demand one whenever DEBUG is off), e.g. `manage.py makemigrations --check` in a bare checkout.
OFFLINE_COMMANDS = {"makemigrations", "makemessages", "compilemessages", "compiletranslations", "collectstatic"}

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(sys.argv) > 1 and sys.argv[1] in OFFLINE_COMMANDS:
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
