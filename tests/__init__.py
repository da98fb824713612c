"""The tests, a package so that ``tests/conftest.py`` and ``tests/browser/conftest.py``
import as two modules (``tests.conftest``, ``tests.browser.conftest``), not one ``conftest``.
"""
