"""The HTTP service: a JSON API and a server-rendered web page over the same library.

Start it with ``subsmatch serve``; :func:`subsmatch.service.app.create_app` builds the app.
"""
