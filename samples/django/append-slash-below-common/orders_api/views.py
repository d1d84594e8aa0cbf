from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def items(request, *args, **kwargs):
    return HttpResponse("[]", content_type="application/json")
