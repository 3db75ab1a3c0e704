"""Open SDG's data-repository rules, as sdg-build 2.x applies them, for checking an export.

Written from sdg-build's documented behaviour (``open_sdg_check`` with
``config='config_data.yml'``), not imported from it (it is not on PyPI):

- config: the options ``open_sdg_build``/``open_sdg_check`` take; inputs read
  ``InputCsvData`` files (``indicator_<id>.csv``, id = file name less the prefix)
  and ``InputYamlMeta`` files (``<id>.yml``, a language subfolder overriding
  fields for that language); an offline build reads only ``TranslationInputYaml``
  folders (``translations/<lang>/<group>.yml``).
- data (``check_csv``): first column ``Year``, last ``Value``, no whitespace around
  column names or string cells, a numeric Value column, no empty row; the headline
  is the rows whose disaggregation columns are all empty.
- metadata (``SchemaInputOpenSdg``): the Prose.io schema turned into JSON Schema
  (text fields string or integer, checkboxes boolean, selects one of their
  values), ``published`` and ``reporting_status`` required, ``data_non_statistical``
  required when complete, ``graph_title`` and ``graph_type`` when a complete,
  published, statistical indicator shows a graph.
"""

from __future__ import annotations

import copy
import csv
import glob
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml

CONFIG_KEYS = {
    "src_dir",
    "site_dir",
    "schema_file",
    "schema",
    "languages",
    "translations",
    "map_layers",
    "reporting_status_extra_fields",
    "inputs",
    "indicator_options",
    "docs_branding",
    "docs_intro",
    "docs_indicator_url",
    "docs_subfolder",
    "docs_baseurl",
    "docs_extra_disaggregations",
    "docs_translate_disaggregations",
    "docs_metadata_fields",
    "indicator_downloads",
    "indicator_export_filename",
    "datapackage",
    "csvw",
    "data_schema",
    "logging",
}
NON_DISAGGREGATION = {"Year", "Units", "Series", "Value", "GeoCode", "Observation status"}
INDICATOR_ID = re.compile(r"\d+(-[0-9a-z]+){2,3}")


def prose_to_json_schema(path: Path) -> dict[str, Any]:
    """The JSON Schema sdg-build validates every indicator's metadata against."""
    config = next(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    properties: dict[str, Any] = {}
    for item in config["prose"]["metadata"]["meta"]:
        field = item["field"]
        prop: dict[str, Any] = {"type": ["string", "integer"]}
        if "label" in field:
            prop["title"] = field["label"]
        if field["element"] == "checkbox":
            prop["type"] = "boolean"
        elif field["element"] in ("select", "multiselect"):
            any_of = [{"type": "string", "enum": [option["value"]]} for option in field["options"]]
            if field["element"] == "select":
                prop["anyOf"] = any_of
            else:
                prop["type"] = "array"
                prop["items"] = {"type": "string", "anyOf": any_of}
        properties[item["name"]] = prop
    return {
        "type": "object",
        "properties": properties,
        "required": ["published", "reporting_status"],
        "allOf": [
            {
                "if": {"properties": {"reporting_status": {"enum": ["complete"]}}},
                "then": {"required": ["data_non_statistical"]},
            },
            {
                "if": {
                    "properties": {
                        "reporting_status": {"enum": ["complete"]},
                        "published": {"const": True},
                        "data_non_statistical": {"const": False},
                    }
                },
                "then": {"required": ["graph_title", "graph_type"]},
            },
        ],
    }


def check_repository(root: Path) -> list[str]:
    """Every rule the repository at ``root`` breaks, one line each (empty: none)."""
    problems: list[str] = []
    config_path = root / "config_data.yml"
    if not config_path.is_file():
        return ["config_data.yml: missing"]
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    problems += [f"config_data.yml: unknown key {k}" for k in sorted(set(config) - CONFIG_KEYS)]
    languages = config.get("languages") or []
    src = root / config.get("src_dir", "")
    if any(re.search(r"https?:|\.git\b", str(v)) for v in _leaves(config)):
        problems.append("config_data.yml: a remote source (a build would need the network)")

    data_ids: dict[str, Path] = {}
    meta_paths: dict[str, Path] = {}
    for item in config.get("inputs") or []:
        matched = sorted(glob.glob(os.path.join(src, item.get("path_pattern", ""))))
        if item.get("class") == "InputCsvData":
            for path in matched:
                stem = Path(path).stem
                if not stem.startswith("indicator_"):
                    problems.append(f"{path}: data file not named indicator_<id>.csv")
                data_ids[stem.removeprefix("indicator_")] = Path(path)
        elif item.get("class") == "InputYamlMeta":
            if item.get("git", True):
                problems.append("config_data.yml: InputYamlMeta reads git history (git: true)")
            meta_paths.update({Path(p).stem: Path(p) for p in matched})
        else:
            problems.append(f"config_data.yml: input class {item.get('class')} is not local")
    if not data_ids:
        problems.append("no data file matches the InputCsvData path_pattern")

    translations = config.get("translations")
    if translations is None:
        problems.append("config_data.yml: no translations (the default is a remote repository)")
    for item in translations or []:
        if item.get("class") != "TranslationInputYaml":
            problems.append(f"config_data.yml: translation class {item.get('class')}")
            continue
        for language in languages:
            if not (src / item.get("source", "translations") / language).is_dir():
                problems.append(f"translations: no folder for {language}")

    for inid in sorted(data_ids.keys() | meta_paths.keys()):
        if not INDICATOR_ID.fullmatch(inid):
            problems.append(f"{inid}: not a goal-target-indicator id")
        if inid in data_ids:
            problems += check_data(data_ids[inid])
        if inid not in meta_paths:
            problems.append(f"{inid}: data without metadata")

    schema_path = src / config.get("schema_file", "_prose.yml")
    if not schema_path.is_file():
        return [*problems, f"{schema_path.name}: missing"]
    schema = prose_to_json_schema(schema_path)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    for inid, path in sorted(meta_paths.items()):
        base = yaml.safe_load(path.read_text(encoding="utf-8"))
        for language in [None, *languages]:
            meta = _translated(base, path, language)
            for error in validator.iter_errors(meta):
                problems.append(f"{inid} ({language or 'untranslated'}): {error.message}")
    return problems


def check_data(path: Path) -> list[str]:
    """sdg-build's check_csv rules for one data file, and a non-empty headline."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        return [f"{path.name}: empty"]
    header, body = rows[0], rows[1:]
    problems = []
    if header[0] != "Year":
        problems.append(f'{path.name}: first column not called "Year"')
    if header[-1] != "Value":
        problems.append(f'{path.name}: last column not called "Value"')
    if any(h != h.strip() for h in header):
        problems.append(f"{path.name}: whitespace around a column name")
    for number, row in enumerate(body, start=2):
        if not any(cell.strip() for cell in row):
            problems.append(f"{path.name}:{number}: empty row")
            continue
        if any(cell != cell.strip() for cell in row):
            problems.append(f"{path.name}:{number}: whitespace around a cell")
        try:
            float(row[-1])
        except ValueError:
            problems.append(f"{path.name}:{number}: Value {row[-1]!r} is not numeric")
    disaggregations = [i for i, h in enumerate(header) if h not in NON_DISAGGREGATION]
    if body and not any(all(not row[i] for i in disaggregations) for row in body):
        problems.append(f"{path.name}: no headline row (every row is a disaggregation)")
    return problems


def _translated(base: dict[str, Any], path: Path, language: str | None) -> dict[str, Any]:
    """The metadata sdg-build validates for a language: base, then its subfolder's fields."""
    meta = copy.deepcopy(base)
    if language is not None:
        override = path.parent / language / path.name
        if override.is_file():
            meta.update(yaml.safe_load(override.read_text(encoding="utf-8")))
    return meta


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]
