"""A CEISA (customs) simulator: answers registration applications the way PER-21/BC/2011 does.

It consumes ``ceisa.registration.v1`` and, per application, plays a scripted
story on ``ceisa.response.v1`` (proof of entry, TTP-RK, acceptance …), one
XSD-valid document per step, a configurable delay apart. Which story an
application gets is set at run time over HTTP (``POST /admin/scenarios``), so
tests decide the outcome before they submit.
"""
