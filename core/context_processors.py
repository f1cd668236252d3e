from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict:
    """Values every page needs: environment banner and token symbol."""
    return {
        "OGC_ENVIRONMENT": settings.OGC_ENVIRONMENT,
        "OGC_TOKEN_SYMBOL": settings.OGC_TOKEN_SYMBOL,
    }
