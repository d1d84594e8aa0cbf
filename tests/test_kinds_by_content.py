"""Kinds by content (issue 14, item 1): a `.conf` or extension-less file is
nginx, Apache or not a web server configuration by what it contains
(`corslint.serverkind`).  The other programs' files a repository keeps
beside its web server's (supervisord, redis, php-fpm, systemd, logrotate,
fail2ban, rsyslog, postgresql) are listed as skipped, never parsed as nginx
and never an input error; nginx and Apache files, snippets included, are
still linted, and a broken one is still exit 2 at its line.  Debian's stock
/etc/nginx and /etc/apache2 (read in place) and a Red Hat /etc/httpd tree
built here lint with no input error."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from support import corslint, write

from corslint.serverkind import EMPTY, NOT_WEB, judge

#: other programs' configuration, as these programs' documentation and stock files lay it out
NOISE = {
    "deploy/supervisord.conf": """\
        [supervisord]
        nodaemon=true
        logfile=/dev/null

        [program:php-fpm]
        command=/usr/sbin/php-fpm8.2 -F
        autostart=true
        autorestart=true

        [program:nginx]
        command=/usr/sbin/nginx -g "daemon off;"
        stopsignal=QUIT
        """,
    "deploy/redis/redis.conf": """\
        # Redis configuration: `key value` lines
        bind 127.0.0.1 -::1
        protected-mode yes
        port 6379
        tcp-backlog 511
        timeout 0
        tcp-keepalive 300
        daemonize no
        pidfile /var/run/redis_6379.pid
        loglevel notice
        logfile ""
        databases 16
        save 3600 1 300 100
        dir ./
        include /etc/redis/local.conf
        """,
    "deploy/php/pool.d/www.conf": """\
        ; Start a new pool named 'www'.
        [www]
        user = www-data
        group = www-data
        listen = /run/php/php8.2-fpm.sock
        listen.owner = www-data
        pm = dynamic
        pm.max_children = 5
        pm.start_servers = 2
        php_admin_value[error_log] = /var/log/fpm-php.www.log
        php_flag[display_errors] = off
        ;include=/etc/php/8.2/fpm/pool.d/extra.conf
        """,
    "deploy/systemd/nginx.service.d/override.conf": """\
        [Service]
        ExecStartPost=/bin/sleep 0.1
        LimitNOFILE=65536
        Restart=on-failure
        """,
    "deploy/logrotate.d/webapp.conf": """\
        /var/log/nginx/*.log {
            daily
            missingok
            rotate 14
            compress
            delaycompress
            notifempty
            create 0640 www-data adm
            sharedscripts
            prerotate
                if [ -d /etc/logrotate.d/httpd-prerotate ]; then \\
                    run-parts /etc/logrotate.d/httpd-prerotate; \\
                fi \\
            endscript
            postrotate
                invoke-rc.d nginx rotate >/dev/null 2>&1
            endscript
        }
        """,
    "deploy/fail2ban/jail.local": """\
        [DEFAULT]
        bantime = 1h
        findtime = 10m

        [nginx-http-auth]
        enabled = true
        port    = http,https
        logpath = %(nginx_error_log)s
        """,
    "deploy/fail2ban/filter.d/nginx-cors.conf": """\
        [INCLUDES]
        before = common.conf

        [Definition]
        failregex = ^<HOST> -.*"(GET|POST|OPTIONS) [^"]*" 403
                    ^ \\[error\\] \\d+#\\d+: \\*\\d+ access forbidden by rule, client: <HOST>
        ignoreregex =
        """,
    "deploy/rsyslog.d/30-nginx.conf": """\
        module(load="imfile")
        input(type="imfile" File="/var/log/nginx/access.log" Tag="nginx-access:" Severity="info")
        $FileCreateMode 0640
        if ($programname == "nginx-error") then {
            action(type="omfile" file="/var/log/nginx/syslog-error.log")
            stop
        }
        if $programname == 'nginx-access' then /var/log/nginx/syslog-access.log
        & stop
        *.*;auth,authpriv.none\t\t-/var/log/syslog
        """,
    "deploy/postgresql/postgresql.conf": """\
        # PostgreSQL: `key = value` settings
        listen_addresses = '*'
        port = 5432
        max_connections = 100
        shared_buffers = 128MB
        log_line_prefix = '%m [%p] %q%u@%d '
        include_dir = 'conf.d'
        """,
}

#: the ones the pre-commit hook passes (its `files` pattern: `.conf`)
NOISE_CONF = sorted(name for name in NOISE if name.endswith(".conf"))


def noise_repository(root: Path) -> Path:
    for name, text in NOISE.items():
        write(root / name, textwrap.dedent(text))
    return root


def skipped(report: dict) -> dict[str, str]:
    return {entry["path"]: entry["reason"] for entry in report.get("skipped", [])}


def test_a_repository_of_other_programs_configuration_lints_clean(tmp_path):
    """`corslint .` from the repository root, no flags: every such file is
    listed as skipped with the reason, none is an input error, exit 0."""
    noise_repository(tmp_path)
    done = corslint("--format", "json", ".", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report.get("errors", []) == []
    # a walk lists the files whose name or folder says server configuration (`jail.local` is
    # no more a candidate than a README: not listed, and skipped when named, below)
    assert skipped(report) == {name: NOT_WEB for name in NOISE_CONF}
    text = corslint(".", cwd=tmp_path)
    assert text.returncode == 0, text.stdout + text.stderr
    for name in NOISE_CONF:
        assert f"{name}: skipped: {NOT_WEB}" in text.stdout
    assert text.stderr == ""


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_the_same_files_named_explicitly_are_skipped(tmp_path, fmt):
    """pre-commit names the staged files: each is skipped, exit 0, in every
    output format (the skip shows where the format shows skips)."""
    noise_repository(tmp_path)
    done = corslint("--format", fmt, *NOISE, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "error" not in done.stderr.lower(), done.stderr
    if fmt == "text":
        assert sorted(line.split(": skipped: ")[0] for line in done.stdout.splitlines() if NOT_WEB in line) \
            == sorted(NOISE)
    elif fmt == "json":
        assert skipped(json.loads(done.stdout)) == {name: NOT_WEB for name in NOISE}
    elif fmt == "sarif":
        notes = json.loads(done.stdout)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        assert sum(f"skipped: {NOT_WEB}" in note["message"]["text"] for note in notes) == len(NOISE)


def test_skip_unknown_lists_them_too(tmp_path):
    """The hook's `--skip-unknown` drops what corslint knows nothing of,
    but a `.conf` that is not a web server's is listed, not dropped."""
    noise_repository(tmp_path)
    write(tmp_path / "app/util.py", "def add(a, b):\n    return a + b\n")
    done = corslint("--skip-unknown", "--format", "json", *NOISE_CONF, "app/util.py", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert skipped(json.loads(done.stdout)) == {name: NOT_WEB for name in NOISE_CONF}


def test_empty_and_comment_only_files_hold_no_configuration(tmp_path):
    write(tmp_path / "conf.d/empty.conf", "")
    write(tmp_path / "conf.d/placeholder.conf", "# Nothing required here\n\n   # (see nginx.conf)\n")
    for args in (["."], ["conf.d/empty.conf", "conf.d/placeholder.conf"]):
        done = corslint("--format", "json", *args, cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        assert skipped(json.loads(done.stdout)) == {"conf.d/empty.conf": EMPTY, "conf.d/placeholder.conf": EMPTY}


# the firing side: web server files whose names do not say which server, linted by content

NGINX_SNIPPET = """\
    # CORS for the API locations (included inside a location)
    add_header Access-Control-Allow-Origin $http_origin always;
    add_header Access-Control-Allow-Credentials true always;
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    """

APACHE_SNIPPET = """\
    # CORS for the whole site
    Header set Access-Control-Allow-Origin "*"
    Header set Access-Control-Allow-Credentials "true"
    """


@pytest.mark.parametrize("args", [["."], ["cors.conf"]])
def test_an_nginx_snippet_of_header_lines_is_nginx(tmp_path, args):
    write(tmp_path / "cors.conf", textwrap.dedent(NGINX_SNIPPET))
    done = corslint(*args, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "cors.conf:2: CORS202" in done.stdout


@pytest.mark.parametrize("args", [["."], ["cors.conf"]])
def test_an_apache_snippet_of_header_lines_is_apache(tmp_path, args):
    write(tmp_path / "cors.conf", textwrap.dedent(APACHE_SNIPPET))
    done = corslint(*args, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "cors.conf:2: CORS201" in done.stdout or "cors.conf:3: CORS201" in done.stdout, done.stdout


def test_an_extension_less_snippet_named_is_judged_by_content(tmp_path):
    """`corslint snippets/cors`: nginx by its lines; an extension-less file
    of another program's lines named on the command line is skipped."""
    write(tmp_path / "snippets/cors", textwrap.dedent(NGINX_SNIPPET))
    write(tmp_path / "Procfile", "web: gunicorn app:app --bind 0.0.0.0:$PORT\n")
    done = corslint("snippets/cors", "Procfile", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "snippets/cors:2: CORS202" in done.stdout
    assert f"Procfile: skipped: {NOT_WEB}" in done.stdout


@pytest.mark.parametrize("args", [["."], ["site.conf"]])
def test_a_broken_nginx_conf_is_still_an_input_error(tmp_path, args):
    write(tmp_path / "site.conf", "server {\n    listen 80;\n    location / {\n        return 200;\n    }\n")
    done = corslint(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "site.conf:5:" in done.stderr, done.stderr


def test_a_broken_apache_conf_is_still_an_input_error(tmp_path):
    write(tmp_path / "site.conf", "<VirtualHost *:80>\n    Header set Access-Control-Allow-Origin \"*\"\n")
    done = corslint(".", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "site.conf:" in done.stderr, done.stderr


# the judge itself: the borderline cases, decided

@pytest.mark.parametrize("text, verdict", [
    ("proxy_set_header Host $host;\nproxy_set_header X-Real-IP $remote_addr;\n", "nginx"),
    ("fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\nfastcgi_param QUERY_STRING $query_string;\n",
     "nginx"),
    ("more_set_headers 'Access-Control-Allow-Origin: *';\n", "nginx"),        # headers-more: not in crossplane's table
    ("location / { return 200; }\n", "nginx"),
    ("server { listen 80\n", "nginx"),                                         # broken, but nginx's
    ("map $http_origin $cors {\n    default \"\";\n    ~^https://a\\.example$ $http_origin;\n}\n", "nginx"),
    ("log_format main '$remote_addr - $remote_user'\n                '\"$request\" $status';\n", "nginx"),
    ("{{ if .Values.cors }}\nadd_header Access-Control-Allow-Origin {{ .Values.origin }};\n{{ end }}\n", "nginx"),
    ("Header set X y\n", "apache"),
    ("<IfModule mod_dir.c>\n    DirectoryIndex index.html\n</IfModule>\n", "apache"),
    ("Listen 80\n<IfModule ssl_module>\n    Listen 443\n</IfModule>\n", "apache"),
    ("ProxyHTMLLinks a href\nProxyHTMLLinks img src\n<IfModule x>\n</IfModule>\n", "apache"),
    ("Header set X y\nadd_header X y;\n", "nginx"),                            # a tie: the preferred server
    ("[Service]\nExecStart=\nExecStart=/usr/sbin/nginx\n", NOT_WEB),
    ("bind 127.0.0.1\nport 6379\ninclude /etc/redis/local.conf\n", NOT_WEB),
    ("Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\nPasswordAuthentication no\nUsePAM yes\n", NOT_WEB),
    ("if ($programname == 'x') then {\n  action(type=\"omfile\" file=\"/x\")\n  stop\n}\n", NOT_WEB),
    ("include /etc/ld.so.conf.d/*.conf\n/usr/local/lib\n", NOT_WEB),
    ("anything\n", NOT_WEB),
    ("", EMPTY),
    ("# only\n   ; comments\n\n", EMPTY),
])
def test_judge(text, verdict):
    assert judge(text.encode(), True) == verdict


def test_a_head_of_comments_only_leaves_the_verdict_to_the_name():
    assert judge(b"# a long licence header\n" * 400, False) is None
    assert judge(b"Header set X y\n", True, prefer="apache") == "apache"
    assert judge(b"Header set X y\nadd_header X y;\n", True, prefer="apache") == "apache"


# stock server trees

def _no_input_errors(*args: str, cwd: Path | str | None = None) -> dict:
    done = corslint("--format", "json", *args, cwd=cwd)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report.get("errors", []) == [], report["errors"]
    return report


def _stock(folder: str) -> str:
    if not os.path.isdir(folder):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{folder} is missing (Debian's nginx and apache2 are installed on CI)", pytrace=False)
        pytest.skip(f"{folder} is not installed here (apt-get install nginx apache2)")
    return folder + "/"


@pytest.mark.parametrize("folder", ["/etc/nginx", "/etc/apache2"])
def test_debian_stock_trees_lint_with_no_input_error(folder):
    report = _no_input_errors(_stock(folder))
    reasons = skipped(report)
    assert not any(reason == NOT_WEB for reason in reasons.values()), reasons
    if folder == "/etc/apache2":
        # mods-available/*.conf are Apache's: read as Apache (they were nginx input errors)
        assert not any(path.startswith("/etc/apache2/mods-available/dir.conf") for path in reasons), reasons


RHEL_HTTPD = {
    "conf/httpd.conf": """\
        # The main server configuration, in the layout Red Hat documents
        ServerRoot "/etc/httpd"
        Listen 80
        Include conf.modules.d/*.conf
        User apache
        Group apache
        ServerAdmin root@localhost

        <Directory />
            AllowOverride none
            Require all denied
        </Directory>

        DocumentRoot "/var/www/html"
        <Directory "/var/www/html">
            Options Indexes FollowSymLinks
            AllowOverride None
            Require all granted
        </Directory>

        <IfModule dir_module>
            DirectoryIndex index.html
        </IfModule>

        <Files ".ht*">
            Require all denied
        </Files>

        ErrorLog "logs/error_log"
        LogLevel warn
        <IfModule log_config_module>
            LogFormat "%h %l %u %t \\"%r\\" %>s %b" common
            CustomLog "logs/access_log" common
        </IfModule>

        <IfModule mime_module>
            TypesConfig /etc/mime.types
            AddType application/x-gzip .gz .tgz
        </IfModule>

        AddDefaultCharset UTF-8
        EnableSendfile on
        IncludeOptional conf.d/*.conf
        """,
    "conf.modules.d/00-base.conf": """\
        # The modules every site loads
        LoadModule alias_module modules/mod_alias.so
        LoadModule authz_core_module modules/mod_authz_core.so
        LoadModule autoindex_module modules/mod_autoindex.so
        LoadModule dir_module modules/mod_dir.so
        LoadModule headers_module modules/mod_headers.so
        LoadModule log_config_module modules/mod_log_config.so
        LoadModule mime_module modules/mod_mime.so
        LoadModule unixd_module modules/mod_unixd.so
        LoadModule userdir_module modules/mod_userdir.so
        """,
    "conf.d/welcome.conf": """\
        # The test page for a root URL without an index page
        <LocationMatch "^/+$">
            Options -Indexes
            ErrorDocument 403 /.noindex.html
        </LocationMatch>

        <Directory /usr/share/httpd/noindex>
            AllowOverride None
            Require all granted
        </Directory>

        Alias /.noindex.html /usr/share/httpd/noindex/index.html
        """,
    "conf.d/autoindex.conf": """\
        # Directory listings and their icons
        IndexOptions FancyIndexing HTMLTable VersionSort
        Alias /icons/ "/usr/share/httpd/icons/"

        <Directory "/usr/share/httpd/icons">
            Options Indexes MultiViews FollowSymlinks
            AllowOverride None
            Require all granted
        </Directory>

        AddIconByType (TXT,/icons/text.gif) text/*
        DefaultIcon /icons/unknown.gif
        ReadmeName README.html
        HeaderName HEADER.html
        """,
    "conf.d/userdir.conf": """\
        # Per-user folders (~user): off unless enabled here
        <IfModule mod_userdir.c>
            UserDir disabled
        </IfModule>

        <Directory "/home/*/public_html">
            AllowOverride FileInfo AuthConfig Limit Indexes
            Options MultiViews Indexes SymLinksIfOwnerMatch IncludesNoExec
            Require method GET POST OPTIONS
        </Directory>
        """,
    "conf.d/README": """\
        This folder holds configuration files for the Apache HTTP Server; files
        whose names end in ".conf" are read as httpd configuration, in order.
        """,
}


def test_a_red_hat_httpd_tree_lints_with_no_input_error(tmp_path):
    for name, text in RHEL_HTTPD.items():
        write(tmp_path / "etc/httpd" / name, textwrap.dedent(text))
    report = _no_input_errors("etc/httpd/", cwd=tmp_path)
    reasons = skipped(report)
    assert reasons.get("etc/httpd/conf.d/README") == NOT_WEB, reasons
    assert not any(reason == NOT_WEB for path, reason in reasons.items() if path.endswith(".conf")), reasons
    _no_input_errors("etc/httpd/conf/httpd.conf", cwd=tmp_path)
