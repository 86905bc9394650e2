-- Every bus's configuration version (one row per bus ever configured: a small table).
-- Parameters: none
SELECT bus_name, version
FROM config_versions
