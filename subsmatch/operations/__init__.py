"""The application layer: the operations both front ends call, and the one place of their rules.

The command line (:mod:`subsmatch.cli`) and the service (:mod:`subsmatch.service`) parse their
input, call these operations and render what comes back; neither decides anything itself. An
operation raises :class:`~subsmatch.errors.UserError` (an
:class:`~subsmatch.errors.InvalidRequest` when the request itself is wrong, a
:class:`~subsmatch.errors.NotFound` when what it names is not there); each front end words it.

One module per family of operations: ``database`` (open the store), ``check`` (check, explain,
the reference lists), ``ingest`` (read options, ingest), ``rematch``, ``findings`` (the
selection rules, findings, cases, rejections, search, export), ``analysis`` (trends, alerts,
the HTML report), ``access`` (tokens and the audit trail). Importing this package imports
none of them: the command line loads only what a command needs.
"""
