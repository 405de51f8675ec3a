"""The signed-in user's in-app notifications."""
from flask import Blueprint, g, jsonify

from app.permissions import requires
from app.schemas.hypercare import NotificationSchema
from app.services.hypercare import notifications
from app.utils.http import flag, page_params
from app.utils.openapi import doc

bp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications")
_schema = NotificationSchema()


@bp.get("")
@requires("notifications.read")
@doc("My notifications, newest first (?unread=1); `unread` counts the unread ones",
     response=NotificationSchema, many=True)
def list_notifications():
    limit, offset = page_params()
    items, total, unread = notifications.list_for(g.current_user, limit, offset, unread_only=flag("unread"))
    return jsonify({"items": _schema.dump(items, many=True), "total": total, "unread": unread})


@bp.post("/<uuid:notification_id>/read")
@requires("notifications.read")
@doc("Mark one notification read", response=NotificationSchema)
def mark_read(notification_id):
    return jsonify(_schema.dump(notifications.mark_read(g.current_user, notification_id)))


@bp.post("/read-all")
@requires("notifications.read")
@doc("Mark all my notifications read")
def mark_all_read():
    return jsonify({"marked": notifications.mark_all_read(g.current_user)})
