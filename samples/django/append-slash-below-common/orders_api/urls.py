from django.urls import include, path, re_path

from . import views

urlpatterns = [
    path("api/items/", views.items),
    path("api/orders/", include([
        path("<int:pk>/", views.items),
    ])),
    re_path(r"^api/legacy/(?P<slug>[-\w]+)/$", views.items),
]
