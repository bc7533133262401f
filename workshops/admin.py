from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from workshops import models
from workshops.services import networks, zones


@admin.register(models.Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(models.Zone)
class ZoneAdmin(admin.ModelAdmin):
    """Organisers group regions into zones on the workshop's zones page; this is for repairs."""

    list_display = ["name", "name_fr", "workshop", "order"]
    list_filter = ["workshop"]
    search_fields = ["name", "name_fr"]
    list_select_related = ["workshop"]


@admin.register(models.Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "name_fr", "code", "country", "order"]
    list_filter = ["country"]
    search_fields = ["name", "name_fr", "code"]
    list_select_related = ["country"]


class OrganisationMembershipInline(admin.TabularInline):
    model = models.OrganisationMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "kind", "home_region", "network"]
    list_filter = ["kind", "network", "home_region__country"]
    search_fields = ["name", "acronym"]
    list_select_related = ["home_region"]
    inlines = [OrganisationMembershipInline]


@admin.register(models.Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_fr", "slug", "workshop"]
    list_filter = [("workshop", admin.EmptyFieldListFilter)]
    search_fields = ["name", "name_fr", "slug"]
    list_select_related = ["workshop"]
    prepopulated_fields = {"slug": ["name"]}


class WorkshopMembershipInline(admin.TabularInline):
    model = models.WorkshopMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(models.Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["title", "location", "start_date", "end_date", "status", "join_code"]
    list_filter = ["status", "country"]
    search_fields = ["title", "slug", "location"]
    readonly_fields = ["join_code"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "start_date"
    filter_horizontal = ["organisations"]
    list_select_related = ["country"]
    inlines = [WorkshopMembershipInline]

    def save_model(self, request, obj, form, change):
        """A workshop added here starts with its country's zones, as one made on the
        dashboard does (the organiser regroups them on the workshop's Zones page)."""
        super().save_model(request, obj, form, change)
        if not change or "country" in form.changed_data:
            zones.restart_zones(workshop=obj)


@admin.register(models.Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["__str__", "workshop", "kind", "region", "gender", "organisation", "consent_at"]
    list_filter = ["workshop", "kind", "gender"]
    search_fields = ["display_name", "public_id", "external_id"]
    list_select_related = ["workshop", "region", "organisation"]
    readonly_fields = ["public_id", "consent_at"]
    exclude = ["token_hash"]


@admin.register(models.BreakoutSession)
class BreakoutSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "workshop", "kind", "order", "status", "starts_at", "ends_at"]
    list_filter = ["workshop", "kind", "status"]
    search_fields = ["title", "guiding_question"]
    list_select_related = ["workshop"]
    filter_horizontal = ["participants", "staff"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "participants":  # people in the room, not respondents
            kwargs["queryset"] = models.Participant.objects.in_the_room()
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(models.Contribution)
class ContributionAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "workshop", "category", "source", "zone", "gender", "status"]
    list_filter = ["workshop", "category", "horizon", "audience", "source", "status", "zone"]
    search_fields = ["text", "client_id"]
    list_select_related = ["workshop", "zone"]
    raw_id_fields = ["author", "merged_into", "session"]
    filter_horizontal = ["themes"]
    readonly_fields = ["client_id", "created_at"]


@admin.register(models.Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["pk", "contribution", "participant", "created_at"]
    list_select_related = ["contribution", "participant"]
    raw_id_fields = ["contribution", "participant"]


@admin.register(models.ExportAuditLog)
class DataAccessLogAdmin(admin.ModelAdmin):
    """The data access log, read-only: records are written by the app, never by hand."""

    list_display = ["created_at", "workshop", "who", "channel", "kind", "purpose"]
    list_filter = ["workshop", "channel", "kind"]
    search_fields = ["purpose", "user__username", "workshop__slug"]
    list_select_related = ["workshop", "user"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.Network)
class NetworkAdmin(admin.ModelAdmin):
    """Where a superuser starts a network (from an empty database, in the browser): its
    creator becomes its first administrator, who runs it from the network page /n/<slug>/
    (organisations, staff, invitations), as ``manage.py create_network`` does."""

    list_display = ["name", "acronym", "slug"]
    search_fields = ["name", "acronym"]
    fields = ["name", "acronym", "slug"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        network = networks.create_network(
            name=obj.name, acronym=obj.acronym, slug=obj.slug, administrator=request.user
        )
        obj.pk = network.pk
        obj._state.adding = False


@admin.register(models.SurveyMapping)
class SurveyMappingAdmin(admin.ModelAdmin):
    """The remembered survey mappings, to look at or forget (delete): they are written by
    the import, the form's key and versions from the file, so nothing is edited here."""

    list_display = ["workshop", "short_key", "versions", "answer_columns", "updated_at"]
    list_filter = ["workshop"]
    search_fields = ["workshop__slug", "workshop__title", "form_key"]
    list_select_related = ["workshop"]
    readonly_fields = ["workshop", "form_key", "versions", "mapping", "updated_at"]

    @admin.display(description=_("form key"))
    def short_key(self, obj) -> str:
        return obj.form_key[:12]

    @admin.display(description=_("answer columns"))
    def answer_columns(self, obj) -> int:
        columns = obj.mapping.get("columns", {}) if isinstance(obj.mapping, dict) else {}
        return sum(1 for value in columns.values() if value != "ignore")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
