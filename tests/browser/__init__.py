"""The browser tests: the built site in Chromium (Playwright) and Lighthouse."""
