from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


class IsCatalogAdminOrReadOnly(BasePermission):
    """Every employee reads the catalog; only catalog admins change it."""

    message = "Only catalog admins may change the catalog."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or request.user.is_catalog_admin


class IsCatalogAdmin(BasePermission):
    message = "Only catalog admins may do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(
            request.user and request.user.is_authenticated and request.user.is_catalog_admin
        )


class IsApprover(BasePermission):
    message = "Only approvers may do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_approver)
