"""``python -m notifier``: run the notifier until SIGINT or SIGTERM."""

from notifier.app import build
from notifier.settings import NotifierSettings
from runtime.service import run

if __name__ == "__main__":
    run(build(NotifierSettings()))
