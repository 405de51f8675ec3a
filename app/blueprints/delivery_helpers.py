"""Request helpers shared by the delivery blueprints (requirements, backlog, testing, defects)."""
from flask import g, jsonify, request

from app.services import project_service
from app.utils.errors import ValidationFailed
from app.utils.http import flag

STAFF_WHO_SEE_DELETED = ("admin", "pm", "consultant")


def project_for(project_id, include_deleted: bool = False):
    """The project in the URL, as the signed-in user may see it (customers: only their projects)."""
    return project_service.get_project(g.current_user, project_id, include_deleted=include_deleted)


def include_deleted() -> bool:
    return flag("include_deleted") and g.current_user.role in STAFF_WHO_SEE_DELETED


def filters(*names: str) -> dict:
    return {name: request.args.get(name) for name in names if request.args.get(name)}


def etagged(body: dict, version: int, status: int = 200):
    response = jsonify(body)
    response.status_code = status
    response.headers["ETag"] = f'"{version}"'
    return response


def check_status(status: str, vocabulary) -> None:
    if status not in vocabulary:
        raise ValidationFailed("Unknown status.", errors={"status": [f"One of {', '.join(vocabulary)}."]})


def uploaded_file() -> bytes:
    """The CSV of an import: a multipart `file` field, or the raw body (text/csv)."""
    if "file" in request.files:
        return request.files["file"].read()
    data = request.get_data()
    if not data:
        raise ValidationFailed("No file was sent.", errors={"file": ["Attach a CSV file."]})
    return data


def csv_download(content: bytes, filename: str):
    from flask import Response

    return Response(content, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
