"""The surface's Markdown and HTML views (`corslint surface -f markdown|html`)
from surface documents written here in the contract's shape: the Markdown
rendered by cmark-gfm (GitHub's renderer) into the tables a reviewer reads,
the HTML parsed into its matrix, hostile values shown as text in both; and
the acceptance test: the page opened in headless Chromium, a screenshot
taken, no console error, the matrix in the DOM."""

from __future__ import annotations

import base64
import copy
import re
from html.parser import HTMLParser

import cmarkgfm
import pytest
from browser.chromium import launch
from browser.test_chromium import require_chromium
from cmarkgfm.cmark import Options
from corslint.surface import html, markdown

API = "deploy/nginx/api.conf"
STATIC = "deploy/nginx/static.conf"
PROBED = ["https://app.example.com", "https://evil-example.com", "https://evil.example", "null"]
#: what the checkout may try in a comment or a page: a table cell break, a
#: code span break, HTML, a link, an autolink, a mention, an issue
#: reference, a workflow command, a terminal escape, a line break
HOSTILE = ("a|b``c<script>alert(1)</script>\"'><img src=x onerror=alert(2)> @octocat [x](https://evil.example)"
           " www.evil.example #1 ::error::owned ##[error]owned \x1b[31m\n::warning::line")


def _lines(**lines) -> dict:
    return {key: lines.get(key, []) for key in
            ("origins", "credentials", "methods", "headers", "exposed", "max_age", "preflight")}


def _scope(name, path, line, exposure, origins, access, **policy) -> dict:
    scope = {"name": name, "path": path, "source": {"path": policy.pop("file", API), "line": line},
             "assumption": None, "exposure": exposure, "origins": origins, "access": access,
             "credentials": False, "methods": [], "headers": [], "exposed": [], "max_age": None,
             "preflight": {"answered": False, "status": None}, "errors_keep_cors": None,
             "redirects_keep_cors": None, "unknowns": [], "lines": _lines()}
    scope.update(policy)
    return scope


def _access(*kinds) -> dict:
    return dict(zip(PROBED, kinds))


#: the contract's example server, a second scope left unknown, and a static host with one listed origin
DOC = {
    "version": 1,
    "tool": {"name": "corslint", "version": "0.1.0"},
    "origins_probed": PROBED,
    "servers": [
        {"site": "https://static.example.com", "host": "static.example.com", "port": 443,
         "source": {"path": STATIC, "line": 2}, "exposure": "list",
         "scopes": [_scope("location /fonts/", "/fonts/", 5, "list",
                           {"kind": "list", "values": ["https://app.example.com"], "patterns": [], "null": False},
                           _access("read", "none", "none", "none"), file=STATIC,
                           lines=_lines(origins=[{"path": STATIC, "line": 6}]))]},
        {"site": "https://api.example.com", "host": "api.example.com", "port": 443,
         "source": {"path": API, "line": 3}, "exposure": "any-with-credentials",
         "scopes": [
             _scope("location /health", "/health", 30, "unknown",
                    {"kind": "unknown", "values": [], "patterns": [], "null": False},
                    _access("unknown", "unknown", "unknown", "unknown"), credentials=None, methods=None,
                    headers=None, preflight={"answered": None, "status": None},
                    unknowns=["the proxied backend's own CORS headers (proxy_pass http://health)"]),
             _scope("location /api/", "/api/", 14, "any-with-credentials",
                    {"kind": "reflect-any", "values": [], "null": False, "patterns": [
                        {"regex": "^https://.*example\\.com$", "described": "https://<anything>example.com",
                         "admits": ["https://evil-example.com"], "source": {"path": API, "line": 9}}]},
                    _access("read-credentials", "read-credentials", "read-credentials", "none"),
                    credentials=True, methods=["GET", "POST", "PUT"], headers=["authorization", "content-type"],
                    exposed=["x-request-id"],
                    max_age={"sent": 86400, "chromium": 7200, "firefox": 86400, "webkit": 600},
                    preflight={"answered": True, "status": 204}, errors_keep_cors=False,
                    unknowns=["the proxied backend's own CORS headers (proxy_pass http://app)"],
                    lines=_lines(origins=[{"path": API, "line": 16}], credentials=[{"path": API, "line": 17}])),
         ]},
    ],
    "errors": [{"path": "deploy/nginx/bad.conf", "line": 4, "message": 'unexpected "}"'}],
}

DIFF = {
    "version": 1, "before": "HEAD~1", "after": "working tree", "widens": True,
    "changes": [
        {"site": "https://api.example.com", "scope": "/admin/", "assumption": None, "kind": "preflight-not-answered",
         "widens": False, "message": "`/admin/` on api.example.com no longer answers preflights",
         "source": {"path": API, "line": 40}},
        {"site": "https://api.example.com", "scope": "/api/", "assumption": None, "kind": "reflects-any",
         "widens": True, "message": "`/api/` on api.example.com now reflects any origin with credentials",
         "source": {"path": API, "line": 14}},
    ],
}


def hostile_doc() -> dict:
    """DOC with the checkout's text replaced, wherever it can come from, by HOSTILE."""
    doc = copy.deepcopy(DOC)
    doc["origins_probed"] = [HOSTILE, *PROBED]
    server = doc["servers"][1]
    server.update(site=HOSTILE, host=HOSTILE)
    scope = server["scopes"][1]
    scope.update(name=HOSTILE, path=HOSTILE, assumption=HOSTILE, methods=[HOSTILE], headers=[HOSTILE],
                 exposed=[HOSTILE], unknowns=[HOSTILE], source={"path": HOSTILE, "line": 14})
    scope["access"][HOSTILE] = "read"
    scope["origins"]["values"] = [HOSTILE]
    scope["origins"]["patterns"][0].update(described=HOSTILE, admits=[HOSTILE])
    scope["lines"]["origins"] = [{"path": HOSTILE, "line": 16}]
    doc["errors"][0].update(path=HOSTILE, message=HOSTILE)
    return doc


# --------------------------------------------------------------------------
# Markdown

def gfm(text: str) -> str:
    """As GitHub renders it, raw HTML kept (GitHub sanitizes it afterwards,
    allowing `<br>`), so none may come from the checkout."""
    return cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)


def tables(page: str) -> list[list[list[str]]]:
    """Each table's body rows, as the HTML of their cells."""
    return [[re.findall(r"<td>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]
            for table in re.findall(r"<table>(.*?)</table>", page, re.S)]


def test_markdown_one_table_per_host_widest_exposure_first():
    text = markdown.render(DOC)
    assert text.splitlines()[0] == "### CORS surface: 3 scopes on 2 hosts, 1 input error"
    page = gfm(text)
    assert re.findall(r"<h4>(.*?)</h4>", page) == [
        "<code>api.example.com</code>: any origin, with credentials",
        "<code>static.example.com</code>: listed origins"]
    assert re.search(r"<thead>\s*<tr>\s*<th>Scope</th>\s*<th>Who may read</th>\s*<th>Credentials</th>\s*"
                     r"<th>Methods</th>\s*<th>Headers</th>\s*<th>Preflight</th>\s*<th>Errors keep CORS</th>\s*"
                     r"<th>Source</th>", page), page
    api, static = tables(page)
    assert api == [
        ["<code>/api/</code> (<code>location /api/</code>)",
         "any origin (reflected)<br>pattern <code>https://&lt;anything&gt;example.com</code>"
         " — also admits <code>https://evil-example.com</code>",
         "yes", "<code>GET</code>, <code>POST</code>, <code>PUT</code>",
         "<code>authorization</code>, <code>content-type</code>", "answered (204)", "no",
         f"<code>{API}:14</code>"],
        ["<code>/health</code> (<code>location /health</code>)", "unknown (the files do not say)", "unknown",
         "unknown", "unknown", "unknown", "—", f"<code>{API}:30</code>"],
    ]
    assert static == [["<code>/fonts/</code> (<code>location /fonts/</code>)",
                        "<code>https://app.example.com</code>", "no", "safelisted only", "safelisted only",
                        "not answered", "—", f"<code>{STATIC}:5</code>"]]
    assert ("<li><code>/api/</code> (<code>location /api/</code>) on <code>api.example.com</code>: "
            "<code>the proxied backend's own CORS headers (proxy_pass http://app)</code></li>") in page
    assert "<strong>The run is incomplete</strong>" in page
    assert '<li><code>deploy/nginx/bad.conf:4: unexpected &quot;}&quot;</code></li>' in page


def test_markdown_wildcard_null_origin_and_alternatives_in_words():
    doc = copy.deepcopy(DOC)
    [scope] = doc["servers"][0]["scopes"]
    scope.update(assumption="$cors is 'on' (set outside these files)", methods=["*"])
    scope["origins"].update(kind="any", values=[], null=True)
    [row] = tables(gfm(markdown.render(doc)))[1]
    assert row[0] == ("<code>/fonts/</code> (<code>location /fonts/</code>) when "
                      "<code>$cors is 'on' (set outside these files)</code>")
    assert row[1] == ("any origin (<code>*</code>)<br>the <code>null</code> origin"
                      " (sandboxed pages, file: URLs)")
    assert row[3] == "<code>*</code>"


def test_markdown_hostile_values_stay_text():
    """Nothing the checkout wrote becomes markup or a line of its own: every
    row keeps its eight cells, no link, mention or tag gets through, and
    every line begins with the report's own markup."""
    text = markdown.render(hostile_doc())
    for line in text.splitlines():
        assert not line or line[0] in "#|-*…N", line
    assert "\x1b" not in text and "##[" not in text
    page = gfm(text)
    for rows in tables(page):
        assert all(len(row) == 8 for row in rows), rows
    outside_code = re.sub(r"<code>.*?</code>", "", page, flags=re.S)
    for tag in ("<a ", "<script", "<img", "@octocat", "#1"):
        assert tag not in outside_code
    assert set(re.findall(r"<(\w+)", outside_code)) <= {
        "h3", "h4", "p", "table", "thead", "tbody", "tr", "th", "td", "br", "ul", "li", "strong", "code"}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_markdown_stays_within_a_comment():
    doc = copy.deepcopy(DOC)
    [scope] = doc["servers"][0]["scopes"]
    doc["servers"] += [{**doc["servers"][0], "host": f"h{n}.example.com", "site": f"https://h{n}.example.com",
                        "scopes": [{**scope, "path": f"/p{k}/", "name": f"location /p{k}/"} for k in range(50)]}
                       for n in range(100)]
    text = markdown.render(doc)
    assert len(text) < 65_536
    assert "more scopes not shown" in text or "more scopes on other hosts not shown" in text
    assert "**The run is incomplete**" in text
    assert text.splitlines()[0] == "### CORS surface: 5003 scopes on 102 hosts, 1 input error"


def test_markdown_diff_lists_widening_first():
    page = gfm(markdown.render_diff(DIFF))
    assert "<h3>CORS surface changes since <code>HEAD~1</code>: 2 changes, 1 widens the exposure</h3>" in page
    items = re.findall(r"<li>(.*?)</li>", page, re.S)
    assert items == [
        "⚠ <strong>widens</strong>: <code>`/api/` on api.example.com now reflects any origin with credentials"
        f"</code> (<code>{API}:14</code>)",
        f"<code>`/admin/` on api.example.com no longer answers preflights</code> (<code>{API}:40</code>)",
    ]


def test_markdown_diff_without_changes():
    assert markdown.render_diff({**DIFF, "widens": False, "changes": []}) == (
        "### CORS surface changes since ` HEAD~1 `\n\nNo change to the CORS surface.\n")


# --------------------------------------------------------------------------
# HTML

class Page(HTMLParser):
    """What a test needs from a page: the matrix (rows of (tag, class,
    text)), tags and attributes seen, the CSP, the text of the details."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.matrix: list[list[tuple[str, str, str]]] = []
        self.in_matrix = False
        self.cell: list | None = None
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "table":
            self.in_matrix = attrs.get("class") == "matrix"
        elif self.in_matrix and tag == "tr":
            self.matrix.append([])
        elif self.in_matrix and tag in ("td", "th"):
            self.cell = [tag, attrs.get("class") or "", ""]

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_matrix = False
        elif tag in ("td", "th") and self.cell is not None:
            self.matrix[-1].append(tuple(self.cell))
            self.cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self.cell is not None:
            self.cell[2] += data


def test_html_matrix_of_scopes_by_origins():
    page = Page(html.render(DOC))
    head, *rows = page.matrix
    assert [text for _, _, text in head] == ["Host", "Scope", "Exposure", *PROBED]
    assert [(r[0][2], r[1][2]) for r in rows] == [("api.example.com", "/api/ (location /api/)"),
                                                  ("api.example.com", "/health (location /health)"),
                                                  ("static.example.com", "/fonts/ (location /fonts/)")]
    assert [[(cls, text) for _, cls, text in r[3:]] for r in rows] == [
        [("access-read-credentials", "read + credentials")] * 3 + [("access-none", "none")],
        [("access-unknown", "unknown")] * 4,
        [("access-read", "read")] + [("access-none", "none")] * 3,
    ]
    legend = "".join(page.text)
    for words in ("the origin cannot read the answers", "without credentials", "carry the user's cookies",
                  "the files do not determine it"):
        assert words in legend


def test_html_details_name_the_lines_behind_the_policy():
    text = "".join(Page(html.render(DOC)).text)
    assert "/api/ (location /api/) on https://api.example.com (deploy/nginx/api.conf:14)" in text
    assert "who may readany origin (reflected)pattern https://<anything>example.com — also admits " \
           "https://evil-example.com from deploy/nginx/api.conf:16" in text
    assert "credentialsyes from deploy/nginx/api.conf:17" in text
    assert "Max-Age86400 s sent (kept: chromium 7200, firefox 86400, webkit 600)" in text
    assert "preflightanswered (204)" in text
    assert "unknownthe proxied backend's own CORS headers (proxy_pass http://app)" in text
    assert "deploy/nginx/bad.conf:4: unexpected \"}\"" in text


def test_html_is_self_contained_and_hostile_values_stay_text():
    text = html.render(hostile_doc())
    for line in text.splitlines():      # the page's own markup, or its style sheet, begins each line
        assert not line.lstrip().startswith(("::", "a|b")), line
    assert "\x1b" not in text and "##[" not in text
    page = Page(text)
    assert ("meta", {"http-equiv": "Content-Security-Policy",
                     "content": "default-src 'none'; style-src 'unsafe-inline'"}) in page.tags
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "img", "link", "iframe", "object", "embed", "form"}
    assert all(k in ("class", "id", "scope", "title", "charset", "lang", "http-equiv", "content", "name", "href")
               for _, attrs in page.tags for k in attrs)
    assert all(attrs["href"].startswith("#scope-") for _, attrs in page.tags if "href" in attrs)
    shown = "".join(page.text)
    assert "<script>alert(1)</script>" in shown and "\\x1b[31m\\n::warning::line" in shown
    head, *rows = page.matrix
    assert len({len(r) for r in rows} | {len(head)}) == 1      # no cell broke out of the matrix


def test_html_diff_page():
    page = Page(html.render_diff(DIFF))
    text = "".join(page.text)
    assert "Since HEAD~1, against working tree: 2 changes, 1 widening the exposure." in text
    rows = [attrs.get("class") for tag, attrs in page.tags if tag == "tr"]
    assert rows == [None, "widens", "narrows"]
    assert text.index("now reflects any origin") < text.index("no longer answers preflights")
    assert "No change to the CORS surface." in "".join(Page(html.render_diff({**DIFF, "changes": []})).text)


# --------------------------------------------------------------------------
# Acceptance: the page in headless Chromium

@pytest.mark.live
def test_html_page_in_chromium(tmp_path):
    """The page a reviewer opens: loaded from disk in headless Chromium, no
    console error or exception (a value that slipped through as markup
    would be blocked by the CSP, which logs one), the matrix in the DOM
    with a cell per scope and origin, and a screenshot of it."""
    require_chromium()
    path = tmp_path / "surface.html"
    path.write_text(html.render(hostile_doc()), encoding="utf-8")
    with launch(timeout=60) as cdp:
        session = cdp.attach(("Page", "Runtime", "Log"))
        cdp.send("Emulation.setDeviceMetricsOverride",
                 {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session=session)
        cdp.send("Page.navigate", {"url": path.as_uri()}, session=session)
        cdp.wait_for(lambda event: event.get("method") == "Page.loadEventFired")

        def evaluate(expression: str):
            reply = cdp.send("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                             session=session)
            return reply["result"].get("value")

        cells = evaluate("document.querySelectorAll('table.matrix td').length")
        classes = evaluate("[...document.querySelectorAll('table.matrix td[class^=access-]')]"
                           ".map(td => td.className)")
        unwanted = evaluate("document.querySelectorAll('script, img, iframe, link').length")
        shot = cdp.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                        session=session)["data"]
        events = list(cdp.events)
    png = tmp_path / "surface.png"
    png.write_bytes(base64.b64decode(shot))
    assert png.stat().st_size > 1000 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    errors = [e for e in events
              if e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Log.entryAdded" and e["params"]["entry"].get("level") == "error")
              or (e.get("method") == "Runtime.consoleAPICalled" and e["params"].get("type") == "error")]
    assert errors == []
    assert unwanted == 0
    assert cells == 3 * (1 + len(PROBED) + 1)                  # exposure + one per origin probed
    assert classes.count("access-read-credentials") == 3 and classes.count("access-unknown") == 6
