"""CEISA adapter: every approved INSW decision becomes a customs registration application.

The application is XML (``ceisa.registration.v1``), built with lxml and
validated against ``schemas/xsd/ceisa/v1/registration.xsd`` before it is
published: customs never receives a document the schema refuses.
"""
