"""apps/django/urls.py: ROOT_URLCONF read statically, and what stays unknown.

Real Django decides the same paths in tests/live/test_django_live.py
(samples/django/append-slash-*); these cases cover the reader's limits."""

from __future__ import annotations

from corslint.apps.django.urls import read_urlconf, route_regex


def project(tmp_path, urls: str, extra: dict[str, str] | None = None) -> str:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "settings.py").write_text('ROOT_URLCONF = "site.urls"\n')
    (tmp_path / "site" / "urls.py").write_text(urls)
    for name, text in (extra or {}).items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return str(tmp_path / "site" / "settings.py")


def test_route_converters_become_djangos_regexes():
    assert route_regex("items/<int:pk>/", True) == r"^items/(?P<pk>[0-9]+)/\Z"
    assert route_regex("api/", False) == "^api/"
    assert route_regex("x/<custom:v>/", True) is None     # a converter registered elsewhere


def test_includes_and_slashes(tmp_path):
    settings = project(tmp_path, 'from django.urls import include, path\n'
                                 'urlpatterns = [path("api/", include("app.urls"))]\n'
                                 'urlpatterns += [path("health", v)]\n',
                       {"app/urls.py": 'urlpatterns = [path("items/<int:pk>/", v)]\n'})
    conf = read_urlconf(settings, str(tmp_path), "site.urls")
    assert conf.resolves("/api/items/3/") is True
    assert conf.resolves("/api/items/3") is False
    assert conf.resolves("/health") is True
    assert conf.resolves("/nothing") is False


def test_unknown_entries_leave_unmatched_paths_unknown(tmp_path):
    settings = project(tmp_path, 'urlpatterns = [path("a/", v)] + static(settings.MEDIA_URL)\n'
                                 'urlpatterns += router.urls\n')
    conf = read_urlconf(settings, str(tmp_path), "site.urls")
    assert conf.resolves("/a/") is True
    assert conf.resolves("/media/x") is None


def test_missing_module_and_outside_root(tmp_path):
    settings = project(tmp_path, 'urlpatterns = [path("a/", include("gone.urls"))]\n')
    assert read_urlconf(settings, str(tmp_path), "site.urls").resolves("/a/x") is None
    assert read_urlconf(settings, str(tmp_path / "site"), "nope.urls") is None


def test_hostile_urlconf_is_bounded(tmp_path):
    chain = " + ".join(["[]"] * 5000)
    settings = project(tmp_path, f"urlpatterns = {chain}\n")
    assert read_urlconf(settings, str(tmp_path), "site.urls") is None     # unknown: no crash, no hang
