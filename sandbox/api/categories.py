"""CategoriesController: list, show, create and update categories."""

from __future__ import annotations

from sandbox import views
from sandbox.api.common import Controller, validation_error
from sandbox.routing import Request, Router, invalid_parameters, missing_parameter, not_found
from sandbox.state import Category, slugify


class CategoriesController(Controller):
    """Categories: the list (one level, optionally nested), one category, create and update."""

    def register(self, router: Router) -> None:
        """Add this controller's routes to `router`."""
        add = router.add
        add("GET", "/categories.json", self.categories)
        add("POST", "/categories.json", self.category_create)
        add("GET", "/c/{id}/show.json", self.category_show)
        add("PUT", "/categories/{id}.json", self.category_update)

    def categories(self, request: Request) -> tuple[int, object]:
        forum = self.forum
        counts = views.category_counts(forum)
        nested = request.flag("include_subcategories")
        parent = request.get("parent_category_id")
        parent_id = None
        if parent not in (None, ""):
            found = (
                forum.categories.get(int(parent))
                if str(parent).isdigit()
                else forum.category_by_slug(parent)
            )
            if found is None:
                raise not_found()
            parent_id = found.id
        listed = sorted(
            (
                category
                for category in forum.categories.values()
                if category.parent_category_id == parent_id
            ),
            key=lambda category: (category.position, category.id),
        )
        return 200, {
            "category_list": {
                "can_create_category": True,
                "can_create_topic": True,
                "categories": [
                    views.category_json(
                        forum, category, counts=counts, with_subcategory_list=nested
                    )
                    for category in listed
                ],
            }
        }

    def category_show(self, request: Request) -> tuple[int, object]:
        category = self._category(request.path_params["id"])
        return 200, {"category": views.category_json(self.forum, category)}

    def _permissions(self, value) -> dict[str, int]:
        if not isinstance(value, dict):
            raise invalid_parameters("permissions")
        permissions = {}
        for group_name, permission in value.items():
            if self.forum.group_by_name(group_name) is None:
                raise validation_error(f"Group '{group_name}' does not exist")
            if str(permission) not in ("1", "2", "3"):
                raise invalid_parameters("permissions")
            permissions[self.forum.group_by_name(group_name).name] = int(permission)
        return permissions

    def _apply_category_fields(self, category: Category, params: dict) -> None:
        for key in ("color", "text_color"):
            if params.get(key) not in (None, ""):
                setattr(category, key, str(params[key]).lstrip("#"))
        if params.get("description") is not None:
            category.description = str(params["description"]) or None
        if isinstance(params.get("custom_fields"), dict):
            for key, value in params["custom_fields"].items():
                category.custom_fields[key] = (
                    value if not isinstance(value, bool) else str(value).lower()
                )
        if "permissions" in params and params["permissions"] not in (None, ""):
            category.permissions = self._permissions(params["permissions"])

    def _check_category_names(
        self, name: str, slug: str, parent_id: int | None, exclude: int | None
    ) -> None:
        for other in self.forum.categories.values():
            if other.id == exclude or other.parent_category_id != parent_id:
                continue
            if other.name.lower() == name.lower():
                raise validation_error("Category Name has already been taken")
            if other.slug == slug:
                raise validation_error("Slug is already in use")

    def _parent_id(self, params: dict) -> int | None:
        parent = params.get("parent_category_id")
        if parent in (None, ""):
            return None
        if not str(parent).isdigit() or int(parent) not in self.forum.categories:
            raise validation_error("Parent category does not exist")
        return int(parent)

    def category_create(self, request: Request) -> tuple[int, object]:
        params = request.params
        name = str(params.get("name") or "").strip()
        if not name:
            raise missing_parameter("name")
        parent_id = self._parent_id(params)
        slug = str(params.get("slug") or "").strip() or slugify(name, fallback="")
        with self.forum.lock:
            category = Category(0, name, slug, parent_category_id=parent_id)
            self._apply_category_fields(category, params)
            self._check_category_names(name, slug, parent_id, exclude=None)
            created = self.forum.add_category(
                name,
                slug=slug or None,
                color=category.color,
                text_color=category.text_color,
                description=category.description,
                parent_category_id=parent_id,
                permissions=category.permissions,
                custom_fields=category.custom_fields,
            )
        return 200, {"category": views.category_json(self.forum, created)}

    def category_update(self, request: Request) -> tuple[int, object]:
        category = self._category(request.path_params["id"])
        params = request.params
        name = str(params.get("name") or category.name).strip()
        slug = str(params.get("slug") or category.slug).strip()
        parent_id = (
            self._parent_id(params)
            if "parent_category_id" in params
            else category.parent_category_id
        )
        self._check_category_names(name, slug, parent_id, exclude=category.id)
        self._apply_category_fields(category, params)
        category.name, category.slug, category.parent_category_id = name, slug, parent_id
        return 200, {"success": "OK", "category": views.category_json(self.forum, category)}
