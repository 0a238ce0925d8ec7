"""The bundled replay history and the script that records it (see ``history/README.md``)."""
