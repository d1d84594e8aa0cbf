"""Templates (issue 14 item 4): rendered with their expressions unknown,
each branch considered, linted as the file they render to, never silently
skipped.  Each test builds a layout in a tmp folder and runs `corslint`
there with no flags, as a user would."""

from __future__ import annotations

import json
import textwrap

from support import corslint, write


def _write(root, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


ROLE = {
    "roles/web/tasks/main.yml": "- template: {src: site.conf.j2, dest: /etc/nginx/sites-enabled/site}\n",
    "roles/web/templates/site.conf.j2": """\
        {# managed by Ansible #}
        server {
            listen {{ http_port }};
            server_name {{ inventory_hostname }};
        {% for upstream in backends %}
            location /{{ upstream.name }}/ {
                proxy_pass http://{{ upstream.host }};
            }
        {% endfor %}
            location /api/ {
        {% if cors_mode == 'open' %}
                add_header Access-Control-Allow-Origin $http_origin always;
                add_header Access-Control-Allow-Credentials true always;
        {% else %}
                add_header Access-Control-Allow-Origin "{{ cors_origin }}" always;
                add_header Vary Origin always;
        {% endif %}
                proxy_pass http://127.0.0.1:8000;
            }
        }
        """,
}


def test_ansible_role_finds_the_problem_in_an_if_branch_and_names_the_branch(tmp_path):
    _write(tmp_path, ROLE)
    result = corslint("roles/web/", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    line = next(l for l in result.stdout.splitlines() if "CORS202" in l)
    assert line.startswith("roles/web/templates/site.conf.j2:12: CORS202")   # the template's own line
    assert "(template: when the `{% if cors_mode == 'open' %}` at line 11 holds)" in line
    assert "skipped" not in result.stdout


def test_unknown_expression_allow_origin_is_unknown_not_a_literal_fp(tmp_path):
    """`{{ cors_origin }}` may be any origin: no "invalid Allow-Origin" (CORS207) and no reflection finding."""
    _write(tmp_path, {"templates/api.conf.j2": """\
        server {
            listen 80;
            location / {
                add_header Access-Control-Allow-Origin "{{ cors_origin }}" always;
                add_header Vary Origin always;
                return 200;
            }
        }
        """})
    result = corslint("templates/api.conf.j2", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["findings"] == [] and report["errors"] == []


def test_jinja_include_resolves_in_the_templates_folder_and_reports_the_included_lines(tmp_path):
    _write(tmp_path, {
        "templates/nginx/proxy.conf.j2": """\
            server {
              listen 80;
              location / {
                {% include "cors.conf.j2" %}
                proxy_pass http://127.0.0.1:{{ port }};
              }
            }
            """,
        "templates/nginx/cors.conf.j2": """\
            add_header 'Access-Control-Allow-Origin' "$http_origin";
            add_header 'Access-Control-Allow-Credentials' 'true';
            """})
    result = corslint("templates/nginx/proxy.conf.j2", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "templates/nginx/cors.conf.j2:1: CORS202" in result.stdout


def test_puppet_erb_vhost_apache(tmp_path):
    _write(tmp_path, {"modules/site/templates/vhost.conf.erb": """\
        <%# Puppet-managed %>
        <VirtualHost *:<%= @port %>>
            ServerName <%= @servername %>
        <% if @cors_enabled -%>
            Header always set Access-Control-Allow-Origin "*"
            Header always set Access-Control-Allow-Credentials "true"
        <% end -%>
        <% @aliases.each do |a| -%>
            ServerAlias <%= a %>
        <% end -%>
        </VirtualHost>
        """})
    result = corslint("modules/", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "modules/site/templates/vhost.conf.erb:5: CORS201" in result.stdout
    assert "(template: when the `<% if @cors_enabled -%>` at line 4 holds)" in result.stdout


def test_helm_chart_ingress_annotations(tmp_path):
    _write(tmp_path, {
        "chart/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
        "chart/values.yaml": "ingress:\n  host: app.example.com\n",
        "chart/templates/_helpers.tpl": """\
            {{/* CORS annotations */}}
            {{- define "app.cors" -}}
            nginx.ingress.kubernetes.io/enable-cors: "true"
            nginx.ingress.kubernetes.io/cors-allow-origin: "*"
            nginx.ingress.kubernetes.io/cors-allow-credentials: "true"
            {{- end }}
            """,
        "chart/templates/ingress.yaml": """\
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: {{ .Release.Name }}
              annotations:
                {{- include "app.cors" . | nindent 4 }}
                {{- with .Values.ingress.annotations }}
                {{- toYaml . | nindent 4 }}
                {{- end }}
            spec:
              rules:
                - host: {{ .Values.ingress.host | quote }}
                  http:
                    paths:
                      - path: /
                        pathType: Prefix
                        backend:
                          service: {name: app, port: {number: 80}}
            """})
    result = corslint("chart/", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "chart/templates/_helpers.tpl:4: CORS201" in result.stdout, result.stdout
    assert "input error" not in result.stdout + result.stderr


def test_helm_manifest_with_unknown_origin_is_not_flagged_fp(tmp_path):
    _write(tmp_path, {
        "chart/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
        "chart/templates/ingress.yaml": """\
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: app
              annotations:
                nginx.ingress.kubernetes.io/enable-cors: "true"
                nginx.ingress.kubernetes.io/cors-allow-origin: {{ .Values.origin | quote }}
                nginx.ingress.kubernetes.io/cors-allow-credentials: "true"
            spec:
              rules:
                - host: app.example.com
            """})
    result = corslint("chart/", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_terraform_templatefile(tmp_path):
    _write(tmp_path, {
        "infra/main.tf": """\
            resource "kubernetes_manifest" "ingress" {
              manifest = yamldecode(templatefile("${path.module}/templates/ingress.yaml.tpl", {
                origin = var.origin
              }))
            }
            """,
        "infra/templates/ingress.yaml.tpl": """\
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: ${name}
              annotations:
                nginx.ingress.kubernetes.io/enable-cors: "true"
            %{ if wide_open ~}
                nginx.ingress.kubernetes.io/cors-allow-origin: "*"
            %{ else ~}
                nginx.ingress.kubernetes.io/cors-allow-origin: "${origin}"
            %{ endif ~}
                nginx.ingress.kubernetes.io/cors-allow-credentials: "true"
            spec:
              rules:
                - host: app.example.com
            """})
    result = corslint("infra/main.tf", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "infra/templates/ingress.yaml.tpl:8: CORS201" in result.stdout
    assert "%{ if wide_open ~}" in result.stdout


def test_terraform_without_templatefile_is_not_noise_fp(tmp_path):
    _write(tmp_path, {"infra/main.tf": 'resource "null_resource" "x" {}\n'})
    result = corslint(".", cwd=tmp_path)
    assert result.returncode == 0 and "skipped" not in result.stdout, result.stdout + result.stderr


def test_envsubst_template_of_the_nginx_image(tmp_path):
    _write(tmp_path, {"nginx/templates/default.conf.template": """\
        server {
            listen ${NGINX_PORT};
            server_name ${SERVER_NAME};
            location /api/ {
                add_header Access-Control-Allow-Origin $http_origin always;
                add_header Access-Control-Allow-Credentials true always;
                proxy_pass ${BACKEND_URL};
            }
            location /public/ {
                add_header Access-Control-Allow-Origin "${FRONTEND_URL}" always;
                add_header Vary Origin always;
                return 200;
            }
        }
        """})
    result = corslint(".", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "nginx/templates/default.conf.template:5: CORS202" in out
    assert ":10:" not in out     # ${FRONTEND_URL} is unknown, not a literal


def test_broken_template_is_an_input_error_with_file_and_line_in_text_and_json(tmp_path):
    _write(tmp_path, {"templates/site.conf.j2": """\
        server {
          listen 80;
          {% for loc in locations %}
          location {{ loc }} {
            return 200;
          }
        }
        """})
    text = corslint("templates/site.conf.j2", cwd=tmp_path)
    assert text.returncode == 2
    assert "templates/site.conf.j2:3: template block `{% for loc in locations %}` is never closed" in text.stderr
    assert "No problems" not in text.stdout
    report = json.loads(corslint("templates/site.conf.j2", "--format", "json", cwd=tmp_path).stdout)
    assert [(e["path"], e["line"]) for e in report["errors"]] == [("templates/site.conf.j2", 3)]


def test_rendered_text_that_does_not_parse_is_an_input_error_at_the_template_line(tmp_path):
    _write(tmp_path, {"site.conf.j2": "server {\n  listen 80;\n{% if x %}\n  location / {\n{% endif %}\n}\n"})
    result = corslint("site.conf.j2", cwd=tmp_path)
    assert result.returncode == 2
    assert "site.conf.j2:" in result.stderr and "(in the rendered template)" in result.stderr


def test_unknown_jinja_statement_is_an_input_error(tmp_path):
    _write(tmp_path, {"site.conf.j2": "server {\n  {% frobnicate %}\n}\n"})
    result = corslint("site.conf.j2", cwd=tmp_path)
    assert result.returncode == 2 and "site.conf.j2:2: unknown Jinja statement 'frobnicate'" in result.stderr


def test_template_of_no_known_kind_with_cors_words_is_listed_as_skipped(tmp_path):
    _write(tmp_path, {"templates/readme.md.j2": "# CORS\nAccess-Control-Allow-Origin is {{ origin }}\n"})
    result = corslint(".", cwd=tmp_path)
    assert result.returncode == 0
    assert "templates/readme.md.j2: skipped: Jinja that renders to no configuration corslint reads" in result.stdout


def test_go_tpl_with_jinja_markup_is_read_as_jinja(tmp_path):
    """A `.tpl` is Jinja, Go or Terraform by its content (xisfor__ansible-provisioner's `default.tpl`)."""
    _write(tmp_path, {"default.tpl": """\
        server {
            listen 80;
            location / {
        {% if origin is defined %}
                add_header Access-Control-Allow-Origin * always;
                add_header Access-Control-Allow-Credentials true always;
        {% endif %}
                return 200;
            }
        }
        """})
    result = corslint("default.tpl", cwd=tmp_path)
    assert result.returncode == 1 and "default.tpl:5: CORS201" in result.stdout, result.stdout + result.stderr


def test_terraform_template_in_a_walk_is_linted_once(tmp_path):
    _write(tmp_path, {
        "infra/main.tf": 'locals {\n  m = templatefile("${path.module}/cors.yaml.tpl", {})\n}\n',
        "infra/cors.yaml.tpl": """\
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: ${name}
              annotations:
                nginx.ingress.kubernetes.io/enable-cors: "true"
                nginx.ingress.kubernetes.io/cors-allow-origin: "*"
                nginx.ingress.kubernetes.io/cors-allow-credentials: "true"
            spec:
              rules:
                - host: app.example.com
            """})
    result = corslint(".", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    found = [(f["path"], f["line"], f["code"]) for f in json.loads(result.stdout)["findings"]]
    assert found.count(("infra/cors.yaml.tpl", 7, "CORS201")) == 1, found


def test_jinja_include_outside_the_templates_folder_is_not_read(tmp_path):
    (tmp_path / "secret.conf").write_text("add_header Access-Control-Allow-Origin * always;\n")
    _write(tmp_path, {"role/templates/site.conf.j2": 'server {\n  {% include "../../secret.conf" %}\n}\n'})
    result = corslint("role/", cwd=tmp_path)
    assert result.returncode == 2
    assert "role/templates/site.conf.j2:2: include '../../secret.conf': not read" in result.stderr
    assert "CORS" not in result.stdout


def test_jinja_include_cycle_is_an_input_error_not_a_crash(tmp_path):
    _write(tmp_path, {"templates/a.conf.j2": 'server {\n{% include "a.conf.j2" %}\n}\n'})
    result = corslint("templates/a.conf.j2", cwd=tmp_path)
    assert result.returncode == 2 and "template includes nested deeper than 8" in result.stderr
    assert "Traceback" not in result.stderr


def test_deeply_nested_blocks_are_an_input_error(tmp_path):
    _write(tmp_path, {"site.conf.j2": "{% if a %}" * 150 + "\n" + "{% endif %}" * 150 + "\n"})
    result = corslint("site.conf.j2", cwd=tmp_path)
    assert result.returncode == 2 and "site.conf.j2:1: template blocks nested deeper than 100" in result.stderr


def test_go_template_consul_with_range_and_else(tmp_path):
    _write(tmp_path, {"cors.conf.ctmpl": """\
        {{/* consul-template */}}
        server {
            listen 80;
            location / {
        {{ range service "api" }}
                proxy_pass http://{{ .Address }}:{{ .Port }};
        {{ else }}
                add_header Access-Control-Allow-Origin "*" always;
                add_header Access-Control-Allow-Credentials "true" always;
                return 503;
        {{ end }}
            }
        }
        """})
    result = corslint("cors.conf.ctmpl", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cors.conf.ctmpl:8: CORS201" in result.stdout
    assert "(template: when the `{{ range service \"api\" }}` at line 5 has nothing to repeat)" in result.stdout


def test_finding_in_every_variant_has_no_branch_label(tmp_path):
    _write(tmp_path, {"templates/site.conf.j2": """\
        server {
            listen 80;
            location / {
                add_header Access-Control-Allow-Origin * always;
                add_header Access-Control-Allow-Credentials true always;
        {% if extra %}
                add_header X-Extra {{ extra }};
        {% endif %}
                return 200;
            }
        }
        """})
    result = corslint("templates/", cwd=tmp_path)
    assert result.returncode == 1 and "site.conf.j2:4: CORS201" in result.stdout
    assert "(template:" not in result.stdout


def test_template_suppression_comment_applies_at_the_template_line(tmp_path):
    _write(tmp_path, {"templates/site.conf.j2": """\
        server {
            listen {{ port }};
            location / {
                # corslint: ignore[CORS201] reviewed
                add_header Access-Control-Allow-Origin * always;
                add_header Access-Control-Allow-Credentials true always;
                return 200;
            }
        }
        """})
    result = corslint("templates/", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_chef_erb_without_a_telling_name_is_apache_by_its_rendered_content(tmp_path):
    _write(tmp_path, {"cookbooks/site/templates/default/apache.erb": """\
        <VirtualHost *:80>
            ServerName <%= node[:fqdn] %>
            SetEnvIf Origin "^https://<%= @domain %>$" ORIGIN_OK=$0
            Header always set Access-Control-Allow-Origin "*"
            Header always set Access-Control-Allow-Credentials "true"
        </VirtualHost>
        """})
    result = corslint("cookbooks/", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cookbooks/site/templates/default/apache.erb:4: CORS201" in result.stdout


def test_template_of_unrelated_text_in_a_walk_is_not_noise_fp(tmp_path):
    _write(tmp_path, {"roles/app/templates/app.service.j2": "[Service]\nExecStart=/usr/bin/app --port {{ port }}\n"})
    result = corslint(".", cwd=tmp_path)
    assert result.returncode == 0 and "skipped" not in result.stdout, result.stdout + result.stderr


def test_template_not_utf8_is_an_error_at_its_line(tmp_path):
    """A template with a byte that is not UTF-8 is an input error with
    file:line (the line of that byte), exit 2, never a traceback."""
    write(tmp_path / "site.conf.j2", b"server {\n    listen 80;\n    server_name \x80{{ name }};\n}\n")
    result = corslint("site.conf.j2", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "site.conf.j2:3: cannot read this template: not UTF-8" in result.stderr, result.stderr


def test_terraform_templatefile_not_read_is_a_notice_at_the_call(tmp_path):
    _write(tmp_path, {"infra/main.tf": """\
        resource "kubernetes_manifest" "a" {
          manifest = yamldecode(templatefile("${path.module}/templates/cors.tpl", {}))
        }

        resource "kubernetes_manifest" "b" {
          manifest = yamldecode(templatefile("${var.dir}/other.tpl", {}))
        }
        """})
    result = corslint("infra/main.tf", cwd=tmp_path)
    out = result.stdout
    assert "infra/main.tf:2: note: templatefile ${path.module}/templates/cors.tpl: not read: No such file" in out, out
    assert "infra/main.tf:6: note: templatefile ${var.dir}/other.tpl: not read: a path corslint cannot tell" in out
    assert "skipped: line" not in out and "in 1 file" in out and "0 files" not in out, out
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert corslint("infra/main.tf", "--strict", cwd=tmp_path).returncode == 2


def test_terraform_templatefile_read_gives_no_notice_fp(tmp_path):
    _write(tmp_path, {"infra/main.tf": 'locals {\n  m = templatefile("${path.module}/t.conf.tpl", {})\n}\n',
                      "infra/t.conf.tpl": """\
                          server {
                              listen 80;
                              location /fonts/ {
                                  add_header Access-Control-Allow-Origin *;
                                  root /var/www;
                              }
                          }
                          """})
    result = corslint("infra/main.tf", cwd=tmp_path)
    assert result.returncode == 0 and "note:" not in result.stdout and "skipped" not in result.stdout, result.stdout


def test_a_template_reached_twice_is_listed_as_skipped_once(tmp_path):
    """A template a walk meets and a `templatefile` call renders too is one
    skip line (field: kamilwronka/communicator-infra's KongPlugin template)."""
    _write(tmp_path, {"infra/main.tf": 'locals {\n  m = templatefile("${path.module}/templates/kong.tpl", {})\n}\n',
                      "infra/templates/kong.tpl": "kind: KongPlugin\nplugin: cors\nconfig:\n  origins: ${origins}\n"})
    result = corslint(".", cwd=tmp_path)
    assert result.stdout.count("kong.tpl: skipped") == 1, result.stdout
