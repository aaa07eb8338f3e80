"""The staff web app's pages."""

from __future__ import annotations

from django.urls import path

from staff.views import customers, dashboard, feed, linking, review, scans

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("queue/", review.queue, name="queue"),
    path("queue/approve/", review.bulk_approve, name="queue-approve"),
    path("interventions/<int:pk>/", review.intervention_page, name="intervention"),
    path("interventions/<int:pk>/approve/", review.approve, name="intervention-approve"),
    path("interventions/<int:pk>/reject/", review.reject, name="intervention-reject"),
    path("interventions/<int:pk>/edit/", review.edit, name="intervention-edit"),
    path("interventions/<int:pk>/score/", review.score, name="intervention-score"),
    path("interventions/<int:pk>/send/", review.send, name="intervention-send"),
    path("customers/", customers.customer_list, name="customers"),
    path("customers/<str:customer_id>/", customers.customer_page, name="customer"),
    path("events/", feed.events_page, name="events"),
    path("events/newer/", feed.events_newer, name="events-newer"),
    path("events/inbox/<int:pk>/reprocess/", feed.reprocess, name="delivery-reprocess"),
    path("events/inbox/<int:pk>/link/", linking.link_form, name="delivery-link"),
    path("events/inbox/<int:pk>/link/save/", linking.link, name="delivery-link-save"),
    path("scans/", scans.scans_page, name="scans"),
    path("scans/run/", scans.scan_now, name="scan-run"),
    path("scans/<int:pk>/progress/", scans.scan_progress, name="scan-progress"),
]
