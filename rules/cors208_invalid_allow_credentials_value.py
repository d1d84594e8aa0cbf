"""Access-Control-Allow-Credentials is anything but the exact string true.

## What it does
Fires when the server, as configured, would send
`Access-Control-Allow-Credentials` with any value other than exactly `true`:
`True`, `TRUE`, `1`, `yes`, `on`, or `false`.

## Why is this bad?
The browser compares the value byte for byte with `true`; anything else means
"credentials not allowed". Every request made with `credentials: "include"`
then fails. Chromium 156 prints:

```text
Access to fetch at 'https://api.example.com/api/me' from origin 'https://app.example.com' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Credentials' header in the response is 'True' which must be 'true' when the request's credentials mode is 'include'.
```

`false` is dead configuration: browsers treat it like a missing header, and
requests without credentials ignore the header altogether, so it switches
nothing off. If credentials are not wanted, do not send the header.

## Example
```nginx
location /api/ {
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    add_header Access-Control-Allow-Credentials True always;
    proxy_pass http://app_backend;
}
```

```apache
<Location /api/>
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Credentials "True"
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## Use instead
```nginx
location /api/ {
    add_header Access-Control-Allow-Origin "https://app.example.com" always;
    add_header Access-Control-Allow-Credentials "true" always;
    proxy_pass http://app_backend;
}
```

```apache
<Location /api/>
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Credentials "true"
    ProxyPass http://127.0.0.1:8000/api/
</Location>
```

## References
- [Fetch standard: CORS check](https://fetch.spec.whatwg.org/#cors-check)
- [Fetch standard: HTTP new-header syntax](https://fetch.spec.whatwg.org/#http-new-header-syntax)
- [MDN: Access-Control-Allow-Credentials](https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Access-Control-Allow-Credentials)
- [Chromium: `cors.cc` (`CheckAccess`)](https://source.chromium.org/chromium/chromium/src/+/main:services/network/public/cpp/cors/cors.cc)

## Automatic fix
`corslint --fix` (preview: `--diff`): `True`, `TRUE` and other spellings of `true` become `true` (nginx `add_header`, Apache `Header`); `false`, `1` or `yes` are left for a person to decide.
"""

from __future__ import annotations

from corslint.cors import ACAC
from corslint.diagnostics import Hit


def check(ctx):
    """Access-Control-Allow-Credentials set to anything but `true`."""
    for _probe, _answer, line in ctx.config_header_lines(ACAC):
        if line.value is None or line.value == "true":
            continue
        if line.value == "false":
            text = "'false' is dead configuration: leave the header out instead"
        else:
            text = f"Access-Control-Allow-Credentials is {line.value!r}; browsers accept only the exact string 'true'"
        if line.value.lower() == "true":   # only the spelling is wrong: fixing it cannot mean anything else
            from corslint.edits import replace_value   # loaded only when a finding has an edit

            yield Hit(line.source, text, fix="write it as `true`",
                      edits=replace_value(line.source, ACAC, line.value, "true"))
        else:
            yield Hit(line.source, text)
