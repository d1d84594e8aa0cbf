"""Ansible roles: the template/copy tasks of a role wire its templates into
the server (`corslint.deploy.ansible`), as docker-compose files and
Dockerfiles do.

Each role is a small repository built in a temporary folder and linted as a
user would, from the repository's root with no flags: the role's folder,
the whole repository, or the site template by name.  The unit tests below
pin the mappings the task reader produces.
"""

from __future__ import annotations

import re

from corslint.deploy.ansible import read_role, roots

from support import corslint, write

#: a site template using `{{ }}`, `{% for %}` and `{% if %}`; both locations include the deployed snippet
SITE = ("# {{ ansible_managed }}\n"
        "server {\n"
        "    listen 80;\n"
        "    server_name {% for name in server_names %}{{ name }} {% endfor %};\n"
        "    location /api/ {\n"
        "        include snippets/cors.conf;\n"
        "        return 200 \"ok\";\n"
        "    }\n"
        "{% if with_admin %}\n"
        "    location /admin/ {\n"
        "        include snippets/cors.conf;\n"
        "        return 200 \"admin\";\n"
        "    }\n"
        "{% endif %}\n"
        "}\n")
#: `*` with credentials at line 1
BAD_SNIPPET = ("add_header Access-Control-Allow-Origin * always;\n"
               "add_header Access-Control-Allow-Credentials true always;\n")
GOOD_SNIPPET = "add_header Access-Control-Allow-Origin https://app.example.com always;\nadd_header Vary Origin always;\n"
TASKS = ("---\n"
         "- name: Install nginx\n"
         "  apt:\n"
         "    name: nginx\n"
         "- name: CORS snippet\n"
         "  ansible.builtin.template:\n"
         "    src: cors.conf.j2\n"
         "    dest: /etc/nginx/snippets/cors.conf\n"
         "- name: Site\n"
         "  template: src=site.conf.j2 dest=/etc/nginx/sites-enabled/{{ site_name }}\n"
         "  notify: reload nginx\n")
FINDING = re.compile(r"^(\S+):(\d+): (CORS\d+) ", re.MULTILINE)


def role(folder, snippet: str = BAD_SNIPPET, tasks: str = TASKS) -> None:
    write(folder / "tasks" / "main.yml", tasks)
    write(folder / "templates" / "site.conf.j2", SITE)
    write(folder / "templates" / "cors.conf.j2", snippet)


def findings(result) -> list[tuple[str, int, str]]:
    return [(p, int(n), c) for p, n, c in FINDING.findall(result.stdout)]


def test_role_folder_reads_snippet_through_deployed_include(tmp_path):
    role(tmp_path / "roles" / "nginx")
    result = corslint("roles/nginx/", cwd=tmp_path)
    assert findings(result).count(("roles/nginx/templates/cors.conf.j2", 1, "CORS201")) == 1, result.stdout
    assert "no such file" not in result.stdout, result.stdout
    assert "/etc/nginx/snippets/cors.conf -> roles/nginx/templates/cors.conf.j2 (roles/nginx/tasks/main.yml:6)" \
        in result.stdout, result.stdout
    assert result.returncode == 1


def test_repository_with_roles_is_linted_from_its_root(tmp_path):
    role(tmp_path / "roles" / "nginx")
    write(tmp_path / "site.yml", "- hosts: web\n  roles:\n    - nginx\n")
    result = corslint(".", cwd=tmp_path)
    assert findings(result).count(("roles/nginx/templates/cors.conf.j2", 1, "CORS201")) == 1, result.stdout
    assert result.returncode == 1


def test_naming_the_site_template_reads_the_role_mappings(tmp_path):
    role(tmp_path / "roles" / "nginx")
    result = corslint("roles/nginx/templates/site.conf.j2", cwd=tmp_path)
    assert findings(result) == [("roles/nginx/templates/cors.conf.j2", 1, "CORS201")], result.stdout
    assert "1 file" not in result.stdout     # the snippet was read through the include


#: a snippet template: `*` at line 2, credentials inside `{% if %}` (line 4), a header from `{{ }}`
JINJA_SNIPPET = ("{# managed by ansible #}\n"
                 "add_header Access-Control-Allow-Origin * always;\n"
                 "{% if cors_credentials %}\n"
                 "add_header Access-Control-Allow-Credentials true always;\n"
                 "{% endif %}\n"
                 "add_header X-Served-By {{ inventory_hostname }} always;\n")


def test_included_snippet_template_is_rendered_in_its_includer(tmp_path):
    """The snippet is a Jinja template itself: read through the include it
    is rendered (not parsed as nginx text with `{{`), its line numbers kept."""
    role(tmp_path / "roles" / "nginx", snippet=JINJA_SNIPPET)
    result = corslint("roles/nginx/", cwd=tmp_path)
    assert findings(result) == [("roles/nginx/templates/cors.conf.j2", 2, "CORS201")], result.stdout + result.stderr
    assert "in 2 files" in result.stdout, result.stdout     # the site and its snippet, each counted once


def test_included_snippet_template_without_credentials_is_quiet_fp(tmp_path):
    role(tmp_path / "roles" / "nginx", snippet=JINJA_SNIPPET.replace(" * ", " https://app.example.com "))
    result = corslint("roles/nginx/", cwd=tmp_path)
    assert findings(result) == [] and result.returncode == 0, result.stdout + result.stderr


def test_site_template_without_a_role_does_not_find_the_snippet(tmp_path):
    """The same template outside a role: nothing says where the include
    lands, and the user is told so (no silent pass)."""
    write(tmp_path / "templates" / "site.conf.j2", SITE)
    write(tmp_path / "templates" / "cors.conf.j2", BAD_SNIPPET)
    result = corslint("templates/site.conf.j2", cwd=tmp_path)
    assert "include snippets/cors.conf: not read" in result.stdout, result.stdout


def test_role_with_a_good_snippet_stays_quiet_fp(tmp_path):
    role(tmp_path / "roles" / "nginx", snippet=GOOD_SNIPPET)
    result = corslint("roles/nginx/", cwd=tmp_path)
    assert findings(result) == [], result.stdout
    assert result.returncode == 0, result.stdout


def test_role_deploying_nothing_web_related_stays_quiet_fp(tmp_path):
    folder = tmp_path / "roles" / "app"
    write(folder / "tasks" / "main.yml", "- template:\n    src: app.ini.j2\n    dest: /opt/app/app.ini\n"
                                         "- copy: src=motd dest=/etc/motd\n")
    write(folder / "templates" / "app.ini.j2", "[app]\nname = {{ app_name }}\n")
    write(folder / "files" / "motd", "hello\n")
    result = corslint(".", cwd=tmp_path)
    assert findings(result) == [] and "note" not in result.stdout, result.stdout
    assert result.returncode == 0, result.stdout


# --- the task reader --------------------------------------------------------

def test_read_role_forms_loops_and_unknown_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "r"
    write(folder / "templates" / "a.conf.j2", "")
    write(folder / "templates" / "b.conf.j2", "")
    write(folder / "templates" / "site.j2", "")
    write(folder / "files" / "nginx.conf", "")
    write(folder / "tasks" / "main.yml",
          "- block:\n"
          "    - template:\n"
          "        src: '{{ item }}.conf.j2'\n"
          "        dest: /etc/nginx/conf.d/{{ item }}.conf\n"
          "      loop: [a, b]\n"
          "- ansible.builtin.copy: src=nginx.conf dest=/etc/nginx/\n"
          "- template:\n"
          "    src: site.j2\n"
          "    dest: /etc/nginx/sites-available/{{ name }}.conf\n"
          "- template:\n"
          "    src: site.j2\n"
          "    dest: /etc/{{ server }}/site.conf\n"
          "- template:\n"
          "    src: '{{ item }}'\n"
          "    dest: /etc/nginx/conf.d/{{ item }}\n"
          "  loop: '{{ sites }}'\n")
    mappings, notices, read = read_role(str(folder))
    got = {m.target: (m.source, m.origin) for m in mappings}
    assert got["/etc/nginx/conf.d/a.conf"] == (str(folder / "templates" / "a.conf.j2"), "r/tasks/main.yml:2")
    assert "/etc/nginx/conf.d/b.conf" in got
    assert got["/etc/nginx/nginx.conf"][0] == str(folder / "files" / "nginx.conf")
    site = got["/etc/nginx/sites-available/site"]
    assert "named '{{ name }}.conf' there (unknown: taken as site)" in site[1]
    assert [(n.line, n.message) for n in notices] == \
        [(13, "the loop's items are not a literal list: the files this task deploys are unknown")]
    assert read == [str(folder / "tasks" / "main.yml")]
    assert roots(mappings) == {str(folder / "templates" / "a.conf.j2"): "nginx",
                               str(folder / "templates" / "b.conf.j2"): "nginx",
                               str(folder / "files" / "nginx.conf"): "nginx",
                               str(folder / "templates" / "site.j2"): "nginx"}


def test_read_role_survives_tasks_that_are_not_yaml(tmp_path):
    folder = tmp_path / "r"
    write(folder / "templates" / "x.j2", "")
    write(folder / "tasks" / "main.yml", "- template: [unclosed\n")
    assert read_role(str(folder))[0] == []


def test_read_role_bounds_what_it_expands(tmp_path, monkeypatch):
    import corslint.deploy.ansible as ansible

    monkeypatch.setattr(ansible, "MAX_DEPLOYED", 5)
    folder = tmp_path / "r"
    write(folder / "templates" / "x.j2", "")
    items = ", ".join(f"s{i}" for i in range(50))
    write(folder / "tasks" / "main.yml", f"- template:\n    src: x.j2\n    dest: /etc/nginx/conf.d/{{{{ item }}}}.conf\n"
                                         f"  loop: [{items}]\n")
    mappings, notices, _read = read_role(str(folder))
    assert len(mappings) == 5
    assert notices and "the rest of the role's tasks are not read" in notices[0].message
