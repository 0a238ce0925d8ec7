"""The one contracts home of the hub.

Everything two services must agree on lives here and nowhere else: topic
names, header names, payload models, reason codes and XSD loading. Both the
gateway and the adapters import this package; it imports neither of them
(checked by import-linter in CI).
"""
