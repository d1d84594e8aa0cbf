"""Platform manifests: Kubernetes (ingress-nginx `Ingress`, Traefik
`Middleware`, Istio `VirtualService`), Traefik file-provider YAML/TOML and
Docker labels, AWS SAM and Serverless Framework templates.

`load(path, display)` reads one file (every YAML document, `List` items
included; kustomize bases are plain YAML and are read as such), lowers
each object it knows to gates (`base.Gate`) and returns one
`PlatformModel`.  Helm and other Go templates are not YAML until rendered:
a file with `{{ ... }}` that does not parse, or whose CORS-relevant values
still hold template actions, gets one error; the engine then renders it
(`linter/templates`) and lints the rendering.
"""

from __future__ import annotations

from ..diagnostics import InputError
from ..model import Parsed, Source
from . import aws, ingress_nginx, istio, traefik
from .base import PlatformModel, as_list, as_text
from .source import LList, LMap, SourceError, load_toml, load_yaml, strings_with

__all__ = ["PlatformModel", "load"]


def load(path: str, display: str, traefik_version: str | None = None) -> PlatformModel:
    parsed = Parsed(display, [display])
    from ..confine import read

    try:
        text = read(path).removeprefix(b"\xef\xbb\xbf").decode("utf-8")   # a BOM is allowed (YAML 1.2 5.2)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(display, None, f"cannot read this file: {exc}") from None
    try:
        docs = [load_toml(text)] if path.lower().endswith(".toml") else load_yaml(text)
    except SourceError as exc:
        parsed.errors.append(InputError(display, exc.line, exc.message))
        return PlatformModel(display, parsed, [], [])
    return Lowering(display, parsed, traefik_version).run(docs)


class Lowering:
    """Walks the documents of one file and collects gates and facts."""

    def __init__(self, path: str, parsed: Parsed, traefik_version: str | None):
        self.path = path
        self.parsed = parsed
        self.version = traefik.parse_version(traefik_version) or traefik.NEWEST
        self.gates: list = []
        self.facts: list = []
        self.middlewares: dict[str, traefik.Headers] = {}
        self.kinds: dict[str, str] = {}
        self.chains: dict[str, list[str]] = {}
        self.routers: list = []

    def run(self, docs: list) -> PlatformModel:
        for doc in docs:
            self.document(doc)
        if self.parsed.errors:
            return PlatformModel(self.path, self.parsed, [], [])
        self.gates += traefik.gates_for(self.middlewares, self.routers, self.kinds, self.chains, self.version,
                                        self.facts)
        return PlatformModel(self.path, self.parsed, self.gates, self.facts)

    def templated(self, subtree) -> bool:
        """CORS-relevant values that still hold Go template actions."""
        for line, text in strings_with(subtree, "{{"):
            if "}}" in text:
                self.parsed.errors.append(InputError(self.path, line, f"template action in {text!r}"))
                return True
        return False

    def document(self, doc) -> None:
        if not isinstance(doc, LMap):
            return
        kind, api = doc.get("kind"), str(doc.get("apiVersion") or "")
        if kind == "List" or (isinstance(kind, str) and kind.endswith("List") and isinstance(doc.get("items"), LList)):
            for item in doc.get("items") or []:
                self.document(item)
        elif kind == "Ingress" and api.startswith(("networking.k8s.io/", "extensions/")):
            if not self.templated(doc):
                self.gates += ingress_nginx.lower(doc, self.path, self.facts)
        elif kind == "Middleware" and api.startswith(("traefik.io/", "traefik.containo.us/")):
            spec = doc.get("spec")
            if isinstance(spec, LMap) and isinstance(spec.get_ci("headers"), LMap) and not self.templated(spec):
                metadata = doc.get("metadata")
                name = str((metadata.get("name") if isinstance(metadata, LMap) else None) or "middleware")
                self.middlewares[name] = traefik.headers_from_map(name, spec, self.path)
        elif kind == "VirtualService" and api.startswith("networking.istio.io/"):
            if not self.templated(doc):
                self.gates += istio.lower(doc, self.path)
        elif "Resources" in doc and ("AWS::Serverless" in str(doc.get("Transform")) or "Globals" in doc):
            if not self.templated(doc):
                self.gates += aws.sam(doc, self.path, self.facts)
        elif "service" in doc and isinstance(doc.get("functions"), LMap):
            if not self.templated(doc.get("functions")):
                self.gates += aws.serverless(doc, self.path, self.facts)
        elif isinstance(doc.get_ci("http"), LMap):
            if not self.templated(doc.get_ci("http")):
                self.traefik_file(doc.get_ci("http"))
        elif isinstance(doc.get("services"), LMap):
            self.compose(doc["services"])

    def traefik_file(self, http: LMap) -> None:
        """`http.middlewares` and `http.routers` of Traefik's file provider."""
        middlewares = http.get_ci("middlewares")
        for name, block in (middlewares.items() if isinstance(middlewares, LMap) else ()):
            if not isinstance(block, LMap):
                continue
            for kind in block:
                self.kinds[str(name)] = str(kind).lower()
            if isinstance(block.get_ci("headers"), LMap):
                self.middlewares[str(name)] = traefik.headers_from_map(str(name), block, self.path)
            chain = block.get_ci("chain")
            if isinstance(chain, LMap):
                self.chains[str(name)] = [str(n).split("@")[0] for n in as_list(chain.get_ci("middlewares"))]
        routers = http.get_ci("routers")
        for name, router in (routers.items() if isinstance(routers, LMap) else ()):
            if isinstance(router, LMap):
                used = router.get_ci("middlewares")
                names = [(str(n).split("@")[0], Source(self.path, used.line_of(i) if isinstance(used, LList)
                                                       else router.line_ci("middlewares")))
                         for i, n in enumerate(as_list(used))]
                self.routers.append((str(name), str(router.get_ci("rule") or ""), names))

    def compose(self, services: LMap) -> None:
        """Docker Compose: `traefik.*` labels and a `traefik:vX` image (the version)."""
        for service in services.values():
            if not isinstance(service, LMap):
                continue
            image = str(service.get("image") or "")
            if image.split(":")[0].endswith("traefik") and ":" in image:
                self.version = traefik.parse_version(image.split(":", 1)[1]) or self.version
            labels = service.get("labels")
            pairs = []
            if isinstance(labels, LList):
                for i, item in enumerate(labels):
                    key, _, value = str(item).partition("=")
                    pairs.append((key.strip(), value.strip(), labels.line_of(i)))
            elif isinstance(labels, LMap):
                pairs = [(str(k), as_text(v) or "", labels.line_of(k)) for k, v in labels.items()]
            self.middlewares.update(traefik.headers_from_labels(pairs, self.path))
            routers: dict[str, list] = {}
            for key, value, line in pairs:
                parts = key.split(".")
                if len(parts) == 5 and parts[:3] == ["traefik", "http", "routers"]:
                    routers.setdefault(parts[3], ["", []])
                    if parts[4].lower() == "rule":
                        routers[parts[3]][0] = value
                    elif parts[4].lower() == "middlewares":
                        routers[parts[3]][1] = [(n.split("@")[0], Source(self.path, line))
                                                for n in as_list(value)]
            self.routers += [(name, rule, names) for name, (rule, names) in routers.items()]
