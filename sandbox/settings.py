"""Site settings and the plugins they switch on, as `/admin/site_settings.json` and
`/admin/plugins.json` show them.

A small, realistic subset of Discourse's settings: the plugin switches Campus checks
(`poll_enabled`, `solved_enabled`, `data_explorer_enabled`) and the posting rules the sandbox
enforces. Values are strings, as in Discourse's own response (discourse_api_docs
responses/admin/site_settings.json). Poll calls `hide_plugin`, so it is never in the plugin list:
its state is only visible as the `poll_enabled` setting.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SettingDefinition:
    """One site setting: its name, default (a string, as Discourse sends it), type and category."""

    setting: str
    default: str
    type: str
    category: str
    description: str


SETTINGS = (
    SettingDefinition(
        "enable_discourse_connect_provider",
        "false",
        "bool",
        "login",
        "Implement DiscourseConnect provider protocol at the /session/sso_provider endpoint.",
    ),
    SettingDefinition(
        "title",
        "Discourse",
        "string",
        "required",
        "The name of this site, as used in the title tag.",
    ),
    SettingDefinition(
        "min_topic_title_length",
        "15",
        "fixnum",
        "posting",
        "Minimum allowed topic title length in characters",
    ),
    SettingDefinition(
        "min_first_post_length",
        "20",
        "fixnum",
        "posting",
        "Minimum allowed first post (topic body) length in characters",
    ),
    SettingDefinition(
        "min_post_length", "20", "fixnum", "posting", "Minimum allowed post length in characters"
    ),
    SettingDefinition(
        "allow_duplicate_topic_titles",
        "false",
        "bool",
        "posting",
        "Allow topics with identical, duplicate titles.",
    ),
    SettingDefinition(
        "unique_posts_mins",
        "5",
        "fixnum",
        "spam",
        "How many minutes before a user can make a post with the same content again",
    ),
    SettingDefinition(
        "invites_per_page", "40", "fixnum", "users", "Default invites shown on the user page."
    ),
    SettingDefinition("enable_badges", "true", "bool", "badges", "Enable the badge system"),
    SettingDefinition("poll_enabled", "true", "bool", "plugins", "Allow users to create polls?"),
    SettingDefinition(
        "solved_enabled",
        "true",
        "bool",
        "plugins",
        "Enable solved plugin, allow users to select solutions for topics",
    ),
    SettingDefinition(
        "data_explorer_enabled",
        "true",
        "bool",
        "plugins",
        "Enable the Data Explorer at /admin/plugins/explorer",
    ),
)


@dataclass(frozen=True)
class Plugin:
    """An installed plugin: directory id, plugin.rb name, URL, switch setting, and visibility."""

    id: str
    name: str
    url: str
    enabled_setting: str
    hidden: bool = False
    admin_route: dict | None = None


PLUGINS = (
    Plugin(
        "discourse-data-explorer",
        "discourse-data-explorer",
        "https://meta.discourse.org/t/data-explorer-plugin/32566",
        "data_explorer_enabled",
        admin_route={
            "label": "explorer.title",
            "location": "explorer",
            "use_new_show_route": False,
        },
    ),
    Plugin(
        "poll",
        "poll",
        "https://meta.discourse.org/t/poll-plugin/38264",
        "poll_enabled",
        hidden=True,
    ),
    Plugin(
        "discourse-solved",
        "discourse-solved",
        "https://meta.discourse.org/t/discourse-solved/30155",
        "solved_enabled",
    ),
)


def default_values() -> dict[str, str]:
    """Every setting at its default value."""
    return {definition.setting: definition.default for definition in SETTINGS}


def site_settings_json(values: dict[str, str]) -> dict:
    """`{"site_settings": [...]}`: each setting with its current value (a string)."""
    return {
        "site_settings": [
            {
                "setting": definition.setting,
                "description": definition.description,
                "default": definition.default,
                "type": definition.type,
                "value": str(values.get(definition.setting, definition.default)),
                "category": definition.category,
                "preview": None,
                "secret": False,
            }
            for definition in SETTINGS
        ]
    }


def plugins_json(values: dict[str, str]) -> dict:
    """`{"plugins": [...]}` sorted by name, hidden plugins left out (`visible_plugins`)."""
    visible = sorted((plugin for plugin in PLUGINS if not plugin.hidden), key=lambda p: p.name)
    entries = []
    for plugin in visible:
        entry = {
            "id": plugin.id,
            "name": plugin.name,
            "about": None,
            "version": "0.1",
            "url": plugin.url,
            "enabled": str(values.get(plugin.enabled_setting, "true")) == "true",
            "enabled_setting": plugin.enabled_setting,
            "has_settings": True,
            "is_official": True,
            "commit_hash": None,
            "commit_url": None,
        }
        if plugin.admin_route is not None:
            entry["admin_route"] = plugin.admin_route
        entries.append(entry)
    return {"plugins": entries}
