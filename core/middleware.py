"""Language selection: Chinese by default, English (or another language) only when the user picks it."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class PreferredLanguageMiddleware:
    """Activate the language from the switch (cookie), else LANGUAGE_CODE; pages ignore Accept-Language.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a dealer's
    PC with an English Windows would show English although the product is Chinese-first.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in self.supported and request.path_info.startswith("/api/"):
            # API clients have no switch: they say what they want in Accept-Language.
            chosen = translation.get_language_from_request(request)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        response.headers.setdefault("Content-Language", language)
        return response
