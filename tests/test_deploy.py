"""Deployment discovery: docker-compose files and Dockerfiles wire the
repository's server configuration into the run.

Each layout is a small repository built in a temporary folder, linted as a
user would: `corslint docker-compose.yml`, `corslint Dockerfile` or
`corslint .`, from the repository's root with no flags.  The unit tests
below them pin the mappings the readers produce (`corslint.deploy`).
"""

from __future__ import annotations

import json
import os

import pytest

from corslint.deploy import deploy_kind, discover
from corslint.mapping import translate

from support import corslint, write

REFLECT_WITH_CREDENTIALS = ("add_header Access-Control-Allow-Origin $http_origin always;\n"
                            "add_header Access-Control-Allow-Credentials true always;\n")
NGINX_CONF = "events {}\nhttp {\n    include conf.d/*.conf;\n}\n"
API_SITE = ("server {\n    listen 80;\n    server_name api.example.com;\n    location /api/ {\n"
            "        include snippets/cors.conf;\n        return 200 \"ok\";\n    }\n}\n")
#: a template of the official nginx image: `${SERVER_NAME}` is rendered by envsubst at start
TEMPLATE = ("server {\n    listen 80;\n    server_name ${SERVER_NAME};\n    location /api/ {\n"
            "        add_header Access-Control-Allow-Origin * always;\n"
            "        add_header Access-Control-Allow-Credentials true always;\n        return 200;\n    }\n}\n")
CLEAN_SITE = ("server {\n    listen 80;\n    server_name static.example.com;\n    location /fonts/ {\n"
              "        add_header Access-Control-Allow-Origin *;\n        root /var/www;\n    }\n}\n")


def nginx_tree(folder, site: str = API_SITE) -> None:
    """An /etc/nginx-style tree: nginx.conf, conf.d/api.conf and a snippet that
    reflects any origin with credentials (line 1)."""
    write(folder / "nginx.conf", NGINX_CONF)
    write(folder / "conf.d" / "api.conf", site)
    write(folder / "snippets" / "cors.conf", REFLECT_WITH_CREDENTIALS)


def codes(result) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["code"]) for f in json.loads(result.stdout)["findings"]]


def notices(wiring) -> list[tuple[str, int | None, str]]:
    """(path, line, message) of what a discovery could not follow."""
    return [(n.path, n.line, n.message) for n in wiring.notices]


def lint_json(*args, cwd):
    return corslint(*args, "--format", "json", cwd=cwd)


# --- docker-compose ---------------------------------------------------------

def compose_project(tmp_path):
    write(tmp_path / "docker-compose.yml", "services:\n  web:\n    image: nginx:1.27\n    volumes:\n"
                                          "      - ./deploy/nginx:/etc/nginx:ro\n      - static:/var/www\n"
                                          "volumes:\n  static:\n")
    nginx_tree(tmp_path / "deploy" / "nginx")


def test_compose_mounting_nginx_folder_finds_snippet_problem(tmp_path):
    compose_project(tmp_path)
    result = lint_json("docker-compose.yml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert ("deploy/nginx/snippets/cors.conf", 1, "CORS202") in codes(result)


def test_compose_project_walked_finds_problem_and_reports_no_noise(tmp_path):
    compose_project(tmp_path)
    result = corslint(".", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "deploy/nginx/snippets/cors.conf:1: CORS202" in result.stdout
    assert "docker-compose.yml" not in result.stdout + result.stderr


def test_compose_mappings_translate_deployed_includes(tmp_path, monkeypatch):
    """`include /etc/nginx/conf.d/*.conf` reads the repository's folder once
    the readers translate absolute includes (the run's mappings)."""
    compose_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    wiring = discover([("docker-compose.yml", True, None)], None)
    source, used = translate("/etc/nginx/conf.d/*.conf", wiring.mappings)
    assert source == str(tmp_path / "deploy" / "nginx" / "conf.d" / "*.conf")
    assert used.origin == "docker-compose.yml:5"
    assert wiring.roots == {"deploy/nginx/nginx.conf": "nginx"}
    assert all(m.target != "/var/www" for m in wiring.mappings)     # a named volume is not the repository


def test_compose_file_mounts_into_conf_d_are_root_files(tmp_path):
    """Without the repository's nginx.conf, the image's own includes
    conf.d/*.conf: each mounted file there is linted."""
    write(tmp_path / "compose.yaml", "services:\n  proxy:\n    image: nginx\n    volumes:\n"
                                     "      - type: bind\n        source: ./site.conf\n"
                                     "        target: /etc/nginx/conf.d/default.conf\n")
    write(tmp_path / "site.conf", TEMPLATE.replace("${SERVER_NAME}", "api.example.com"))
    result = lint_json("compose.yaml", cwd=tmp_path)
    assert ("site.conf", 5, "CORS201") in codes(result)


def test_compose_clean_configuration_fp(tmp_path):
    write(tmp_path / "docker-compose.yml", "services:\n  web:\n    image: nginx\n    volumes:\n"
                                          "      - ./conf.d:/etc/nginx/conf.d:ro\n")
    write(tmp_path / "conf.d" / "static.conf", CLEAN_SITE)
    result = corslint("docker-compose.yml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No problems found in 1 file." in result.stdout


def test_compose_without_server_configuration_says_so(tmp_path):
    write(tmp_path / "docker-compose.yml", "services:\n  db:\n    image: postgres:16\n    volumes:\n"
                                          "      - pgdata:/var/lib/postgresql/data\n      - ./:/app\n"
                                          "volumes:\n  pgdata:\n")
    result = corslint("docker-compose.yml", cwd=tmp_path)
    assert result.returncode == 0
    assert "docker-compose.yml: note: wires no nginx or Apache configuration" in result.stdout


def test_compose_without_server_in_a_walk_is_quiet_fp(tmp_path):
    write(tmp_path / "docker-compose.yml", "services:\n  db:\n    image: postgres:16\n")
    write(tmp_path / "conf.d" / "static.conf", CLEAN_SITE)
    result = corslint(".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "skipped" not in result.stdout


def test_compose_variable_defaults_and_unknown_variables(tmp_path, monkeypatch):
    write(tmp_path / "docker-compose.yml",
          "services:\n  web:\n    image: nginx\n    volumes:\n"
          "      - ${NGINX_DIR:-./nginx}/conf.d:/etc/nginx/conf.d\n"
          "      - ${CERTS}:/etc/nginx/ssl\n")
    nginx_tree(tmp_path / "nginx")
    monkeypatch.chdir(tmp_path)
    wiring = discover([("docker-compose.yml", True, None)], None)
    assert [(m.target, m.source) for m in wiring.mappings] == [("/etc/nginx/conf.d",
                                                                 str(tmp_path / "nginx" / "conf.d"))]
    assert ("docker-compose.yml", 6, "service web: the mount ${CERTS}:/etc/nginx/ssl needs ${CERTS}, which "
                                     "this file gives no value: /etc/nginx/ssl is not mapped") in notices(wiring)


def test_compose_source_outside_the_repository_is_refused(tmp_path):
    outside = tmp_path / "outside"
    nginx_tree(outside / "nginx")
    repo = tmp_path / "repo"
    write(repo / "docker-compose.yml", "services:\n  web:\n    image: nginx\n    volumes:\n"
                                      "      - ../outside/nginx:/etc/nginx\n")
    result = corslint("docker-compose.yml", cwd=repo)
    assert result.returncode == 0
    assert ":5: note: service web: the mount ../outside/nginx:/etc/nginx: not read:" in result.stdout
    assert "outside the configuration root" in result.stdout
    assert "CORS202" not in result.stdout


def test_compose_link_out_of_a_mounted_folder_is_refused(tmp_path):
    secret = write(tmp_path / "outside" / "secret.conf", REFLECT_WITH_CREDENTIALS)
    repo = tmp_path / "repo"
    write(repo / "docker-compose.yml", "services:\n  web:\n    image: nginx\n    volumes:\n"
                                      "      - ./conf.d:/etc/nginx/conf.d\n")
    write(repo / "conf.d" / "static.conf", CLEAN_SITE)
    os.symlink(secret, repo / "conf.d" / "evil.conf")
    result = corslint("docker-compose.yml", cwd=repo)
    assert "conf.d/evil.conf: note: not read: its real path" in result.stdout
    assert "CORS202" not in result.stdout


def test_compose_yaml_error_is_an_input_error(tmp_path):
    write(tmp_path / "docker-compose.yml", "services:\n  web: [unclosed\n")
    result = corslint("docker-compose.yml", cwd=tmp_path)
    assert result.returncode == 2
    assert "docker-compose.yml:" in result.stderr and "YAML error" in result.stderr
    assert "Traceback" not in result.stderr


def test_compose_command_naming_configuration_is_said(tmp_path):
    write(tmp_path / "compose.yml", "services:\n  nginx:\n    image: example/nginx\n    volumes:\n"
                                   "      - ./nginx:/usr/src/docker-nginx/conf\n    command:\n"
                                   "      - default.conf\n")
    nginx_tree(tmp_path / "nginx")
    result = lint_json("compose.yml", cwd=tmp_path)
    assert ("nginx/snippets/cors.conf", 1, "CORS202") in codes(result)    # the folder's nginx.conf is the root
    notices = json.loads(result.stdout)["notices"]
    assert any("command names configuration files (default.conf)" in n["message"] for n in notices), notices


# --- the official nginx image's templates -----------------------------------

def test_compose_template_is_linted_as_conf_d_file(tmp_path, monkeypatch):
    write(tmp_path / "docker-compose.yml", "services:\n  web:\n    image: nginx:1.27\n    environment:\n"
                                          "      SERVER_NAME: api.example.com\n    volumes:\n"
                                          "      - ./nginx/templates:/etc/nginx/templates:ro\n")
    write(tmp_path / "nginx" / "templates" / "default.conf.template", TEMPLATE)
    result = lint_json("docker-compose.yml", cwd=tmp_path)
    assert ("nginx/templates/default.conf.template", 5, "CORS201") in codes(result)
    monkeypatch.chdir(tmp_path)
    wiring = discover([("docker-compose.yml", True, None)], None)
    rendered = translate("/etc/nginx/conf.d/default.conf", wiring.mappings)
    assert rendered[0] == str(tmp_path / "nginx" / "templates" / "default.conf.template")
    assert rendered[1].origin == "docker-compose.yml:7, rendered by the nginx image"


def test_template_variables_move_the_rendered_files(tmp_path, monkeypatch):
    write(tmp_path / "docker-compose.yml", "services:\n  web:\n    image: nginx\n    environment:\n"
                                          "      - NGINX_ENVSUBST_TEMPLATE_DIR=/tpl\n"
                                          "      - NGINX_ENVSUBST_TEMPLATE_SUFFIX=.tmpl\n    volumes:\n"
                                          "      - ./tpl:/tpl\n")
    write(tmp_path / "tpl" / "api.conf.tmpl", TEMPLATE)
    write(tmp_path / "tpl" / "notes.txt", "not a template")
    monkeypatch.chdir(tmp_path)
    wiring = discover([("docker-compose.yml", True, None)], None)
    assert translate("/etc/nginx/conf.d/api.conf", wiring.mappings)[0] == str(tmp_path / "tpl" / "api.conf.tmpl")
    assert list(wiring.roots) == ["tpl/api.conf.tmpl"]


def test_dockerfile_copying_a_template(tmp_path):
    write(tmp_path / "Dockerfile", "FROM nginx:alpine\nCOPY default.conf.template /etc/nginx/templates/\n")
    write(tmp_path / "default.conf.template", TEMPLATE)
    result = lint_json("Dockerfile", cwd=tmp_path)
    assert ("default.conf.template", 5, "CORS201") in codes(result)


# --- Dockerfile -------------------------------------------------------------

def test_dockerfile_copying_nginx_folder_finds_snippet_problem(tmp_path):
    write(tmp_path / "Dockerfile", "FROM nginx:alpine\nCOPY nginx/ /etc/nginx/\n")
    nginx_tree(tmp_path / "nginx")
    result = lint_json("Dockerfile", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert ("nginx/snippets/cors.conf", 1, "CORS202") in codes(result)


def test_dockerfile_walked_with_the_repository(tmp_path):
    write(tmp_path / "Dockerfile", "FROM nginx:alpine\nCOPY nginx/ /etc/nginx/\n")
    nginx_tree(tmp_path / "nginx")
    result = corslint(".", cwd=tmp_path)
    assert "nginx/snippets/cors.conf:1: CORS202" in result.stdout
    assert "Dockerfile" not in result.stdout + result.stderr



def test_a_projects_mappings_stay_with_its_files_fp(tmp_path):
    """Two projects walked together: one image copies its conf.d (a `map`,
    valid in http) to /etc/nginx/conf.d; the other project's nginx.conf includes
    /etc/nginx/conf.d/*.conf inside `server`.  On its own machine that
    include reads its own files, not the first project's: no "map is not
    allowed here", and the include is read under its own prefix (b/conf.d, absent: a notice)."""
    write(tmp_path / "a" / "nginx" / "Dockerfile", "FROM nginx:alpine\nCOPY conf.d /etc/nginx/conf.d\n")
    write(tmp_path / "a" / "nginx" / "conf.d" / "maps.conf",
          "map $http_origin $cors_origin {\n    default \"\";\n    \"https://app.example.com\" $http_origin;\n}\n")
    write(tmp_path / "b" / "nginx.conf", "events {}\nhttp {\n    server {\n        listen 80;\n"
                                         "        include /etc/nginx/conf.d/*.conf;\n        location /fonts/ {\n"
                                         "            add_header Access-Control-Allow-Origin *;\n"
                                         "            root /var/www;\n        }\n    }\n}\n")
    result = lint_json(".", cwd=tmp_path)
    report = json.loads(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert report["errors"] == []
    assert [(n["path"], n["line"]) for n in report["notices"] if "b/conf.d" in n["message"]] == [("b/nginx.conf", 5)]


def test_a_mount_outside_the_compose_folder_still_reaches_its_files(tmp_path):
    """The scope of a compose file's mounts is its folder and what it
    mounts: `../nginx` from `docker/` is read with the mounts beside it."""
    write(tmp_path / "docker" / "docker-compose.yml", "services:\n  web:\n    image: nginx:1.27\n    volumes:\n"
                                                      "      - ../nginx:/etc/nginx:ro\n"
                                                      "      - ../snippets:/etc/nginx/snippets:ro\n")
    write(tmp_path / "nginx" / "nginx.conf", NGINX_CONF)
    write(tmp_path / "nginx" / "conf.d" / "api.conf", API_SITE.replace("snippets/cors.conf", "/etc/nginx/snippets/cors.conf"))
    write(tmp_path / "snippets" / "cors.conf", REFLECT_WITH_CREDENTIALS)
    result = lint_json(".", cwd=tmp_path)
    assert ("snippets/cors.conf", 1, "CORS202") in codes(result), result.stdout + result.stderr

def test_dockerfile_clean_configuration_fp(tmp_path):
    write(tmp_path / "Dockerfile", "FROM nginx\nRUN rm /etc/nginx/conf.d/default.conf\n"
                                   "COPY static.conf /etc/nginx/conf.d\n")
    write(tmp_path / "static.conf", CLEAN_SITE)
    result = corslint("Dockerfile", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No problems found in 1 file." in result.stdout


def test_dockerfile_run_sed_is_a_visible_notice(tmp_path):
    write(tmp_path / "Dockerfile", "FROM php:8.0-apache\nRUN a2enmod headers \\\n"
                                   "    && sed -ri -e 's/(<\\/VirtualHost>)/Header set Access-Control-Allow-Origin "
                                   "\"*\"\\n\\1/g' /etc/apache2/sites-available/*.conf\n")
    result = corslint("Dockerfile", cwd=tmp_path)
    assert result.returncode == 0
    assert ("Dockerfile:2: note: RUN sed writes /etc/apache2/sites-available/*.conf: corslint cannot read "
            "configuration a build step writes") in result.stdout
    sarif_or_json = json.loads(lint_json("Dockerfile", cwd=tmp_path).stdout)
    assert any("RUN sed writes" in n["message"] and n["line"] == 2 for n in sarif_or_json["notices"])


def test_dockerfile_echo_into_config_is_a_notice(tmp_path):
    write(tmp_path / "Dockerfile", "FROM nginx\nRUN echo 'add_header X 1;' > /etc/nginx/conf.d/x.conf\n"
                                   "RUN echo hi > /tmp/x\n")
    result = corslint("Dockerfile", cwd=tmp_path)
    assert ":2: note: RUN echo writes /etc/nginx/conf.d/x.conf" in result.stdout
    assert "/tmp/x" not in result.stdout


def test_dockerfile_source_outside_the_context_is_refused(tmp_path):
    nginx_tree(tmp_path / "nginx")
    write(tmp_path / "app" / "Dockerfile", "FROM nginx\nCOPY ../nginx/ /etc/nginx/\n")
    result = corslint("app/Dockerfile", cwd=tmp_path)
    assert "app/Dockerfile:2: note: COPY to /etc/nginx: not read:" in result.stdout
    assert "outside the build context" in result.stdout
    assert "CORS202" not in result.stdout


def test_dockerfile_built_by_compose_uses_its_context_and_args(tmp_path, monkeypatch):
    write(tmp_path / "docker-compose.yml", "services:\n  nginx:\n    build:\n      context: ./\n"
                                          "      dockerfile: ./docker/nginx/Dockerfile\n      args:\n"
                                          "        APP_ENV: dev\n")
    write(tmp_path / "docker" / "nginx" / "Dockerfile",
          "FROM nginx:alpine\nARG APP_ENV=prod\nCOPY ./docker/nginx/snippets/ /etc/nginx/snippets\n"
          "COPY ./docker/nginx/conf.d/site.${APP_ENV}.conf /etc/nginx/conf.d/default.conf\n")
    write(tmp_path / "docker" / "nginx" / "conf.d" / "site.dev.conf", API_SITE)
    write(tmp_path / "docker" / "nginx" / "conf.d" / "site.prod.conf", CLEAN_SITE)
    write(tmp_path / "docker" / "nginx" / "snippets" / "cors.conf", REFLECT_WITH_CREDENTIALS)
    monkeypatch.chdir(tmp_path)
    wiring = discover([("docker/nginx/Dockerfile", True, None)], None)
    assert list(wiring.roots) == ["docker/nginx/conf.d/site.dev.conf"]
    assert translate("/etc/nginx/snippets/cors.conf", wiring.mappings)[1].origin == "docker/nginx/Dockerfile:3"


# --- the Dockerfile reader, unit by unit ------------------------------------

def wired(tmp_path, monkeypatch, dockerfile: str, files: dict[str, str]):
    write(tmp_path / "Dockerfile", dockerfile)
    for name, text in files.items():
        write(tmp_path / name, text)
    monkeypatch.chdir(tmp_path)
    wiring = discover([("Dockerfile", True, None)], None)
    return {m.target: os.path.relpath(m.source, tmp_path) for m in wiring.mappings}, wiring


def test_dockerfile_flags_json_form_several_sources_and_workdir(tmp_path, monkeypatch):
    maps, _ = wired(tmp_path, monkeypatch,
                    "# escape=\\\nFROM nginx\nWORKDIR /etc\nCOPY --chown=nginx:nginx --chmod=644 --link \\\n"
                    "    # a comment inside the instruction\n    a.conf b.conf nginx/conf.d/\n"
                    "ADD [\"c.conf\", \"/etc/nginx/snippets/\"]\nWORKDIR nginx\nCOPY d.conf sites-enabled/d\n",
                    {"a.conf": "", "b.conf": "", "c.conf": "", "d.conf": ""})
    assert maps == {"/etc/nginx/conf.d/a.conf": "a.conf", "/etc/nginx/conf.d/b.conf": "b.conf",
                    "/etc/nginx/snippets/c.conf": "c.conf", "/etc/nginx/sites-enabled/d": "d.conf"}


def test_dockerfile_final_stage_only_and_copy_from_ignored(tmp_path, monkeypatch):
    maps, _ = wired(tmp_path, monkeypatch,
                    "FROM node AS build\nCOPY builder.conf /etc/nginx/conf.d/\n"
                    "FROM nginx AS base\nCOPY base.conf /etc/nginx/conf.d/\n"
                    "FROM base\nCOPY --from=build /app/dist /usr/share/nginx/html\n"
                    "ENV DIR=/etc/nginx\nARG SITE\nCOPY site.conf ${DIR}/conf.d/\n",
                    {"builder.conf": "", "base.conf": "", "site.conf": ""})
    assert maps == {"/etc/nginx/conf.d/base.conf": "base.conf", "/etc/nginx/conf.d/site.conf": "site.conf"}


def test_dockerfile_run_rm_removes_what_was_copied_before(tmp_path, monkeypatch):
    _, wiring = wired(tmp_path, monkeypatch,
                      "FROM nginx\nCOPY conf.d/ /etc/nginx/conf.d/\nRUN rm -f /etc/nginx/conf.d/old.conf\n"
                      "RUN rm -rf /etc/nginx/templates/*\nCOPY tpl/ /etc/nginx/templates/\n",
                      {"conf.d/old.conf": CLEAN_SITE, "conf.d/new.conf": CLEAN_SITE,
                       "tpl/default.conf.template": TEMPLATE})
    assert sorted(wiring.roots) == ["conf.d/new.conf", "tpl/default.conf.template"]


def test_dockerfile_cp_of_a_copied_file_maps_it(tmp_path, monkeypatch):
    maps, wiring = wired(tmp_path, monkeypatch,
                         "FROM nginx\nCOPY site.conf /tmp/\nRUN cp /tmp/site.conf /etc/nginx/conf.d/site.conf\n"
                         "RUN cp /usr/share/x.conf /etc/nginx/conf.d/\n",
                         {"site.conf": API_SITE})
    assert maps["/etc/nginx/conf.d/site.conf"] == "site.conf"
    assert any(line == 4 and "RUN cp into /etc/nginx/conf.d" in message for _path, line, message in notices(wiring))


def test_dockerfile_unknown_argument_is_said(tmp_path, monkeypatch):
    _, wiring = wired(tmp_path, monkeypatch, "FROM nginx\nARG ENV\nCOPY site.${ENV}.conf /etc/nginx/conf.d/\n", {})
    assert ("Dockerfile", 3, "the source site.${ENV}.conf needs ${ENV}, which this Dockerfile gives no value: "
                             "/etc/nginx/conf.d is not mapped") in notices(wiring)


def test_dockerfile_apache_vhost(tmp_path):
    write(tmp_path / "Dockerfile", "FROM httpd:2.4\nCOPY httpd.conf /usr/local/apache2/conf/httpd.conf\n")
    write(tmp_path / "httpd.conf", "<VirtualHost *:80>\n    ServerName api.example.com\n"
                                   "    Header always set Access-Control-Allow-Origin \"*\"\n"
                                   "    Header always set Access-Control-Allow-Credentials \"true\"\n"
                                   "</VirtualHost>\n")
    result = lint_json("Dockerfile", cwd=tmp_path)
    assert any(code == "CORS201" and path == "httpd.conf" for path, _line, code in codes(result)), result.stdout


@pytest.mark.parametrize("name, kind", [
    ("docker-compose.yml", "compose"), ("docker-compose.prod.yaml", "compose"), ("compose.yml", "compose"),
    ("compose.override.yaml", "compose"), ("Dockerfile", "dockerfile"), ("Dockerfile.nginx", "dockerfile"),
    ("web.dockerfile", "dockerfile"), ("values.yaml", None), ("composer.json", None), ("nginx.conf", None)])
def test_deploy_file_names(name, kind):
    assert deploy_kind(f"some/folder/{name}") == kind


def test_variables_defaults_alternatives_and_escapes():
    from corslint.deploy.variables import Unknown, substitute
    from corslint.expansion import Budget

    values = {"SET": "v", "EMPTY": ""}
    assert substitute("${SET:-d}/${EMPTY:-d}/${EMPTY-d}/${UNSET-d}", values, Budget()) == "v/d//d"
    assert substitute("${SET:+alt}${UNSET:+alt}/$SET/$$x", values, Budget(), escape=True) == "alt/v/$x"
    with pytest.raises(Unknown) as raised:
        substitute("./${UNSET}/conf", values, Budget())
    assert raised.value.name == "UNSET"


def test_compose_with_traefik_labels_stays_a_manifest(tmp_path):
    """A compose file whose labels configure Traefik's CORS middleware is
    linted as the platform manifest it also is."""
    write(tmp_path / "docker-compose.yml",
          "services:\n  api:\n    image: example/api\n    labels:\n"
          "      - traefik.http.middlewares.cors.headers.accesscontrolalloworiginlist=*\n"
          "      - traefik.http.middlewares.cors.headers.accesscontrolallowcredentials=true\n")
    result = corslint("docker-compose.yml", cwd=tmp_path)
    assert "docker-compose.yml:5: CORS202" in result.stdout, result.stdout
    assert "wires no nginx" not in result.stdout


def test_compose_mounting_traefik_dynamic_configuration(tmp_path):
    write(tmp_path / "docker-compose.yml", "services:\n  traefik:\n    image: traefik:v3\n    volumes:\n"
                                          "      - ./dynamic:/dynamic:ro\n")
    write(tmp_path / "dynamic" / "middlewares.yml",
          "http:\n  middlewares:\n    cors:\n      headers:\n        accessControlAllowOriginList:\n"
          "          - \"*\"\n        accessControlAllowCredentials: true\n")
    result = corslint("docker-compose.yml", cwd=tmp_path)
    assert "dynamic/middlewares.yml:6: CORS202" in result.stdout, result.stdout


def test_compose_fragment_in_a_subfolder_reads_sources_from_the_root(tmp_path):
    """A fragment meant for `docker compose -f docker-compose.yml -f
    nginx/docker-compose.nginx.yml` names its sources from the root."""
    write(tmp_path / "nginx" / "docker-compose.nginx.yml", "services:\n  nginx:\n    image: nginx\n"
                                                          "    volumes:\n      - ./nginx/conf.d:/etc/nginx/conf.d\n")
    write(tmp_path / "nginx" / "conf.d" / "api.conf", API_SITE.replace("include snippets/cors.conf;",
                                                                       REFLECT_WITH_CREDENTIALS))
    result = lint_json("nginx/docker-compose.nginx.yml", cwd=tmp_path)
    assert ("nginx/conf.d/api.conf", 5, "CORS202") in codes(result)


def test_dockerfile_glob_sources_and_forced_type_fp(tmp_path):
    write(tmp_path / "Dockerfile", "FROM nginx\nCOPY *.conf /etc/nginx/conf.d/\nCOPY ../* /etc/nginx/conf.d/\n")
    write(tmp_path / "static.conf", CLEAN_SITE)
    write(tmp_path / "fonts.conf", CLEAN_SITE.replace("static.example.com", "fonts.example.com"))
    result = corslint("Dockerfile", "--type", "yaml", cwd=tmp_path)
    assert "No problems found in 2 files" in result.stdout, result.stdout + result.stderr
    assert ":3: note: COPY to /etc/nginx/conf.d/*: not read:" in result.stdout


def test_compose_and_the_dockerfile_it_builds_named_together(tmp_path):
    write(tmp_path / "docker-compose.yml", "services:\n  web:\n    build: .\n    environment:\n      - SERVER_NAME\n")
    write(tmp_path / "Dockerfile", "FROM nginx:alpine\nCOPY nginx/ /etc/nginx/\n")
    nginx_tree(tmp_path / "nginx")
    result = lint_json("docker-compose.yml", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert codes(result) .count(("nginx/snippets/cors.conf", 1, "CORS202")) == 1


# --- deployed prefixes: relative and glob includes through the mappings ---

#: a location that includes a snippet by the path nginx resolves against its prefix (/etc/nginx)
PROXY_SITE = ("server {\n    listen 80;\n    location /api/ {\n        include sites-available/cors-options.conf;\n"
              "        return 200;\n    }\n}\n")


def test_copied_file_includes_relative_to_its_deployed_prefix(tmp_path):
    """default.conf COPYed to /etc/nginx/conf.d/ includes
    `sites-available/cors-options.conf`: nginx reads /etc/nginx/sites-available/,
    which the second COPY fills from the repository's root."""
    write(tmp_path / "Dockerfile", "FROM nginx\nCOPY default.conf /etc/nginx/conf.d/default.conf\n"
                                   "COPY cors-options.conf /etc/nginx/sites-available/cors-options.conf\n")
    write(tmp_path / "default.conf", PROXY_SITE)
    write(tmp_path / "cors-options.conf", REFLECT_WITH_CREDENTIALS)
    for args in (("Dockerfile",), (".",)):
        result = corslint(*args, cwd=tmp_path)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "cors-options.conf:1: CORS202" in result.stdout
        assert "not read" not in result.stdout
        assert ("includes read through the mapping /etc/nginx/sites-available/cors-options.conf -> "
                "cors-options.conf (Dockerfile:3)") in result.stdout


def test_copied_file_without_a_mapping_for_its_include_fp(tmp_path):
    """Without the COPY of the snippet, the container has no
    /etc/nginx/sites-available/cors-options.conf: the include stays a notice,
    and the repository's stray file is not read into default.conf."""
    write(tmp_path / "Dockerfile", "FROM nginx\nCOPY default.conf /etc/nginx/conf.d/default.conf\n")
    write(tmp_path / "default.conf", PROXY_SITE)
    write(tmp_path / "cors-options.conf", REFLECT_WITH_CREDENTIALS)
    result = corslint("Dockerfile", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "default.conf:4: note: include sites-available/cors-options.conf: not read: no such file" in result.stdout
    assert "CORS202" not in result.stdout


def test_rendered_template_includes_relative_to_the_image_prefix(tmp_path):
    """The nginx image renders templates/default.conf.template to
    /etc/nginx/conf.d/default.conf; its `include snippets/websocket.conf`
    names /etc/nginx/snippets/websocket.conf, mounted from nginx/conf.d/."""
    write(tmp_path / "docker-compose.yml", "services:\n  nginx:\n    image: nginx:mainline-alpine\n    volumes:\n"
                                          "    - ./nginx/default.conf.template:/etc/nginx/templates/default.conf.template\n"
                                          "    - ./nginx/conf.d/websocket.conf:/etc/nginx/snippets/websocket.conf:ro\n")
    write(tmp_path / "nginx" / "default.conf.template",
          "server {\n    listen ${PORT};\n    location / {\n        include snippets/websocket.conf;\n"
          "        return 200;\n    }\n}\n")
    write(tmp_path / "nginx" / "conf.d" / "websocket.conf", REFLECT_WITH_CREDENTIALS)
    result = lint_json("docker-compose.yml", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert ("nginx/conf.d/websocket.conf", 1, "CORS202") in codes(result)
    assert not json.loads(result.stdout).get("notices")


STORE_NGINX_CONF = ("events {}\nhttp {\n    map $http_origin $cors_origin {\n        default \"\";\n"
                    "        \"~.\" $http_origin;\n    }\n    include /etc/nginx/conf.d/*.conf;\n}\n")
STORE_TEMPLATE = ("server {\n    listen ${GATEWAY_PORT};\n    location /api/ {\n"
                  "        include /etc/nginx/snippets/cors.conf;\n        proxy_pass ${API_URL};\n    }\n}\n")
STORE_SNIPPET = ("add_header Access-Control-Allow-Origin $cors_origin always;\n"
                 "add_header Access-Control-Allow-Credentials true always;\n")


def store_gateway(tmp_path):
    """nginx.conf (with the map) COPYed to /etc/nginx/, the snippets and
    the image's templates/ folder beside it; conf.d/ is not in the repository."""
    write(tmp_path / "Dockerfile", "FROM nginx:alpine\nRUN rm -rf /etc/nginx/conf.d/* /etc/nginx/templates/*\n"
                                   "COPY nginx/nginx.conf /etc/nginx/nginx.conf\n"
                                   "COPY nginx/snippets/ /etc/nginx/snippets/\n"
                                   "COPY nginx/templates/ /etc/nginx/templates/\n")
    write(tmp_path / "nginx" / "nginx.conf", STORE_NGINX_CONF)
    write(tmp_path / "nginx" / "templates" / "default.conf.template", STORE_TEMPLATE)
    write(tmp_path / "nginx" / "snippets" / "cors.conf", STORE_SNIPPET)


def test_glob_include_matches_the_rendered_template(tmp_path):
    """nginx.conf's `include /etc/nginx/conf.d/*.conf` reads the rendered
    template (a single-file mapping into conf.d/), so the template and its
    snippet are judged in nginx.conf's http context, where the map that
    reflects any origin lives; the template is linted once, rendered."""
    store_gateway(tmp_path)
    result = lint_json(".", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    found = codes(result)
    assert ("nginx/snippets/cors.conf", 1, "CORS202") in found
    report = json.loads(result.stdout)
    assert report["files"] == 3     # nginx.conf, the template (once, in its includer's context), the snippet
    assert not report.get("notices") and not report["errors"]
    assert any(m["target"] == "/etc/nginx/conf.d/default.conf" and
               m["source"].endswith("nginx/templates/default.conf.template") for m in report["mappings"])


def test_glob_include_over_deployed_folder_other_folders_fp(tmp_path):
    """A single-file mapping outside the glob's folder (templates/ renders to
    conf.d/ only; a file COPYed to /etc/nginx/extra/) is not matched."""
    store_gateway(tmp_path)
    write(tmp_path / "Dockerfile", "FROM nginx:alpine\nRUN rm -rf /etc/nginx/conf.d/*\n"
                                   "COPY nginx/nginx.conf /etc/nginx/nginx.conf\n"
                                   "COPY nginx/snippets/ /etc/nginx/snippets/\n"
                                   "COPY nginx/templates/default.conf.template /etc/nginx/extra/default.conf\n")
    result = lint_json("Dockerfile", cwd=tmp_path)
    assert ("nginx/snippets/cors.conf", 1, "CORS202") not in codes(result)


def test_mapped_include_outside_the_prefix_folder_is_read(tmp_path):
    """The confinement is the current folder (the repository), not the
    folder mounted at /etc/nginx: a snippet mounted from elsewhere in the
    repository is read."""
    write(tmp_path / "docker-compose.yml", "services:\n  web:\n    image: nginx\n    volumes:\n"
                                          "      - ./deploy/nginx:/etc/nginx:ro\n"
                                          "      - ./shared/cors.conf:/etc/nginx/snippets/cors.conf:ro\n")
    write(tmp_path / "deploy" / "nginx" / "nginx.conf", NGINX_CONF)
    write(tmp_path / "deploy" / "nginx" / "conf.d" / "api.conf", API_SITE)
    write(tmp_path / "shared" / "cors.conf", REFLECT_WITH_CREDENTIALS)
    result = lint_json("docker-compose.yml", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert ("shared/cors.conf", 1, "CORS202") in codes(result)
    assert not json.loads(result.stdout).get("notices")


def test_glob_include_merges_folder_and_file_mappings(tmp_path):
    """`include conf.d/*.conf` of a mounted nginx folder reads the folder's
    files and a file mounted into conf.d/ from elsewhere; a mounted
    `.hidden.conf` is not matched (glob's `*` skips a leading dot), nor is
    a file mounted into another folder."""
    write(tmp_path / "docker-compose.yml", "services:\n  web:\n    image: nginx\n    volumes:\n"
                                          "      - ./nginx:/etc/nginx:ro\n"
                                          "      - ./extra/b.conf:/etc/nginx/conf.d/b.conf:ro\n"
                                          "      - ./extra/hidden.conf:/etc/nginx/conf.d/.hidden.conf:ro\n"
                                          "      - ./extra/other.conf:/etc/nginx/other/c.conf:ro\n")
    write(tmp_path / "nginx" / "nginx.conf", NGINX_CONF)
    write(tmp_path / "nginx" / "conf.d" / "a.conf", CLEAN_SITE)
    site = "server {\n    listen 80;\n    server_name %s.example.com;\n    location / {\n%s        return 200;\n    }\n}\n"
    for name in ("b", "hidden", "other"):
        write(tmp_path / "extra" / f"{name}.conf", site % (name, REFLECT_WITH_CREDENTIALS))
    result = lint_json("docker-compose.yml", cwd=tmp_path)
    found = codes(result)
    assert ("extra/b.conf", 5, "CORS202") in found
    assert all(path in ("extra/b.conf", "nginx/conf.d/a.conf") for path, _, _ in found), found


# --- hostile input ----------------------------------------------------------

def test_hostile_dockerfile_and_compose_stay_bounded(tmp_path):
    from support import time_limit

    doubling = "".join(f"ENV A{i}=${{A{i - 1}}}${{A{i - 1}}}\n" for i in range(1, 60))
    write(tmp_path / "Dockerfile", "FROM nginx\nENV A0=xxxxxxxx\n" + doubling +
          "COPY site.conf /etc/nginx/conf.d/${A59}.conf\n" + "RUN " + "x " * 200_000 + "/etc/nginx/x\n")
    write(tmp_path / "docker-compose.yml",
          "a: &a [x, x, x, x, x, x, x, x, x, x]\n" +
          "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                  for p, c in zip("abcdefgh", "bcdefghi")) + "services: {web: {image: nginx, volumes: [*i]}}\n")
    with time_limit(60):
        result = corslint("Dockerfile", "docker-compose.yml", cwd=tmp_path)
    assert "needs ${A" in result.stdout and "not mapped" in result.stdout
    assert "a RUN step of" in result.stdout
    assert "docker-compose.yml:" in result.stderr and "alias" in result.stderr
    assert result.returncode == 2 and "Traceback" not in result.stderr
