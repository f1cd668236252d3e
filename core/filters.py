"""The API's django-filter backend: typed query parameters must carry a value.

django-filter treats ``?created_before=`` (an empty value) as "no filter". The schema
documents such a parameter as a date-time (or an enum, a number), so an empty value
is input that breaks the schema, and the API answers 400 like for any other bad value.
Free-text filters (``CharFilter``) may still be empty. Pages that share a FilterSet
keep django-filter's behaviour: this backend only runs in DRF views."""

from __future__ import annotations

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError


class StrictDjangoFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            empty = {
                name: ["This parameter needs a value."]
                for name, declared in filterset_class.base_filters.items()
                if not isinstance(declared, django_filters.CharFilter)
                and name in request.query_params
                and not any(value.strip() for value in request.query_params.getlist(name))
            }
            if empty:
                raise ValidationError(empty)
        return super().filter_queryset(request, queryset, view)


@extend_schema_field({"type": "integer"})
class IdFilter(django_filters.NumberFilter):
    """A filter on an integer id: a whole number in the schema and in the form
    (``NumberFilter`` documents a ``number`` and reads ``1.5e308``, then refuses it)."""

    field_class = forms.IntegerField
