from flask import Blueprint, jsonify, request

from app.blueprints.serializers import page, user_dict
from app.models import User
from app.models.user import ROLES
from app.permissions import requires
from app.schemas.users import UserSchema, UserUpdateSchema
from app.services import user_service
from app.utils.errors import ValidationFailed
from app.utils.http import flag, if_match_version, load_body, page_params
from app.utils.openapi import doc

bp = Blueprint("users", __name__, url_prefix="/api/v1/users")


def _etagged(user, status=200):
    response = jsonify(user_dict(user))
    response.status_code = status
    response.headers["ETag"] = f'"{user.version}"'
    return response


@bp.get("")
@requires("users.read")
@doc("List the tenant's users", response=UserSchema, many=True)
def list_users():
    limit, offset = page_params()
    role = request.args.get("role") or None
    if role and role not in ROLES:
        raise ValidationFailed("Unknown role filter.", errors={"role": [f"One of {', '.join(ROLES)}."]})
    users, total = user_service.list_users(limit, offset, role=role, q=request.args.get("q") or None,
                                           include_deleted=flag("include_deleted"))
    return jsonify(page(users, total, UserSchema()))


@bp.post("")
@requires("users.manage")
@doc("Create a user", body=UserSchema, response=UserSchema, status=201)
def create_user():
    user = user_service.create_user(load_body(UserSchema()))
    return _etagged(user, 201)


@bp.get("/<uuid:user_id>")
@requires("users.read")
@doc("One user", response=UserSchema)
def get_user(user_id):
    return _etagged(User.get_scoped_or_404(user_id, include_deleted=flag("include_deleted")))


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
