"""The leadership page: staffing options side by side, levers to move, on this machine only.

A second face of the product beside ``run_scenario.py``: it reads the same result folders
(``reports.run_folder``), rebuilds and varies scenarios the same way (``model.loading``),
runs replications with the same functions (``model.experiments``) and states differences by
the same rule (``model.metrics.verdict``).  It never imports ``run_scenario.py``.

Modules: ``folders`` (result folders as options), ``catalogue`` (the options and the cache
of answers every session shares), ``levers`` (the fields a leader moves and the overrides
they make), ``runner`` (one background queue for new runs), ``tables`` (options side by side,
paired differences, exports), ``views`` and ``layout`` (the page), ``callbacks`` (what the
page does), ``limits`` (what it takes from anyone), ``guard`` (every request's name, token
and session), ``exports`` (files only from where they belong, exports written once),
``server`` (starting it) and ``cli`` (the ``serve`` command's options).
"""
