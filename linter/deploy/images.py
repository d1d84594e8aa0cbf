"""Where the server images keep their configuration, and what they read.

A compose file or a Dockerfile only says that a repository path becomes a
deployed path; which deployed files the server then reads is the image's
knowledge, written down here once:

* the main configuration file of each layout (the official `nginx` and
  `httpd` images, Debian's and RHEL's packages, OpenResty);
* when the main file is not the repository's, the files the image's own
  main file includes: the official nginx image's `nginx.conf` includes
  `/etc/nginx/conf.d/*.conf` inside `http`, Debian's also
  `sites-enabled/*`; Debian's `apache2.conf` `sites-enabled/*.conf` and
  `conf-enabled/*.conf`, RHEL's `conf.d/*.conf`.  `sites-available` is
  listed too: a Dockerfile enables it with `a2ensite` or `ln -s`, which
  corslint does not follow, and a vhost there is meant to be served;
* the official nginx image's templates: at start its entrypoint renders
  every `/etc/nginx/templates/**/*.template` with envsubst into
  `/etc/nginx/conf.d/` (the name without `.template`), as the
  `NGINX_ENVSUBST_TEMPLATE_DIR`, `_SUFFIX` and `NGINX_ENVSUBST_OUTPUT_DIR`
  variables may change.
"""

from __future__ import annotations

from ..record import record


@record(frozen=True)
class Layout:
    """One server installation's configuration folder."""

    kind: str
    #: the server's folder (nginx's prefix, Apache's ServerRoot)
    prefix: str
    #: its main configuration file
    main: str
    #: the deployed globs its stock main file reads (when the main file is not the repository's)
    stock: tuple[str, ...]


LAYOUTS = (
    Layout("nginx", "/etc/nginx", "/etc/nginx/nginx.conf",
           ("/etc/nginx/conf.d/*.conf", "/etc/nginx/sites-enabled/*", "/etc/nginx/sites-available/*")),
    Layout("nginx", "/usr/local/openresty/nginx/conf", "/usr/local/openresty/nginx/conf/nginx.conf", ()),
    Layout("nginx", "/usr/local/nginx/conf", "/usr/local/nginx/conf/nginx.conf", ()),
    Layout("apache", "/usr/local/apache2", "/usr/local/apache2/conf/httpd.conf", ()),
    Layout("apache", "/etc/apache2", "/etc/apache2/apache2.conf",
           ("/etc/apache2/sites-enabled/*.conf", "/etc/apache2/conf-enabled/*.conf",
            "/etc/apache2/sites-available/*.conf")),
    Layout("apache", "/etc/httpd", "/etc/httpd/conf/httpd.conf", ("/etc/httpd/conf.d/*.conf",)),
)

#: the official nginx image's envsubst defaults
TEMPLATE_DIR = "/etc/nginx/templates"
TEMPLATE_SUFFIX = ".template"
TEMPLATE_OUTPUT = "/etc/nginx/conf.d"

#: names of main configuration files: a folder holding one, mounted or copied
#: anywhere (a custom image's own config folder), is that server's prefix
MAIN_NAMES = {"nginx.conf": "nginx", "httpd.conf": "apache", "apache2.conf": "apache"}


def layout_of(target: str) -> Layout | None:
    """The layout whose folder holds the deployed path `target`."""
    for layout in LAYOUTS:
        if target == layout.prefix or target.startswith(layout.prefix + "/") or \
                any(_under(target, glob) for glob in layout.stock):
            return layout
    return None


def _under(target: str, glob: str) -> bool:
    folder = glob.rsplit("/", 1)[0]
    return target == folder or target.startswith(folder + "/")


def configures_server(target: str, templates: str = TEMPLATE_DIR) -> bool:
    """Whether a deployed path is server configuration corslint reads (or a
    template rendered into it)."""
    return layout_of(target) is not None or target == templates or target.startswith(templates + "/")


def template_output(relative: str, env: dict[str, str]) -> str | None:
    """The deployed path the nginx image renders the template at
    `relative` (below the template folder) to, or None when its name lacks
    the suffix."""
    suffix = env.get("NGINX_ENVSUBST_TEMPLATE_SUFFIX") or TEMPLATE_SUFFIX
    if not relative.endswith(suffix) or relative == suffix:
        return None
    output = (env.get("NGINX_ENVSUBST_OUTPUT_DIR") or TEMPLATE_OUTPUT).rstrip("/")
    return f"{output}/{relative[:-len(suffix)]}"


def template_dir(env: dict[str, str]) -> str:
    return (env.get("NGINX_ENVSUBST_TEMPLATE_DIR") or TEMPLATE_DIR).rstrip("/") or "/"


#: folder names that hold server configuration (a missing mount of one is worth saying)
_CONFIG_FOLDERS = {"conf", "conf.d", "conf-enabled", "conf-available", "sites-enabled", "sites-available", "snippets",
                   "templates", "vhost", "vhosts", "extra", "nginx", "apache2", "httpd"}


def config_like(target: str) -> bool:
    """Whether a deployed path names configuration (`*.conf`, a template,
    a configuration folder) rather than certificates, logs or content."""
    name = target.rstrip("/").rsplit("/", 1)[-1]
    return name.endswith((".conf", TEMPLATE_SUFFIX)) or name in _CONFIG_FOLDERS or name in MAIN_NAMES or \
        any(target == layout.prefix for layout in LAYOUTS)
