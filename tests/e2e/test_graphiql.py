"""GraphiQL in development mode, in a real browser: it loads from the server's own files only,
runs a query, and breaks no rule of the Content-Security-Policy (a violation is a console error)."""

from __future__ import annotations

from typing import Any


def test_graphiql_works_offline_under_the_csp(live_server: Any, new_page: Any) -> None:
    server = live_server()
    page = new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(server.url + "/graphql")
    page.locator(".graphiql-container").wait_for()
    page.locator(".graphiql-execute-button").click()
    page.locator(".result-window", has_text="apiVersion").wait_for()
    assert '"viewer": null' in page.locator(".result-window").inner_text()
    assert requested and all(
        url.startswith(server.url) or url.startswith("data:") for url in requested
    ), [u for u in requested if not u.startswith(server.url)]
    assert page.js_errors == [], page.js_errors
