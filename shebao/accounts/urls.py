from django.urls import URLPattern, URLResolver

app_name = "accounts"

# The account pages append their patterns here.
urlpatterns: list[URLPattern | URLResolver] = []
