from django.contrib import admin

from .models import Membership, Metric, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "created_at"]
    search_fields = ["slug", "name"]
    inlines = [MembershipInline]


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "direction"]
    search_fields = ["code", "name"]
