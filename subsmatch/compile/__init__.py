"""The reference compiler: read the sources in ``../shared``, establish identity by agreement,
merge, date, and write ``subsmatch/reference/data`` with an audit (see :mod:`.build`).

A tool for developers and curators, never imported at query time.
"""
