"""Whether a .yaml/.yml/.toml file is a platform manifest corslint reads.

Kept apart from the lowerings (no PyYAML import) because `files.classify`
runs it on every YAML file of a tree: a Kubernetes/Traefik/Istio/SAM/
Serverless shape *and* something CORS-related must both appear.
"""

from __future__ import annotations

import re

_SHAPE = re.compile(rb"^\s*(apiVersion\s*:|kind\s*:|Transform\s*:|AWSTemplateFormatVersion|Resources\s*:|"
                    rb"\[\[?\s*http\.|http\s*:|services\s*:|functions\s*:)", re.MULTILINE)
_CORS = re.compile(rb"nginx\.ingress\.kubernetes\.io/(enable-)?cors|accesscontrol|corsPolicy|"
                   rb"\bCors(Configuration)?\s*:|^\s*cors\s*:", re.IGNORECASE | re.MULTILINE)


def looks_like_manifest(head: bytes) -> bool:
    return bool(_SHAPE.search(head) and _CORS.search(head))
