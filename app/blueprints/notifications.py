"""The signed-in user's in-app notifications."""

from flask import Blueprint, g, jsonify
from marshmallow import fields

from app.schemas.hypercare import NotificationListArgs, NotificationSchema
from app.schemas.results import MarkedResultSchema
from app.services.hypercare import notifications
from app.services.pagination import page_total
from app.web.auth import requires
from app.web.http import load_args
from app.web.openapi import doc

bp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications")
_schema = NotificationSchema()


@bp.get("")
@requires("notifications.read")
@doc(
    "My notifications, newest first (?unread=1); `unread` counts the unread ones",
    args=NotificationListArgs,
    response=NotificationSchema,
    many=True,
    envelope={"unread": fields.Integer(metadata={"description": "How many are unread"})},
)
def list_notifications():
    args = load_args(NotificationListArgs)
    items, total, unread = notifications.list_for(
        g.current_user, args["limit"], args["offset"], unread_only=args["unread"]
    )
    return jsonify({"items": _schema.dump(items, many=True), **page_total(total), "unread": unread})


@bp.post("/<uuid:notification_id>/read")
@requires("notifications.read")
@doc("Mark one notification read", response=NotificationSchema)
def mark_read(notification_id):
    return jsonify(_schema.dump(notifications.mark_read(g.current_user, notification_id)))


@bp.post("/read-all")
@requires("notifications.read")
@doc("Mark all my notifications read", response=MarkedResultSchema)
def mark_all_read():
    return jsonify({"marked": notifications.mark_all_read(g.current_user)})
