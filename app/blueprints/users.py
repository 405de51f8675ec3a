from flask import Blueprint, jsonify

from app.blueprints.serializers import page, user_dict
from app.models import User
from app.schemas.accounts import MessageSchema
from app.schemas.common import IncludeDeletedArgs
from app.schemas.users import UserListArgs, UserSchema, UserUpdateSchema
from app.services import user_service
from app.web.auth import requires
from app.web.http import etagged, if_match_version, load_args, load_body
from app.web.openapi import doc

bp = Blueprint("users", __name__, url_prefix="/api/v1/users")


def _etagged(user, status=200):
    return etagged(user_dict(user), user.version, status)


@bp.get("")
@requires("users.read")
@doc("List the tenant's users", args=UserListArgs, response=UserSchema, many=True)
def list_users():
    args = load_args(UserListArgs)
    users, total = user_service.list_users(
        args["limit"],
        args["offset"],
        role=args.get("role"),
        q=args.get("q"),
        include_deleted=args["include_deleted"],
        kind=args.get("kind"),
    )
    return jsonify(page(users, total, UserSchema()))


@bp.post("")
@requires("users.manage")
@doc("Create a user", body=UserSchema, response=UserSchema, status=201)
def create_user():
    user = user_service.create_user(load_body(UserSchema()))
    return _etagged(user, 201)


@bp.get("/<uuid:user_id>")
@requires("users.read")
@doc("One user", args=IncludeDeletedArgs, response=UserSchema)
def get_user(user_id):
    include_deleted = load_args(IncludeDeletedArgs)["include_deleted"]
    return _etagged(User.get_scoped_or_404(user_id, include_deleted=include_deleted))


@bp.route("/<uuid:user_id>", methods=["PUT", "PATCH"])
@requires("users.manage")
@doc("Change a user (If-Match: version)", body=UserUpdateSchema, response=UserSchema)
def update_user(user_id):
    user = User.get_scoped_or_404(user_id)
    data = load_body(UserUpdateSchema(), partial=True)
    return _etagged(user_service.update_user(user, data, if_match_version()))


@bp.delete("/<uuid:user_id>")
@requires("users.manage")
@doc("Soft-delete (and deactivate) a user", status=204)
def delete_user(user_id):
    user_service.delete_user(User.get_scoped_or_404(user_id), if_match_version())
    return "", 204


@bp.post("/<uuid:user_id>/restore")
@requires("users.manage")
@doc("Restore a soft-deleted user", response=UserSchema)
def restore_user(user_id):
    return _etagged(user_service.restore_user(User.get_scoped_or_404(user_id, include_deleted=True)))


@bp.post("/<uuid:user_id>/mfa/reset")
@requires("users.manage")
@doc("Reset a user's second factor (a lost phone): off, sessions ended, audited", response=UserSchema)
def reset_second_factor(user_id):
    return _etagged(user_service.reset_second_factor(User.get_scoped_or_404(user_id)))


@bp.post("/<uuid:user_id>/sessions/end")
@requires("users.manage")
@doc("Sign a user out everywhere", response=MessageSchema)
def end_sessions(user_id):
    ended = user_service.end_all_sessions(User.get_scoped_or_404(user_id))
    return jsonify({"detail": f"{ended} session(s) ended.", "ended_sessions": ended})
