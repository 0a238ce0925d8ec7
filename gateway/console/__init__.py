"""The officers' console: server-rendered pages over the officer desk (issue 14).

Why in the gateway: the console shows what only the gateway holds (referred
applications with their agency answers) and decides through the same
:class:`gateway.officer_api.OfficerApi` the bearer API uses, so a decision
made in the browser and one made by a script travel the same road. Pages are
Jinja2 templates shipped as package data, with one stylesheet and no script:
nothing is fetched from a CDN at run time.
"""
