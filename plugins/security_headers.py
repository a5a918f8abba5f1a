"""Security headers on every response: a Content-Security-Policy that fits Datasette's pages, no sniffing, no framing.

Inline scripts are allowed one by one, by hash: those written in the templates (hashed once), and those that
plugins add to a page through `extra_body_script` (hashed as the page is rendered). Any other inline script,
such as one injected into a page, does not run.
"""

import base64
import hashlib
import re

from datasette import hookimpl
from datasette.utils import await_me_maybe
from jinja2 import Template

from .portal_site import compat

INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
# table.html writes one inline script from a variable: whether facets may be added, true or false.
SCRIPT_VARIABLES = [{"datasette_allow_facet": "true"}, {"datasette_allow_facet": "false"}]
# Where the inline scripts of the page being rendered are collected: Datasette copies the scope, not the set.
SCOPE_KEY = "portal.inline_scripts"
HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}
# Datasette's pages style elements with style="" attributes and <style> blocks, some of them computed (database
# colours), so styles need 'unsafe-inline'; scripts do not.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'{script_src}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# JSON, CSV and files are not pages: nothing may run or load in them should a browser render one.
OTHER_POLICY = b"default-src 'none'; frame-ancestors 'none'"


def script_hash(script: str) -> str:
    """The CSP source expression that allows one inline script."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def template_scripts(jinja_env) -> set[str]:
    """The text of every inline script in the templates that Datasette renders, the project's included."""
    scripts = set()
    for name in jinja_env.list_templates(extensions=["html"]):
        for script in INLINE_SCRIPT.findall(jinja_env.loader.get_source(jinja_env, name)[0]):
            variables = set(re.findall(r"{{\s*(\w+)\s*}}", script))
            if "{%" in script or not variables <= set(SCRIPT_VARIABLES[0]):
                continue  # not knowable in advance: the policy blocks it, and the tests find it on their pages
            template = Template(script, keep_trailing_newline=True)
            scripts.update(template.render(**values) for values in SCRIPT_VARIABLES)
    return scripts


def with_security_headers(headers: list, page_policy: bytes) -> list:
    """The response headers plus those of ours that the response does not set itself."""
    present = {name.lower() for name, _ in headers}
    page = any(name.lower() == b"content-type" and value.startswith(b"text/html") for name, value in headers)
    ours = [(name.encode(), value.encode()) for name, value in HEADERS.items()]
    ours.append((b"content-security-policy", page_policy if page else OTHER_POLICY))
    return headers + [(name, value) for name, value in ours if name not in present]


async def _recorded(result, scripts: set):
    value = await await_me_maybe(result)
    # base.html writes str() of whatever the hook returned, an empty list included.
    scripts.add(str(value["script"] if isinstance(value, dict) else value))
    return value


@hookimpl(hookwrapper=True)
def extra_body_script(request):
    outcome = yield
    scripts = request.scope.get(SCOPE_KEY) if request is not None else None
    if scripts is not None:
        compat.replace_hook_results(outcome, [_recorded(result, scripts) for result in outcome.get_result()])


def middleware(datasette):
    # Outside every other layer but the request guard (plugins/middleware.py), so that what they answer themselves
    # (429s) gets the headers too.
    def wrap(app):
        known = {script_hash(script) for script in template_scripts(datasette.jinja_env)}

        def page_policy(scripts: set) -> bytes:
            hashes = sorted(known | {script_hash(script) for script in scripts})
            script_src = "".join(f" {source}" for source in hashes)
            return PAGE_POLICY.format(script_src=script_src).encode("ascii")

        async def secured(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            scripts = set()

            async def send_secured(message):
                if message["type"] == "http.response.start":
                    headers = with_security_headers(list(message.get("headers") or []), page_policy(scripts))
                    message = dict(message, headers=headers)
                await send(message)

            await app(dict(scope, **{SCOPE_KEY: scripts}), receive, send_secured)

        return secured

    return wrap
