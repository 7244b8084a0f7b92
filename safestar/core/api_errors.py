"""The API's errors: one body for every status it can answer, in Chinese, and documented.

Every error is `{"detail": "中文说明", "errors": {"字段": ["中文说明", …]}}`: a form's messages by
field (ledger_api.form_errors), the type and range checks of ninja's parameter schemas translated
here (`chinese_validation_errors`), and the handlers in safestar/api.py for 401, 404, 400. The
OpenAPI document lists these statuses with that body on every operation (`document_errors`).
"""

ERROR_STATUSES = {
    400: "请求格式错误（请求体不是合法的 JSON，或过大）",
    401: "未登录：缺少令牌或令牌无效",
    404: "不存在，或不在您的数据范围内",
    409: "冲突：记录已被他人修改，或已锁定",
    422: "参数或数据校验未通过",
}
ALWAYS = (400, 401, 404, 422)  # statuses every operation can answer (409 where the operation declares it)

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {"title": "说明", "type": "string"},
        "errors": {"title": "按字段的错误", "type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["detail", "errors"],
}

_TYPES = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "int_parsing_size": "数字太大",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "finite_number": "应为有限的数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文字",
    "string_unicode": "应为文字",
    "date_parsing": "应为日期，如 2024-05-01",
    "date_type": "应为日期，如 2024-05-01",
    "date_from_datetime_parsing": "应为日期，如 2024-05-01",
    "date_from_datetime_inexact": "应为日期，不带时间",
    "datetime_parsing": "应为日期时间，如 2024-05-01T08:00:00",
    "datetime_type": "应为日期时间，如 2024-05-01T08:00:00",
    "datetime_from_date_parsing": "应为日期时间，如 2024-05-01T08:00:00",
    "model_attributes_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为列表",
    "json_invalid": "不是合法的 JSON",
    "json_type": "不是合法的 JSON",
    "extra_forbidden": "不接受这个字段",
}


def _message(error):
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind in _TYPES:
        return _TYPES[kind]
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于{'' if kind.endswith('equal') else '或等于'} {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于{'' if kind.endswith('equal') else '或等于'} {ctx.get('le', ctx.get('lt'))}"
    if kind == "string_too_long":
        return f"不能超过 {ctx.get('max_length')} 个字符"
    if kind == "string_too_short":
        return f"至少 {ctx.get('min_length')} 个字符"
    if kind in ("literal_error", "enum"):
        return f"应为以下之一：{ctx.get('expected', '')}"
    if kind == "value_error" and not str(error.get("msg", "")).isascii():
        return str(error["msg"]).removeprefix("Value error, ")
    return "取值不合法"


def _field(loc):
    """("query", "year") → "year"; ("body", "payload", "village") → "village"; ("path", "pk") → "pk"."""
    parts = [str(p) for p in loc]
    source, rest = parts[0], parts[1:]
    if source == "body" and len(rest) > 1:
        rest = rest[1:]  # the view's parameter name ("payload") says nothing to the caller
    return ".".join(rest) or source


def chinese_validation_errors(errors):
    """Ninja's (pydantic's) validation errors → {"字段": ["中文说明"]}."""
    result = {}
    for error in errors:
        result.setdefault(_field(error.get("loc") or ("body",)), []).append(_message(error))
    return result


def document_errors(schema):
    """Every operation of the OpenAPI document answers ALWAYS (and its own 409) with the Error body."""
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas.pop("Errors", None)
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = {str(code): value for code, value in operation.get("responses", {}).items()}
            for code in sorted({*ALWAYS, *(int(c) for c in responses if c.isdigit() and int(c) >= 400)}):
                responses[str(code)] = {"description": ERROR_STATUSES.get(code, "错误"), **body}
            operation["responses"] = responses
    return schema
